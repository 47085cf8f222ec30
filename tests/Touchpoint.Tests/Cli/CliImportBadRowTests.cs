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
        const string nullMessage = """{"external_id":"j-2","customer_email":"y@example.com","channel":"chat","started_at":"2026-03-02T10:00:00Z","messages":[null]}""";
        var file = folder.Write("interactions.jsonl", string.Join('\n',
            """{"external_id":"j-1","customer_email":"y@example.com","channel":"chat","started_at":"2026-03-02T09:00:00Z"}""",
            nullMessage,
            """{"external_id":"j-3","customer_email":"y@example.com","channel":"chat","started_at":"2026-03-02T11:00:00Z"}"""));

        var result = await CliRunner.RunAsync(database, "import", "interactions", file, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal(2, summary.GetProperty("imported").GetInt64());
        var rejection = Assert.Single(summary.GetProperty("rejections").EnumerateArray());
        Assert.Equal((2L, nullMessage.IndexOf("null]", StringComparison.Ordinal) + 1, "messages[0]: is null"),
            (rejection.GetProperty("line").GetInt64(), rejection.GetProperty("column").GetInt32(), rejection.GetProperty("reason").GetString()));
        await using var db = database.CreateDb();
        Assert.Equal(2, await db.Interactions.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportCustomers_ARevenueThatIsNotAFiniteNumber_IsRejectedAtItsColumn_NotAFatalError(DatabaseProvider provider)
    {
        // "NaN", "Infinity" and "1e400" all parse as doubles; SQLite refused NaN and stopped the import, PostgreSQL stored it.
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var file = folder.Write("customers.csv", "external_id,name,revenue\nc1,Ann,NaN\nc2,Bob,Infinity\nc3,Cy,1e400\nc4,Di,12.5\n");

        var result = await CliRunner.RunAsync(database, "import", "customers", file, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal(1, summary.GetProperty("imported").GetInt64());
        Assert.Equal([(2L, 3, "revenue: 'NaN' is not a number"), (3, 3, "revenue: 'Infinity' is not a number"), (4, 3, "revenue: '1e400' is not a number")],
            summary.GetProperty("rejections").EnumerateArray()
                .Select(r => (r.GetProperty("line").GetInt64(), r.GetProperty("column").GetInt32(), r.GetProperty("reason").GetString())));
        await using var db = database.CreateDb();
        Assert.Equal([("c4", 12.5)], await db.Customers.Select(c => new { c.ExternalId, c.Revenue }).AsAsyncEnumerable().Select(c => (c.ExternalId, c.Revenue)).ToListAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Import_BytesThatAreNotUtf8_RejectTheirRowAtTheColumn_InsteadOfStoringAReplacementCharacter(DatabaseProvider provider)
    {
        // "José" saved as Windows-1252: the é is the single byte 0xE9. It used to be stored as "Jos\uFFFD".
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        byte[] Latin1(string text) => System.Text.Encoding.Latin1.GetBytes(text);
        var csv = folder.File("interactions.csv");
        await File.WriteAllBytesAsync(csv, Latin1("external_id,customer_email,channel,started_at,customer_name\n" +
            "i-1,a@example.com,phone,2026-03-02T09:00:00Z,Jos\u00e9\n" +
            "i-2,b@example.com,phone,2026-03-02T09:00:00Z,Ann\n"), Ct);
        var jsonl = folder.File("interactions.jsonl");
        var line = """{"external_id":"j-1","customer_email":"c@example.com","channel":"chat","started_at":"2026-03-02T09:00:00Z","customer_name":"Jos""" + "\u00e9\"}";
        await File.WriteAllBytesAsync(jsonl, Latin1(line + "\n" +
            """{"external_id":"j-2","customer_email":"d@example.com","channel":"chat","started_at":"2026-03-02T09:00:00Z","customer_name":"Bo"}"""), Ct);

        var fromCsv = await CliRunner.RunAsync(database, "import", "interactions", csv, "--json");
        var fromJsonl = await CliRunner.RunAsync(database, "import", "interactions", jsonl, "--json");

        static (long, int, string?) Rejection(CliResult result)
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            var summary = JsonDocument.Parse(result.Output).RootElement;
            Assert.Equal(1, summary.GetProperty("imported").GetInt64());
            var r = Assert.Single(summary.GetProperty("rejections").EnumerateArray());
            return (r.GetProperty("line").GetInt64(), r.GetProperty("column").GetInt32(), r.GetProperty("reason").GetString());
        }
        Assert.Equal((2L, 5, "customer_name: holds bytes that are not UTF-8 (save the file as UTF-8)"), Rejection(fromCsv));
        Assert.Equal((1L, line.IndexOf("Jos", StringComparison.Ordinal) + 4, "the line holds bytes that are not UTF-8 (save the file as UTF-8)"), Rejection(fromJsonl));
        await using var db = database.CreateDb();
        Assert.Equal(["Ann", "Bo"], (await db.Customers.Select(c => c.Name).ToListAsync(Ct)).Order());
    }
}
