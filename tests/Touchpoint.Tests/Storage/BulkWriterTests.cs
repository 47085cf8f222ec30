using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;
using Touchpoint.Tests.Infrastructure;
using static Touchpoint.Storage.Bulk.BulkTable;

namespace Touchpoint.Tests.Storage;

public sealed class BulkWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BulkTable Agents = new("agents", [Text("external_id"), Text("name")], ["external_id"]);

    [Theory, ClassData(typeof(Providers))]
    public async Task OwnWrites_AreNotOthers(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var writer = await BulkWriter.OpenAsync(database.Target, Ct);

        var mark = await writer.MarkAsync(Ct);
        Assert.Null(await WriteAsync(writer, [1, 2], mark, "own1"));
        // A mark taken before this run's own earlier write still holds: its own writes are accounted for.
        Assert.Null(await WriteAsync(writer, [1, 2, 3], mark, "own2"));
        Assert.Null(await WriteAsync(writer, [3], await writer.MarkAsync(Ct), "own3"));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task AnotherWritersCommit_AfterTheMark_IsToldOnce_AsConcerningItsCustomer(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var writer = await BulkWriter.OpenAsync(database.Target, Ct);
        Assert.Null(await WriteAsync(writer, [1, 2], await writer.MarkAsync(Ct), "own1"));

        var mark = await writer.MarkAsync(Ct);
        await CommitElsewhereAsync(database, [2], "other1");

        var othersWrote = await WriteAsync(writer, [2], mark, "own2");
        Assert.NotNull(othersWrote);
        Assert.True(othersWrote(2));
        // Heard of now: the next write is not told again.
        Assert.Null(await WriteAsync(writer, [1, 2], mark, "own3"));
    }

    [Fact]
    public async Task Postgres_AnotherWriterOnOtherStripes_ConcernsOnlyTheirCustomers()
    {
        // Customers 1 and 2 lie on different lock stripes (257 on 1's).
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var writer = await BulkWriter.OpenAsync(database.Target, Ct);
        Assert.Null(await WriteAsync(writer, [1, 2], await writer.MarkAsync(Ct), "own1"));

        var mark = await writer.MarkAsync(Ct);
        await CommitElsewhereAsync(database, [2], "other1");

        Assert.Null(await WriteAsync(writer, [1], mark, "own2"));
        var othersWrote = await WriteAsync(writer, [1, 2], mark, "own3");
        Assert.NotNull(othersWrote);
        Assert.True(othersWrote(2));
        Assert.False(othersWrote(1));
        Assert.False(othersWrote(257));
    }

    [Fact]
    public async Task Sqlite_AnyOtherConnectionsCommit_ConcernsEveryCustomer()
    {
        // SQLite's counter sees every commit, whatever it wrote: here an agent written without locking any customer.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var writer = await BulkWriter.OpenAsync(database.Target, Ct);
        var mark = await writer.MarkAsync(Ct);
        await CommitElsewhereAsync(database, [], "other1");

        var othersWrote = await WriteAsync(writer, [1], mark, "own1");
        Assert.NotNull(othersWrote);
        Assert.True(othersWrote(1));
        Assert.True(othersWrote(2));
    }

    [Fact]
    public async Task Sqlite_TheRunsOwnContext_IsNotAnotherWriter()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var writer = await BulkWriter.OpenAsync(database.Target, Ct);
        var mark = await writer.MarkAsync(Ct);
        await using (var db = writer.CreateDb()!)
        {
            db.Agents.Add(new Touchpoint.Interactions.Agent { ExternalId = "own-context", Name = "Own" });
            await db.SaveChangesAsync(Ct);
        }

        Assert.Null(await WriteAsync(writer, [1], mark, "own1"));
    }

    /// <summary>Writes one agent under the customers' locks; returns whom another writer's writes since may concern.</summary>
    private static async Task<Func<long, bool>?> WriteAsync(BulkWriter writer, long[] customerIds, BulkWriter.ReadMark mark, string agent)
    {
        var (store, othersWrote) = await writer.BeginAsync(customerIds, mark, Ct);
        await using (store)
        {
            await store.InsertAsync(Agents, [[agent, agent]], Ct);
            await store.CommitAsync(Ct);
        }
        return othersWrote;
    }

    private static async Task CommitElsewhereAsync(TestDatabase database, long[] customerIds, string agent)
    {
        await using var store = await BulkStore.BeginAsync(database.Target, Ct);
        await store.LockCustomersAsync(customerIds, Ct);
        await store.InsertAsync(Agents, [[agent, agent]], Ct);
        await store.CommitAsync(Ct);
    }
}
