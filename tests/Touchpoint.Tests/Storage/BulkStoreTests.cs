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
}
