using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;
using Touchpoint.Tests.Infrastructure;
using static Touchpoint.Storage.Bulk.BulkTable;

namespace Touchpoint.Tests.Storage;

public sealed class BulkStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BulkTable Agents = new("agents", [Text("external_id"), Text("name")], ["external_id"]);

    [Theory, ClassData(typeof(Providers))]
    public async Task Insert_NewRows_GetIdsInOrder_AndAreStored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);

        long?[] ids;
        await using (var store = await BulkStore.BeginAsync(database.Target, Ct))
        {
            ids = await store.InsertAsync(Agents, [["a1", "Ann"], ["a2", "Bob"], ["a3", "Cy"]], Ct);
            await store.CommitAsync(Ct);
        }

        await using var db = database.CreateDb();
        var stored = await db.Agents.AsNoTracking().OrderBy(a => a.Id).Select(a => new { a.Id, a.ExternalId }).ToListAsync(Ct);
        Assert.Equal(["a1", "a2", "a3"], stored.Select(a => a.ExternalId));
        Assert.Equal(stored.Select(a => (long?)a.Id), ids);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Insert_SomeKeysExist_SkipsThemWithNullIds_AndStoresTheRest(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var store = await BulkStore.BeginAsync(database.Target, Ct))
        {
            await store.InsertAsync(Agents, [["a2", "Bob"]], Ct);
            await store.CommitAsync(Ct);
        }

        long?[] ids;
        await using (var store = await BulkStore.BeginAsync(database.Target, Ct))
        {
            // On PostgreSQL the direct COPY fails on a2 and the rows go through the staging table instead.
            ids = await store.InsertAsync(Agents, [["a1", "Ann"], ["a2", "Bobby"], ["a3", "Cy"]], Ct);
            await store.CommitAsync(Ct);
        }

        await using var db = database.CreateDb();
        var stored = await db.Agents.AsNoTracking().ToDictionaryAsync(a => a.ExternalId, a => (a.Id, a.Name), Ct);
        Assert.Equal(3, stored.Count);
        Assert.Equal("Bob", stored["a2"].Name);
        Assert.Equal([stored["a1"].Id, null, stored["a3"].Id], ids);
    }
    [Theory, ClassData(typeof(Providers))]
    public async Task InsertCases_SomeExist_FindsTheirIdsByCustomerAndKey(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var now = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        long ann, bob;
        await using (var db = database.CreateDb())
        {
            var a = new Touchpoint.Customers.Customer { ExternalId = "ann", Name = "Ann", CreatedAt = now, UpdatedAt = now };
            var b = new Touchpoint.Customers.Customer { ExternalId = "bob", Name = "Bob", CreatedAt = now, UpdatedAt = now };
            db.Customers.AddRange(a, b);
            await db.SaveChangesAsync(Ct);
            (ann, bob) = (a.Id, b.Id);
        }
        object?[] Case(string key, long customer) =>
            [key, customer, "billing", null, "Open", now, now, null, 1, 1, 0, 0, "Email", null, null, false];

        long[] first, second;
        await using (var store = await BulkStore.BeginAsync(database.Target, Ct))
        {
            first = await Touchpoint.Interactions.InteractionDerivations.InsertCasesAsync(database.Target, store,
                [(ann, "k1"), (bob, "k1")], [Case("k1", ann), Case("k1", bob)], _ => { }, Ct);
            await store.CommitAsync(Ct);
        }
        var opened = 0;
        await using (var store = await BulkStore.BeginAsync(database.Target, Ct))
        {
            // The same key for two customers: each must get its own case back, not the other's.
            second = await Touchpoint.Interactions.InteractionDerivations.InsertCasesAsync(database.Target, store,
                [(bob, "k1"), (ann, "k2"), (ann, "k1")], [Case("k1", bob), Case("k2", ann), Case("k1", ann)], n => opened += n, Ct);
            await store.CommitAsync(Ct);
        }

        Assert.Equal(1, opened);
        // In the order asked: first (ann, k1), (bob, k1); second (bob, k1), (ann, k2), (ann, k1).
        Assert.NotEqual(first[0], first[1]);
        Assert.Equal(first[0], second[2]);
        Assert.Equal(first[1], second[0]);
        await using var check = database.CreateDb();
        Assert.Equal(3, await check.Cases.CountAsync(Ct));
        var k2 = second[1];
        Assert.Equal(ann, (await check.Cases.SingleAsync(c => c.Id == k2, Ct)).CustomerId);
    }
}
