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
        Assert.False(await WriteAsync(writer, [1, 2], mark, "own1"));
        // A mark taken before this run's own earlier write still holds: its own writes are accounted for.
        Assert.False(await WriteAsync(writer, [1, 2, 3], mark, "own2"));
        Assert.False(await WriteAsync(writer, [3], await writer.MarkAsync(Ct), "own3"));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task AnotherWritersCommit_AfterTheMark_IsSeenByTheNextWrite(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var writer = await BulkWriter.OpenAsync(database.Target, Ct);
        Assert.False(await WriteAsync(writer, [1, 2], await writer.MarkAsync(Ct), "own1"));

        var mark = await writer.MarkAsync(Ct);
        await CommitElsewhereAsync(database, [2], "other1");

        Assert.True(await WriteAsync(writer, [2], mark, "own2"));
        // A refused write leaves nothing behind; the run forgets what it read and derives the batch inside its write.
        Assert.False(await StoredAsync(database, "own2"));
        writer.Forget();
        Assert.False(await WriteAsync(writer, [2], null, "own3"));
        // After that write, later marks hold again.
        Assert.False(await WriteAsync(writer, [2], await writer.MarkAsync(Ct), "own4"));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task WriteDerivingInside_TellsOfAnotherWritersCommit_AndHasForgottenItself(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var writer = await BulkWriter.OpenAsync(database.Target, Ct);
        Assert.False(await WriteAsync(writer, [1, 2], await writer.MarkAsync(Ct), "own1"));
        await CommitElsewhereAsync(database, [2], "other1");

        // The run holds timelines read before other1: a write deriving inside must hear of it, to read afresh.
        Assert.True(await WriteAsync(writer, [1, 2], null, "own2"));
        Assert.True(await StoredAsync(database, "own2"));
        // Having said so, the writer counts from there: the next write is not told again.
        Assert.False(await WriteAsync(writer, [1, 2], await writer.MarkAsync(Ct), "own3"));
    }

    [Fact]
    public async Task Postgres_AnotherWriterOnOtherStripesOnly_IsNotSeen()
    {
        // Customers 1 and 2 lie on different lock stripes: a writer of customer 2 does not concern a batch of customer 1.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var writer = await BulkWriter.OpenAsync(database.Target, Ct);
        Assert.False(await WriteAsync(writer, [1], await writer.MarkAsync(Ct), "own1"));

        var mark = await writer.MarkAsync(Ct);
        await CommitElsewhereAsync(database, [2], "other1");

        Assert.False(await WriteAsync(writer, [1], mark, "own2"));
        Assert.True(await WriteAsync(writer, [2], mark, "own3"));
    }

    [Fact]
    public async Task Sqlite_AnyOtherConnectionsCommit_IsSeen_EvenWithoutCustomerLocks()
    {
        // SQLite's counter sees every commit, whatever it wrote: here an agent written without locking any customer.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var writer = await BulkWriter.OpenAsync(database.Target, Ct);
        var mark = await writer.MarkAsync(Ct);
        await CommitElsewhereAsync(database, [], "other1");

        Assert.True(await WriteAsync(writer, [1], mark, "own1"));
    }

    /// <summary>
    /// Writes one agent under the customers' locks, as a batch derived beforehand (with a mark: not written when
    /// others wrote) or inside (no mark: always written); returns whether others wrote.
    /// </summary>
    private static async Task<bool> WriteAsync(BulkWriter writer, long[] customerIds, BulkWriter.ReadMark? mark, string agent)
    {
        var (store, othersWrote) = await writer.BeginAsync(customerIds, mark, Ct);
        await using (store)
        {
            if (!othersWrote || mark is null)
            {
                await store.InsertAsync(Agents, [[agent, agent]], Ct);
                await store.CommitAsync(Ct);
            }
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

    private static async Task<bool> StoredAsync(TestDatabase database, string agent)
    {
        await using var db = database.CreateDb();
        return db.Agents.Any(a => a.ExternalId == agent);
    }
}
