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
        var writer = new BulkWriter(database.Target);

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
        var writer = new BulkWriter(database.Target);
        Assert.Null(await WriteAsync(writer, [1, 2], await writer.MarkAsync(Ct), "own1"));

        var mark = await writer.MarkAsync(Ct);
        await CommitElsewhereAsync(database, [2], "other1");

        var othersWrote = await WriteAsync(writer, [2], mark, "own2");
        Assert.NotNull(othersWrote);
        Assert.True(othersWrote(2));
        // Heard of now: the next write is not told again.
        Assert.Null(await WriteAsync(writer, [1, 2], mark, "own3"));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task AnotherWriterOnOtherStripes_ConcernsOnlyTheirCustomers(DatabaseProvider provider)
    {
        // Customers 1 and 2 lie on different lock stripes (257 on 1's).
        await using var database = await TestDatabase.CreateAsync(provider);
        var writer = new BulkWriter(database.Target);
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

    [Theory, ClassData(typeof(Providers))]
    public async Task ACommitThatWritesNoTimeline_ConcernsNobody(DatabaseProvider provider)
    {
        // Customers, agents, logins, audit entries: only writers of customers' timelines bump the stripes.
        await using var database = await TestDatabase.CreateAsync(provider);
        var writer = new BulkWriter(database.Target);
        var mark = await writer.MarkAsync(Ct);
        await CommitElsewhereAsync(database, [], "other1");

        Assert.Null(await WriteAsync(writer, [1, 2], mark, "own1"));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task AMerge_ConcernsBothCustomers(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(database, new Touchpoint.Customers.CustomerInput { ExternalId = "a", Name = "A" },
            new Touchpoint.Customers.CustomerInput { ExternalId = "b", Name = "B" });
        var writer = new BulkWriter(database.Target);
        var mark = await writer.MarkAsync(Ct);
        await using (var db = database.CreateDb())
        {
            var merge = new Touchpoint.Customers.CustomerMerge(db, database.Target,
                Microsoft.Extensions.Options.Options.Create(new Touchpoint.Interactions.InteractionOptions()), Ingest.Clock());
            Assert.Null((await merge.MergeAsync(1, 2, "test", Ct)).Error);
        }

        var othersWrote = await WriteAsync(writer, [1, 2, 3], mark, "own1");
        Assert.NotNull(othersWrote);
        Assert.True(othersWrote(1));
        Assert.True(othersWrote(2));
        Assert.False(othersWrote(3));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task AnotherWritersCommit_AfterARolledBackAttempt_IsStillHeardOf(DatabaseProvider provider)
    {
        // The ingestor writes a batch again when PostgreSQL rolls its transaction back (deadlock victim). The rolled-back
        // attempt's bump must not count as the run's own: one commit of another writer between the attempts (one that
        // waited for the attempt's locks, say) brings the stripe exactly to the version the run remembers.
        await using var database = await TestDatabase.CreateAsync(provider);
        var writer = new BulkWriter(database.Target);
        Assert.Null(await WriteAsync(writer, [1], await writer.MarkAsync(Ct), "own1"));
        var mark = await writer.MarkAsync(Ct);

        var (attempt, _) = await writer.BeginAsync([1], mark, Ct);
        await attempt.DisposeAsync(); // rolled back, never committed
        await CommitElsewhereAsync(database, [1], "other1");

        var othersWrote = await WriteAsync(writer, [1], mark, "own2");
        Assert.NotNull(othersWrote);
        Assert.True(othersWrote(1));
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
