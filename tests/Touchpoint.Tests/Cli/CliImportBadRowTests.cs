using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Cli;

/// <summary>Rows a file import must report by line rather than abort on.</summary>
public sealed class CliImportBadRowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportInteractions_ALineWithANullMessage_IsRejectedByLine_AndTheOtherLinesAreStored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var file = folder.Write("interactions.jsonl", string.Join('\n',
            """{"external_id":"j-1","customer_email":"y@example.com","channel":"chat","started_at":"2026-03-02T09:00:00Z"}""",
            """{"external_id":"j-2","customer_email":"y@example.com","channel":"chat","started_at":"2026-03-02T10:00:00Z","messages":[null]}""",
            """{"external_id":"j-3","customer_email":"y@example.com","channel":"chat","started_at":"2026-03-02T11:00:00Z"}"""));

        var result = await CliRunner.RunAsync(database, "import", "interactions", file, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal(2, summary.GetProperty("imported").GetInt64());
        Assert.Equal(2, Assert.Single(summary.GetProperty("rejections").EnumerateArray()).GetProperty("line").GetInt64());
        await using var db = database.CreateDb();
        Assert.Equal(2, await db.Interactions.CountAsync(Ct));
    }
}
