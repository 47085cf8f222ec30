using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;
using Touchpoint.Tests.Infrastructure;
using static Touchpoint.Storage.Bulk.BulkTable;

namespace Touchpoint.Tests.Storage;

public sealed class BulkWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BulkTable Agents = new("agents", [Text("external_id"), Text("name")], ["external_id"]);

    [Fact]
    public async Task Sqlite_CountsOtherConnectionsCommits_NotItsOwn()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var writer = await BulkWriter.OpenAsync(database.Target, Ct);
        Assert.True(writer.SeesOtherWriters);

        await WriteAsync(writer, "own1");
        await WriteAsync(writer, "own2");
        Assert.Equal(0, writer.OtherCommits);

        await CommitElsewhereAsync(database, "other1");
        // Not looked yet: a commit is counted when the writer next looks, at the latest when it takes the lock.
        Assert.Equal(0, writer.OtherCommits);
        await WriteAsync(writer, "own3");
        Assert.Equal(1, writer.OtherCommits);

        await CommitElsewhereAsync(database, "other2");
        await writer.NoticeAsync(Ct);
        Assert.Equal(2, writer.OtherCommits);
        await WriteAsync(writer, "own4");
        Assert.Equal(2, writer.OtherCommits);

        // Two commits between two looks count once.
        await CommitElsewhereAsync(database, "other3");
        await CommitElsewhereAsync(database, "other4");
        await writer.NoticeAsync(Ct);
        Assert.Equal(3, writer.OtherCommits);
    }

    [Fact]
    public async Task Postgres_SeesNoOtherWriters()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var writer = await BulkWriter.OpenAsync(database.Target, Ct);

        await CommitElsewhereAsync(database, "other1");
        await WriteAsync(writer, "own1");

        Assert.False(writer.SeesOtherWriters);
        Assert.Equal(0, writer.OtherCommits);
    }

    private static async Task WriteAsync(BulkWriter writer, string agent)
    {
        await using var store = await writer.BeginAsync(Ct);
        await store.InsertAsync(Agents, [[agent, agent]], Ct);
        await store.CommitAsync(Ct);
    }

    private static async Task CommitElsewhereAsync(TestDatabase database, string agent)
    {
        await using var store = await BulkStore.BeginAsync(database.Target, Ct);
        await store.InsertAsync(Agents, [[agent, agent]], Ct);
        await store.CommitAsync(Ct);
    }
}
