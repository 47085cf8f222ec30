using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Cli;

/// <summary>Files at the edges of what the importers take, from the QA round on both databases.</summary>
public sealed class CliImportEdgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonElement Summary(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Output).RootElement.Clone();
    }

    private static (long Imported, long Duplicates, long Rejected) Counts(JsonElement summary) =>
        (summary.GetProperty("imported").GetInt64(), summary.GetProperty("duplicates").GetInt64(), summary.GetProperty("rejected").GetInt64());

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportCustomers_TimesFinerThanAMicrosecond_ImportedAgain_AreDuplicates(DatabaseProvider provider)
    {
        // PostgreSQL keeps microseconds: the stored 10:11:12.123456 differed from the file's .1234567 on every run, so the
        // same file "updated" the customer each time (imported 1, duplicates 0) and moved its updated_at.
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var file = folder.Write("customers.csv",
            "external_id,name,customer_since,quiet_hours_start,quiet_hours_end\nc-1,Ann,2020-05-01T10:11:12.1234567Z,22:00:00.1234567,07:00:00.0000009\n");

        var first = Summary(await CliRunner.RunAsync(database, "import", "customers", file, "--json"));
        await using (var db = database.CreateDb())
        {
            var stored = await db.Customers.SingleAsync(Ct);
            Assert.Equal((new DateTime(2020, 5, 1, 10, 11, 12, DateTimeKind.Utc).AddTicks(1_234_560), new TimeOnly(22, 0).Add(TimeSpan.FromTicks(1_234_560)), new TimeOnly(7, 0)),
                (stored.CustomerSince, stored.QuietHoursStart, stored.QuietHoursEnd));
        }
        var again = Summary(await CliRunner.RunAsync(database, "import", "customers", file, "--json"));

        Assert.Equal((1L, 0L, 0L), Counts(first));
        Assert.Equal((0L, 1L, 0L), Counts(again));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportInteractions_OneIdOnTwoLinesWithOtherValues_RejectsTheSecondNamingTheFirst_ButARepeatedRowIsADuplicate(DatabaseProvider provider)
    {
        // The second of two different rows with one id was counted as a duplicate: a contact told two ways, silently.
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var file = folder.Write("calls.csv",
            "channel,external_id,customer_email,started_at,talk_seconds\n" +
            "phone,i-1,ann@example.com,2026-03-02T09:00:00Z,60\n" +
            "phone,i-2,ann@example.com,2026-03-03T09:00:00Z,30\n" +
            "phone,i-1,ann@example.com,2026-03-02T09:00:00Z,60\n" +
            "phone,i-2,ann@example.com,2026-03-03T09:00:00Z,45\n");

        var summary = Summary(await CliRunner.RunAsync(database, "import", "interactions", file, "--json"));

        Assert.Equal((2L, 1L, 1L), Counts(summary));
        var rejection = Assert.Single(summary.GetProperty("rejections").EnumerateArray());
        Assert.Equal((5L, 2, "external_id was given on line 3 with other values; that row is kept"),
            (rejection.GetProperty("line").GetInt64(), rejection.GetProperty("column").GetInt32(), rejection.GetProperty("reason").GetString()));
        await using var db = database.CreateDb();
        Assert.Equal(30, await db.Interactions.Where(i => i.ExternalId == "i-2").Select(i => i.TalkSeconds).SingleAsync(Ct));
        // Run again: nothing is added, and the file's contradiction is reported again.
        Assert.Equal((0L, 3L, 1L), Counts(Summary(await CliRunner.RunAsync(database, "import", "interactions", file, "--json"))));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportCustomers_ConsentsAt_KeepsALaterDecision_SoAnOlderSyncDoesNotUndoAnOptOut(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        async Task<(long, long, long)> ImportAsync(string rows)
        {
            var file = folder.Write($"{Guid.NewGuid():N}.csv", "external_id,consents,consents_at\n" + rows);
            return Counts(Summary(await CliRunner.RunAsync(database, "import", "customers", file, "--json")));
        }
        async Task<(bool, DateTime)> SmsAsync()
        {
            await using var db = database.CreateDb();
            var consent = await db.ChannelConsents.SingleAsync(c => c.Channel == Touchpoint.Interactions.Channel.Sms, Ct);
            return (consent.Granted, consent.UpdatedAt);
        }
        var optedOut = new DateTime(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);

        Assert.Equal((1L, 0L, 0L), await ImportAsync("c-1,sms=no,2026-03-10T12:00:00Z\n"));
        Assert.Equal((false, optedOut), await SmsAsync());
        // Yesterday's export of the source still says yes: older than the opt-out, so it changes nothing.
        Assert.Equal((0L, 1L, 0L), await ImportAsync("c-1,sms=yes,2026-03-09T08:00:00Z\n"));
        Assert.Equal((false, optedOut), await SmsAsync());
        // A yes dated the very moment of the no does not undo it either (the refusal stands, as when two profiles merge).
        Assert.Equal((0L, 1L, 0L), await ImportAsync("c-1,sms=yes,2026-03-10T12:00:00Z\n"));
        // A later yes (the customer opted in again) does.
        Assert.Equal((1L, 0L, 0L), await ImportAsync("c-1,sms=yes,2026-03-12T08:00:00+02:00\n"));
        Assert.Equal((true, new DateTime(2026, 3, 12, 6, 0, 0, DateTimeKind.Utc)), await SmsAsync());
        // Without a date the file's consents are as of the import; with one after now the row is refused at its column.
        Assert.Equal((1L, 0L, 0L), await ImportAsync("c-1,sms=no,\n"));
        Assert.False((await SmsAsync()).Item1);
        var future = Summary(await CliRunner.RunAsync(database, "import", "customers",
            folder.Write("future.csv", "external_id,consents,consents_at\nc-1,sms=yes,2999-01-01T00:00:00Z\n"), "--json"));
        var rejection = Assert.Single(future.GetProperty("rejections").EnumerateArray());
        Assert.Equal((2L, 3), (rejection.GetProperty("line").GetInt64(), rejection.GetProperty("column").GetInt32()));
        Assert.StartsWith("consents_at is in the future", rejection.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False((await SmsAsync()).Item1);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportCustomers_ACustomerSinceAfterNow_IsRejectedAtItsColumn_AndTheStoredDateStays(DatabaseProvider provider)
    {
        // A year typed wrong (2062 for 2026) was stored: tenure stayed 0 for decades, so "tenure_days < 90" segments held them.
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        Assert.Equal((1L, 0L, 0L), Counts(Summary(await CliRunner.RunAsync(database, "import", "customers",
            folder.Write("first.csv", "external_id,name,customer_since\nc-1,Ann,2020-05-01T00:00:00Z\n"), "--json"))));

        var summary = Summary(await CliRunner.RunAsync(database, "import", "customers",
            folder.Write("typo.csv", "external_id,name,customer_since\nc-1,Ann,2062-05-01T00:00:00Z\nc-2,Bo,2999-01-01\n"), "--json"));

        Assert.Equal((0L, 0L, 2L), Counts(summary));
        Assert.All(summary.GetProperty("rejections").EnumerateArray(), r =>
        {
            Assert.Equal(3, r.GetProperty("column").GetInt32());
            Assert.StartsWith("customer_since is in the future", r.GetProperty("reason").GetString(), StringComparison.Ordinal);
        });
        await using var db = database.CreateDb();
        var stored = Assert.Single(await db.Customers.ToListAsync(Ct));
        Assert.Equal(new DateTime(2020, 5, 1, 0, 0, 0, DateTimeKind.Utc), stored.CustomerSince);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportTwcs_ATweetFromTheFuture_IsRejectedAtCreatedAt_NotAtAStartedAtTheFileDoesNotHave(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var file = folder.Write("twcs.csv",
            "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n" +
            "1,500,True,Wed Oct 31 22:10:47 +0000 2029,@BrandA hello from 2029,,\n" +
            "2,501,True,Tue Oct 31 22:10:47 +0000 2017,@BrandA hello,,\n");

        var summary = Summary(await CliRunner.RunAsync(database, "import", "twcs", file, "--json"));

        Assert.Equal((1L, 0L, 1L), Counts(summary));
        var rejection = Assert.Single(summary.GetProperty("rejections").EnumerateArray());
        Assert.Equal((2L, 4), (rejection.GetProperty("line").GetInt64(), rejection.GetProperty("column").GetInt32()));
        Assert.StartsWith("created_at is in the future", rejection.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportInteractions_ABadTranscriptLine_IsRejectedAtTheTranscriptColumn(DatabaseProvider provider)
    {
        // The transcript becomes messages; its errors ("messages[0].text contains a NUL character") had no column.
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var file = folder.Write("interactions.csv",
            "external_id,customer_email,channel,started_at,subject,transcript\n" +
            "i-1,a@example.com,phone,2026-03-02T09:00:00Z,ok,\"customer: hi\0there\"\n" +
            "i-2,a@example.com,phone,2026-03-02T10:00:00Z,ok,fine\n");

        var summary = Summary(await CliRunner.RunAsync(database, "import", "interactions", file, "--json"));

        Assert.Equal((1L, 0L, 1L), Counts(summary));
        var rejection = Assert.Single(summary.GetProperty("rejections").EnumerateArray());
        Assert.Equal((2L, 6), (rejection.GetProperty("line").GetInt64(), rejection.GetProperty("column").GetInt32()));
        await using var db = database.CreateDb();
        Assert.Equal(1, await db.Interactions.CountAsync(Ct));
    }

    [Fact]
    public async Task Import_OfAFolder_SaysItIsAFolder_NotThatNoFileIsThere()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        using var folder = new TempFolder();
        var directory = Directory.CreateDirectory(folder.File("calls.csv")).FullName;

        var result = await CliRunner.RunAsync(database, "import", "interactions", directory);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is a folder", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not found", result.Error, StringComparison.Ordinal);
    }
}

/// <summary>A customer given twice in one file: a repeat is a duplicate, a changed row is an update, as in two files.</summary>
public sealed class CliImportRepeatedCustomerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportCustomers_TheSameIdTwiceWithOtherValues_AppliesBothRows_AsTwoFilesWould(DatabaseProvider provider)
    {
        // The second row was counted as a duplicate and dropped without a word: the plan change and the new consent were lost,
        // while the same two rows in two files (or two API calls) updated the profile.
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var file = folder.Write("customers.csv",
            "external_id,name,plan,consents\n" +
            "c-1,Ann,basic,email=yes\n" +
            "c-2,Bob,basic,\n" +
            "c-1,Ann,premium,sms=no\n" +
            "c-2,Bob,basic,\n");

        var result = await CliRunner.RunAsync(database, "import", "customers", file, "--json");
        var again = await CliRunner.RunAsync(database, "import", "customers", file, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal((3L, 1L, 0L, 2L), (summary.GetProperty("imported").GetInt64(), summary.GetProperty("duplicates").GetInt64(),
            summary.GetProperty("rejected").GetInt64(), summary.GetProperty("customers_created").GetInt64()));
        var second = JsonDocument.Parse(again.Output).RootElement;
        // Run again: the first c-1 row sets the plan back to basic and the last one to premium; both change what is stored then.
        Assert.Equal((0L, 0L), (second.GetProperty("rejected").GetInt64(), second.GetProperty("customers_created").GetInt64()));
        await using var db = database.CreateDb();
        var ann = await db.Customers.Include(c => c.Consents).SingleAsync(c => c.ExternalId == "c-1", Ct);
        Assert.Equal("premium", ann.Plan);
        Assert.Equal([(Touchpoint.Interactions.Channel.Email, true), (Touchpoint.Interactions.Channel.Sms, false)],
            ann.Consents.OrderBy(c => c.Channel).Select(c => (c.Channel, c.Granted)));
        Assert.Equal(2, await db.Customers.CountAsync(Ct));
    }
}

/// <summary>Numbers and days on the command line that are not, or out of range: a message in words and exit 1, never a stack trace.</summary>
public sealed class CliOptionValueTests
{
    [Theory]
    [InlineData(new[] { "demo", "--customers", "abc" }, "--customers: 'abc' is not a whole number")]
    [InlineData(new[] { "import", "customers", "customers.csv", "--batch-size", "1.5" }, "--batch-size: '1.5' is not a whole number")]
    [InlineData(new[] { "import", "customers", "customers.csv", "--show-rejections", "-2" }, "--show-rejections must be at least 0")]
    [InlineData(new[] { "report", "first-response", "--from", "yesterday" }, "--from: 'yesterday' is not a day (use yyyy-mm-dd, e.g. 2026-03-02)")]
    [InlineData(new[] { "demo", "--customers", "-5" }, "--customers must be between 1 and 10,000,000")]
    [InlineData(new[] { "import", "customers", "customers.csv", "--batch-size", "-1" }, "--batch-size must be at least 1")]
    [InlineData(new[] { "import", "interactions", "calls.csv", "--batch-size", "0" }, "--batch-size must be at least 1")]
    public async Task ABadNumber_IsAnErrorNamingTheOption_WithExit1(string[] args, string message)
    {
        // "demo --customers abc" crashed with an unhandled InvalidOperationException (exit 134); "--batch-size -1" said
        // "Non-negative number required. (Parameter 'capacity')".
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        using var folder = new TempFolder();
        folder.Write("customers.csv", "external_id\nc-1\n");
        folder.Write("calls.csv", "external_id,customer_email,channel,started_at\ni-1,a@example.com,phone,2026-03-02\n");
        args = [.. args.Select(a => a.EndsWith(".csv", StringComparison.Ordinal) ? folder.File(a) : a)];

        var result = await CliRunner.RunAsync(database, args);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(message, result.Output + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output + result.Error, StringComparison.Ordinal);
        // Not the parser's own words: "as expected type 'System.Nullable`1[System.Int32]'".
        Assert.DoesNotContain("System.", result.Output + result.Error, StringComparison.Ordinal);
        await using var db = database.CreateDb();
        Assert.Equal(0, await db.Customers.CountAsync(TestContext.Current.CancellationToken));
    }
}

/// <summary>A write the database refuses ends the command with its reason on one line, not a stack trace.</summary>
public sealed class CliDatabaseRefusalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportCustomers_WhenTheDatabaseRefusesTheWrite_SaysWhyInOneLine_WithExit1(DatabaseProvider provider)
    {
        // EF Core wraps the database's error in a DbUpdateException, which the CLI did not catch: System.CommandLine printed
        // "Unhandled exception: Microsoft.EntityFrameworkCore.DbUpdateException ..." and the whole stack.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var db = database.CreateDb())
        {
            if (provider == DatabaseProvider.Sqlite)
            {
                await db.Database.ExecuteSqlRawAsync(
                    "CREATE TRIGGER refuse_customers BEFORE INSERT ON customers BEGIN SELECT RAISE(ABORT, 'customers are read-only here'); END;", Ct);
            }
            else
            {
                await db.Database.ExecuteSqlRawAsync(
                    "CREATE FUNCTION refuse_customers() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'customers are read-only here'; END $$;", Ct);
                await db.Database.ExecuteSqlRawAsync(
                    "CREATE TRIGGER refuse_customers BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION refuse_customers();", Ct);
            }
        }
        using var folder = new TempFolder();
        var file = folder.Write("customers.csv", "external_id,name\nc-1,Ann\n");

        var result = await CliRunner.RunAsync(database, "import", "customers", file);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("customers are read-only here", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output + result.Error, StringComparison.Ordinal);
    }
}
