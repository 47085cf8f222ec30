using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Cli;

public sealed class CliImportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string InteractionsCsv =
        "external_id,customer_external_id,customer_email,channel,started_at,talk_seconds,reason,subject\n" +
        "i1,c1,,phone,2026-03-02T09:00:00Z,240,billing,\"Refund, please\"\n" +
        "i2,c1,,chat,2026-03-02T10:00:00Z,ten,billing,\n" +
        "i3,,ann@example.com,email,2026-03-03T09:00:00Z,,password,\"two\nlines\"\n" +
        "i4,c2,,,2026-03-04T09:00:00Z,,,\n" +
        "i5,c2,,sms,2026-03-04T09:00:00Z,,,\n";

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportInteractions_SameFileTwice_AddsNothing_AndListsBadRowsWithLineAndColumn(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var file = folder.Write("interactions.csv", InteractionsCsv);

        var first = await CliRunner.RunAsync(database, "import", "interactions", file);
        var second = await CliRunner.RunAsync(database, "import", "interactions", file, "--json");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Matches(@"imported\s+│\s+3 │", first.Output);
        Assert.Matches(@"rejected\s+│\s+2 │", first.Output);
        Assert.Contains("Rejected rows (first 2 of 2)", first.Output, StringComparison.Ordinal);
        Assert.Matches(@"│\s+3 │\s+6 │ talk_seconds: 'ten' is not a whole number", first.Output);
        Assert.Matches(@"│\s+6 │\s+4 │ channel: is required", first.Output);

        Assert.True(second.ExitCode == 0, second.ToString());
        using var json = JsonDocument.Parse(second.Output);
        var root = json.RootElement;
        Assert.Equal((0, 3, 2), (root.GetProperty("imported").GetInt32(), root.GetProperty("duplicates").GetInt32(), root.GetProperty("rejected").GetInt32()));
        Assert.Equal([(3, 6), (6, 4)], root.GetProperty("rejections").EnumerateArray().Select(r => (r.GetProperty("line").GetInt32(), r.GetProperty("column").GetInt32())));
        // Printed as docs/import-formats.md shows it, for people reading it too: 'ten', not \u0027ten\u0027.
        Assert.Contains("\"reason\": \"talk_seconds: 'ten' is not a whole number\"", second.Output, StringComparison.Ordinal);

        await using var db = database.CreateDb();
        Assert.Equal(["i1", "i3", "i5"], await db.Interactions.OrderBy(i => i.ExternalId).Select(i => i.ExternalId).ToListAsync(Ct));
        Assert.Equal("two\nlines", await db.Interactions.Where(i => i.ExternalId == "i3").Select(i => i.Subject).SingleAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportCustomers_Json_ListsEveryRejection_TheTableOnlyTheFirst(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var lines = Enumerable.Range(1, 30).Select(n => $$"""{"external_id":"bad{{n}}","email":"not-an-email"}""")
            .Append("""{"external_id":"good","name":"Ann","email":"ann@example.com"}""");
        var file = folder.Write("customers.jsonl", string.Join('\n', lines));

        var json = await CliRunner.RunAsync(database, "import", "customers", file, "--json");
        var table = await CliRunner.RunAsync(database, "import", "customers", file);

        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Output);
        Assert.Equal(1, doc.RootElement.GetProperty("imported").GetInt32());
        Assert.Equal(Enumerable.Range(1, 30), doc.RootElement.GetProperty("rejections").EnumerateArray().Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal("email is not an email address", doc.RootElement.GetProperty("rejections")[0].GetProperty("reason").GetString());
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Rejected rows (first 20 of 30)", table.Output, StringComparison.Ordinal);
        Assert.Contains("10 more rejected rows", table.Output, StringComparison.Ordinal);
        Assert.Matches(@"duplicates\s+│\s+1 │", table.Output);
    }

    [Fact]
    public async Task Import_MissingFile_ExitsNonZeroNamingTheFile()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);

        var result = await CliRunner.RunAsync(database, "import", "interactions", "/nonexistent/calls.csv");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("file not found", result.Error, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/calls.csv", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task Import_UnknownExtension_AsksForFormat_AndFormatOptionOverrides()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        using var folder = new TempFolder();
        var file = folder.Write("calls.txt", "external_id,customer_external_id,channel,started_at\nx1,c1,phone,2026-03-02T09:00:00Z\n");

        var unknown = await CliRunner.RunAsync(database, "import", "interactions", file);
        var forced = await CliRunner.RunAsync(database, "import", "interactions", file, "--format", "csv", "--json");

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("--format csv|jsonl", unknown.Error, StringComparison.Ordinal);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        using var doc = JsonDocument.Parse(forced.Output);
        Assert.Equal(1, doc.RootElement.GetProperty("imported").GetInt32());
    }

    [Fact]
    public async Task Import_PostgresWithoutSchema_AsksToMigrate_ThenMigrateFromSeveralNodesWorks()
    {
        await using var database = await TestDatabase.CreateEmptyAsync(DatabaseProvider.Postgres);
        using var folder = new TempFolder();
        var file = folder.Write("interactions.csv", InteractionsCsv);

        var before = await CliRunner.RunAsync(database, "import", "interactions", file);
        var migrations = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => CliRunner.RunAsync(database, "migrate")));
        var after = await CliRunner.RunAsync(database, "import", "interactions", file, "--json");

        Assert.Equal(1, before.ExitCode);
        Assert.Contains("run `touchpoint migrate`", before.Error, StringComparison.Ordinal);
        Assert.All(migrations, m => Assert.True(m.ExitCode == 0, m.ToString()));
        Assert.True(after.ExitCode == 0, after.ToString());
        await using var db = database.CreateDb();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
        Assert.Equal(3, await db.Interactions.CountAsync(Ct));
    }

    [Fact]
    public async Task Migrate_Sqlite_SecondRunSaysUpToDate()
    {
        await using var database = await TestDatabase.CreateEmptyAsync(DatabaseProvider.Sqlite);

        var first = await CliRunner.RunAsync(database, "migrate");
        var second = await CliRunner.RunAsync(database, "migrate");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("Sqlite database migrated", first.Output, StringComparison.Ordinal);
        Assert.Contains("up to date", second.Output, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ExportThenImport_IntoAnEmptyDatabase_GivesIdenticalRows(DatabaseProvider provider)
    {
        await using var source = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var customers = folder.Write("customers.csv",
            "external_id,name,email,phone,social_handle,crm_id,birth_year,gender,city,country,plan,products,revenue,customer_since,language,preferred_channel,quiet_hours_start,quiet_hours_end,time_zone,consents\n" +
            "c1,\"Doe, Jane\",jane@example.com,+1 555 0100,@jane,CRM-1,1980,f,\"Paris, 1er\",FR,premium,router;tv,1234.56,2020-05-01T00:00:00Z,fr,email,22:00,07:30,Europe/Paris,email=yes;sms=no\n" +
            "c2,Bob,,,,,,,,,basic,,0,2024-01-01T00:00:00Z,en,,,,UTC,\n");
        var interactions = folder.Write("interactions.jsonl", string.Join('\n',
            """{"external_id":"i1","customer_external_id":"c1","channel":"phone","direction":"inbound","started_at":"2026-03-02T09:00:00.123Z","ended_at":"2026-03-02T09:05:00Z","agent_external_id":"a1","agent_name":"Agent One","queue":"billing","first_response_seconds":12,"talk_seconds":240,"hold_seconds":30,"wrap_seconds":15,"transfers":1,"reason":"billing","outcome":"escalated","subject":"Refund, \"now\"","case_external_id":"T-1","messages":[{"author":"customer","at":"2026-03-02T09:00:10Z","text":"Hello,\nI want a refund"},{"author":"agent","at":"2026-03-02T09:01:00Z","text":"Sure"}]}""",
            """{"external_id":"i2","customer_external_id":"c1","channel":"email","started_at":"2026-03-03T09:00:00Z","reason":"billing","outcome":"resolved"}""",
            """{"external_id":"i3","customer_email":"new@example.com","channel":"social","direction":"outbound","started_at":"2026-03-04T09:00:00Z","transcript":"agent: hi there"}""",
            """{"external_id":"i4","customer_external_id":"c2","channel":"chat","started_at":"2026-03-05T09:00:00Z","outcome":"follow_up","messages":[]}"""));
        Assert.Equal(0, (await CliRunner.RunAsync(source, "import", "customers", customers)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(source, "import", "interactions", interactions)).ExitCode);

        var exported = new Dictionary<string, string>();
        foreach (var (what, format) in new[] { ("customers", "csv"), ("interactions", "csv"), ("customers", "jsonl"), ("interactions", "jsonl") })
        {
            var file = folder.File($"a-{what}.{format}");
            var result = await CliRunner.RunAsync(source, "export", what, "--format", format, "--out", file);
            Assert.True(result.ExitCode == 0, result.ToString());
            exported[$"{what}.{format}"] = file;
        }

        foreach (var format in new[] { "csv", "jsonl" })
        {
            await using var target = await TestDatabase.CreateAsync(provider);
            var c = await CliRunner.RunAsync(target, "import", "customers", exported[$"customers.{format}"], "--json");
            var i = await CliRunner.RunAsync(target, "import", "interactions", exported[$"interactions.{format}"], "--json");
            Assert.True(c.ExitCode == 0 && i.ExitCode == 0, c + "\n" + i);
            Assert.DoesNotContain("\"line\"", c.Output + i.Output, StringComparison.Ordinal);

            foreach (var what in new[] { "customers", "interactions" })
            {
                var again = folder.File($"b-{format}-{what}.jsonl");
                Assert.Equal(0, (await CliRunner.RunAsync(target, "export", what, "--out", again)).ExitCode);
                var expected = File.ReadAllLines(exported[$"{what}.jsonl"]).Order(StringComparer.Ordinal).ToList();
                Assert.Equal(expected, File.ReadAllLines(again).Order(StringComparer.Ordinal));
            }
            var stored = await StoredRowsAsync(source);
            var reimported = await StoredRowsAsync(target);
            Assert.Equal(stored, reimported);
            Assert.Equal(7, stored.Count);
        }
        var customersJsonl = File.ReadAllText(exported["customers.jsonl"]);
        Assert.Contains("\"consents\":{\"Email\":true,\"Sms\":false}", customersJsonl, StringComparison.Ordinal);
        var interactionsJsonl = File.ReadAllLines(exported["interactions.jsonl"]);
        Assert.Equal(4, interactionsJsonl.Length);
        Assert.Contains(interactionsJsonl, l => l.Contains("\"text\":\"Hello,\\nI want a refund\"", StringComparison.Ordinal));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ExportThenImport_TimesToTheMicrosecondOffsetsQuotesLineBreaksUnicodeAndFormulas_ComeBackTheSame_AndASecondImportAddsNothing(DatabaseProvider provider)
    {
        // Every field, empty and missing values, a time zone change, a formula-looking cell, an id with a comma and a quote.
        await using var source = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var lines = new[]
        {
            """{"external_id":"i1","customer_external_id":"c1","customer_email":"a@example.com","channel":"phone","direction":"inbound","started_at":"2026-03-02T09:00:00.123456Z","ended_at":"2026-03-02T11:05:00.000001+02:00","agent_external_id":"a1","agent_name":"Agent \"One\", Sr.","queue":"billing ü","first_response_seconds":0,"talk_seconds":240,"hold_seconds":30,"wrap_seconds":15,"transfers":2,"reason":"=billing","outcome":"escalated","subject":"-Refund, \"now\"\r\nsecond line\ttab","case_external_id":"T-1","messages":[{"author":"customer","at":"2026-03-02T09:00:10.9999999Z","text":"  Hello,\r\nI want a refund 😀 «ü» \"q\"  "},{"author":"agent","text":"=Sure"},{"author":"bot","at":"2026-03-02T09:01:00Z","text":" "},{"author":"system","at":"2026-03-02T09:01:00Z","text":"'=x"}]}""",
            """{"external_id":"i2","customer_external_id":"c1","channel":"email","started_at":"2026-03-03T09:00:00Z","reason":"billing","outcome":"resolved","subject":"'"}""",
            """{"external_id":"i3","customer_email":"new@example.com","channel":"social","direction":"outbound","started_at":"2026-03-04T09:00:00Z","transcript":"agent: hi there\r\ncustomer: ,\"x\"\n\nhello"}""",
            """{"external_id":"i4","customer_external_id":"c2","channel":"self-service","started_at":"1970-01-01T00:00:00Z","outcome":"follow-up","messages":[]}""",
            """{"external_id":"i5","customer_external_id":"c2","channel":"in-app","started_at":"2026-03-29T01:30:00+01:00","ended_at":"2026-03-29T03:30:00+02:00","queue":"","reason":" ","subject":"'@x"}""",
            """{"external_id":"i,6\"","customer_external_id":"c 3","channel":"bot","direction":"outbound","started_at":"2026-03-05T09:00:00Z","outcome":"abandoned","agent_external_id":"+1"}""",
        };
        var interactions = folder.Write("interactions.jsonl", string.Join('\n', lines));
        var first = await CliRunner.RunAsync(source, "import", "interactions", interactions, "--json");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.DoesNotContain("\"line\"", first.Output, StringComparison.Ordinal);

        var exported = new Dictionary<string, string>();
        foreach (var (what, format) in new[] { ("customers", "csv"), ("interactions", "csv"), ("customers", "jsonl"), ("interactions", "jsonl") })
        {
            var file = folder.File($"a-{what}.{format}");
            var result = await CliRunner.RunAsync(source, "export", what, "--format", format, "--out", file);
            Assert.True(result.ExitCode == 0, result.ToString());
            exported[$"{what}.{format}"] = file;
        }
        var stored = await StoredRowsAsync(source);
        foreach (var format in new[] { "csv", "jsonl" })
        {
            await using var target = await TestDatabase.CreateAsync(provider);
            var c = await CliRunner.RunAsync(target, "import", "customers", exported[$"customers.{format}"], "--json");
            var i = await CliRunner.RunAsync(target, "import", "interactions", exported[$"interactions.{format}"], "--json");
            Assert.True(c.ExitCode == 0 && i.ExitCode == 0, c + "\n" + i);
            Assert.DoesNotContain("\"line\"", c.Output + i.Output, StringComparison.Ordinal);
            Assert.Equal(stored, await StoredRowsAsync(target));
            var again = await CliRunner.RunAsync(target, "import", "interactions", exported[$"interactions.{format}"], "--json");
            Assert.Contains("\"imported\": 0", again.Output, StringComparison.Ordinal);
            Assert.Equal(0, (await CliRunner.RunAsync(target, "import", "customers", exported[$"customers.{format}"], "--json")).ExitCode);
            Assert.Equal(stored, await StoredRowsAsync(target));
        }
    }

    /// <summary>Every stored column that an import sets, as comparable text, in external id order.</summary>
    private static async Task<List<string>> StoredRowsAsync(TestDatabase database)
    {
        await using var db = database.CreateDb();
        var interactions = await db.Interactions.AsNoTracking().Include(i => i.Messages).Include(i => i.Customer).Include(i => i.Agent).Include(i => i.Case)
            .OrderBy(i => i.ExternalId).ToListAsync(Ct);
        var customers = await db.Customers.AsNoTracking().Include(c => c.Identities).Include(c => c.Consents).OrderBy(c => c.ExternalId).ToListAsync(Ct);
        return
        [
            .. interactions.Select(i => string.Join('|', i.ExternalId, i.Customer!.ExternalId, i.Channel, i.Direction, i.StartedAt.ToString("O"), i.EndedAt?.ToString("O"),
                i.Agent?.ExternalId, i.Agent?.Name, i.Queue, i.FirstResponseSeconds, i.TalkSeconds, i.HoldSeconds, i.WrapSeconds, i.Transfers, i.Reason, i.Outcome,
                i.Subject, i.CaseExternalId, i.Case?.ExternalId, i.Case?.OpenedAt.ToString("O"), i.Case?.ResolvedAt?.ToString("O"), i.IsRepeat,
                i.FirstContactResolved, i.ChannelSwitch, i.SlaMet,
                string.Join(';', i.Messages.OrderBy(m => m.Sequence).Select(m => $"{m.Sequence}:{m.Author}:{m.At:O}:{m.Text}")))),
            .. customers.Select(c => string.Join('|', c.ExternalId, c.Name, c.Email, c.Phone, c.BirthYear, c.Gender, c.City, c.Country, c.AccountType, c.AccountStatus,
                c.Plan, c.Products, c.Revenue, c.CustomerSince.ToString("O"), c.Language, c.PreferredChannel, c.QuietHoursStart, c.QuietHoursEnd, c.TimeZone,
                string.Join(';', c.Identities.Select(x => $"{x.Kind}:{x.Value}").Order(StringComparer.Ordinal)),
                string.Join(';', c.Consents.OrderBy(x => x.Channel).Select(x => $"{x.Channel}:{x.Granted}")))),
        ];
    }
}

public sealed class CliDemoTests
{
    [Theory, ClassData(typeof(Providers))]
    public async Task Demo_SmallDataSet_FillsTheDatabaseAndPrintsWhatItMade(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);

        var result = await CliRunner.RunAsync(database, "demo", "--customers", "60");

        Assert.True(result.ExitCode == 0, result.ToString());
        await using var db = database.CreateDb();
        var interactions = await db.Interactions.CountAsync(TestContext.Current.CancellationToken);
        Assert.Equal(60, await db.Customers.CountAsync(TestContext.Current.CancellationToken));
        Assert.InRange(interactions, 60, 60 * 40);
        Assert.Matches($@"interactions\s+│\s+{interactions.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} │", result.Output);
        Assert.Matches(@"customers\s+│\s+60 │", result.Output);
    }

    [Fact]
    public async Task Demo_ZeroCustomers_IsAUsageError()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);

        var result = await CliRunner.RunAsync(database, "demo", "--customers", "0");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--customers must be between 1 and 10,000,000", result.Error, StringComparison.Ordinal);
    }
}
