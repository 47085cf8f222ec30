using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Import.Twcs;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Cli;

public sealed class TwcsImportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Hand-written threads with the data set's quirks: a reply before its parent (11 before 10), two replies to one
    // tweet where the later line is the earlier reply (22 before 21 in time), an unanswered tweet that only
    // mentions its brand (30), a brand broadcast (40) with a customer reply, and a reply to a tweet not in the file (50).
    private const string Sample =
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n" +
        "11,BrandA,False,Mon Oct 30 10:05:00 +0000 2017,\"@500 Sorry to hear that, DM us\",12,10\n" +
        "10,500,True,Mon Oct 30 10:00:00 +0000 2017,@BrandA my order is late,11,\n" +
        "12,500,True,Mon Oct 30 10:06:00 +0000 2017,\"@BrandA done,\nthanks\",13,11\n" +
        "13,BrandA,False,Mon Oct 30 10:36:00 +0000 2017,@500 Got it,,12\n" +
        "20,501,True,Mon Oct 30 09:00:00 +0000 2017,@BrandB my bill is wrong,\"21,22\",\n" +
        "21,BrandB,False,Mon Oct 30 11:00:00 +0000 2017,@501 Checking again,,20\n" +
        "22,BrandB,False,Mon Oct 30 10:00:00 +0000 2017,@501 Checking,,20\n" +
        "30,502,True,Tue Oct 31 08:00:00 +0000 2017,Hey @branda where is my parcel,,\n" +
        "40,BrandB,False,Tue Oct 31 12:00:00 +0000 2017,Big news today!,41,\n" +
        "41,503,True,Tue Oct 31 12:30:00 +0000 2017,@BrandB nice,,40\n" +
        "50,504,True,Tue Oct 31 13:00:00 +0000 2017,@BrandA still waiting,51,9999\n" +
        "51,BrandA,False,Tue Oct 31 13:01:30 +0000 2017,@504 On it,,50\n";

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportTwcs_ThreadsCases_AndFirstResponsesAreExact(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var file = folder.Write("twcs.csv", Sample);

        var result = await CliRunner.RunAsync(database, "import", "twcs", file, "--json");
        var again = await CliRunner.RunAsync(database, "import", "twcs", file, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.Equal((11, 1), (root.GetProperty("imported").GetInt32(), root.GetProperty("rejected").GetInt32()));
        var rejection = root.GetProperty("rejections")[0];
        Assert.Equal(11, rejection.GetProperty("line").GetInt32()); // tweet 12 spans lines 4 and 5
        Assert.Contains("broadcast", rejection.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var threads = root.GetProperty("threads");
        Assert.Equal((12, 5, 1, 1), (threads.GetProperty("tweets").GetInt32(), threads.GetProperty("threads").GetInt32(),
            threads.GetProperty("replies_before_parent").GetInt32(), threads.GetProperty("replies_without_parent").GetInt32()));

        var report = root.GetProperty("first_response").EnumerateArray().ToDictionary(r => r.GetProperty("queue").GetString()!);
        var a = report["BrandA"];
        Assert.Equal((4, 3), (a.GetProperty("customer_contacts").GetInt32(), a.GetProperty("answered").GetInt32()));
        Assert.Equal(300, a.GetProperty("median_seconds").GetDouble());
        Assert.Equal(1500, a.GetProperty("p90_seconds").GetDouble(), 6); // 90, 300, 1800: 300 + 0.8 × 1500
        Assert.Equal(1.0, a.GetProperty("share_within_sla").GetDouble());
        var b = report["BrandB"];
        Assert.Equal((2, 1, 3600.0, 1, 3600), (b.GetProperty("customer_contacts").GetInt32(), b.GetProperty("answered").GetInt32(),
            b.GetProperty("median_seconds").GetDouble(), b.GetProperty("within_sla").GetInt32(), b.GetProperty("sla_seconds").GetInt32()));

        Assert.True(again.ExitCode == 0, again.ToString());
        using var second = JsonDocument.Parse(again.Output);
        Assert.Equal((0, 11), (second.RootElement.GetProperty("imported").GetInt32(), second.RootElement.GetProperty("duplicates").GetInt32()));

        await using var db = database.CreateDb();
        var rows = await db.Interactions.AsNoTracking().Include(i => i.Customer).ThenInclude(c => c!.Identities).Include(i => i.Agent).Include(i => i.Case)
            .ToDictionaryAsync(i => i.ExternalId, Ct);
        Assert.Equal(11, rows.Count);
        Assert.All(rows.Values, i => Assert.Equal(Channel.Social, i.Channel));
        Assert.Equal(
            new Dictionary<string, int?> { ["twcs:10"] = 300, ["twcs:12"] = 1800, ["twcs:20"] = 3600, ["twcs:30"] = null, ["twcs:41"] = null, ["twcs:50"] = 90 },
            rows.Values.Where(i => i.Direction == Direction.Inbound).ToDictionary(i => i.ExternalId, i => i.FirstResponseSeconds));
        Assert.Equal(
            new Dictionary<string, string?> { ["twcs:10"] = "BrandA", ["twcs:12"] = "BrandA", ["twcs:20"] = "BrandB", ["twcs:30"] = "BrandA", ["twcs:41"] = "BrandB", ["twcs:50"] = "BrandA" },
            rows.Values.Where(i => i.Direction == Direction.Inbound).ToDictionary(i => i.ExternalId, i => i.Queue));

        // One case per conversation root and customer; brand replies belong to the customer they answer.
        string Case(string id) => rows[id].Case!.ExternalId;
        Assert.All(new[] { "twcs:10", "twcs:11", "twcs:12", "twcs:13" }, id => Assert.Equal("twcs:10", Case(id)));
        Assert.All(new[] { "twcs:20", "twcs:21", "twcs:22" }, id => Assert.Equal("twcs:20", Case(id)));
        Assert.Equal(("twcs:30", "twcs:40", "twcs:50", "twcs:50"), (Case("twcs:30"), Case("twcs:41"), Case("twcs:50"), Case("twcs:51")));
        Assert.Equal(4, rows["twcs:10"].Case!.ContactCount);
        Assert.Equal(300, rows["twcs:10"].Case!.FirstResponseSeconds);
        Assert.Equal(CaseStatus.Resolved, rows["twcs:10"].Case!.Status);
        Assert.Equal(CaseStatus.Open, rows["twcs:30"].Case!.Status);
        var reply = rows["twcs:11"];
        Assert.Equal((Direction.Outbound, "BrandA", "BrandA"), (reply.Direction, reply.Agent!.ExternalId, reply.Queue));
        Assert.Equal(rows["twcs:10"].CustomerId, reply.CustomerId);
        Assert.Contains(rows["twcs:10"].Customer!.Identities, x => x.Kind == Touchpoint.Customers.IdentityKind.Social && x.Value == "500");
        Assert.Equal(5, await db.Customers.CountAsync(Ct));
        Assert.Equal("@BrandA done,\nthanks", await db.Messages.Where(m => m.InteractionId == rows["twcs:12"].Id).Select(m => m.Text).SingleAsync(Ct));
        Assert.Equal([true, true, true, null, null, true], rows.Values.Where(i => i.Direction == Direction.Inbound).OrderBy(i => i.ExternalId, StringComparer.Ordinal).Select(i => i.SlaMet));
        // A brand's reply is not the customer contacting again; a conversation the customer opened once and the brand
        // answered is resolved on first contact, one where the customer had to write again (12) is not.
        Assert.Equal(["twcs:12"], rows.Values.Where(i => i.IsRepeat).Select(i => i.ExternalId));
        Assert.Equal(["twcs:20", "twcs:50"], rows.Values.Where(i => i.FirstContactResolved).Select(i => i.ExternalId).Order(StringComparer.Ordinal));
        Assert.Equal((false, true, true), (rows["twcs:10"].Case!.FirstContactResolved, rows["twcs:21"].Case!.FirstContactResolved, rows["twcs:51"].Case!.FirstContactResolved));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ImportTwcs_ALargerFileAfterASmallerOne_AnswersAndThreadsTheTweetsTheFirstStored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        const string Header = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n";
        // The first file has the customer's two tweets; the second also has what she replied to and the brand's answer.
        var head = folder.Write("head.csv", Header +
            "10,500,True,Mon Oct 30 10:00:00 +0000 2017,@BrandA my order is late,11,9\n" +
            "12,500,True,Mon Oct 30 10:20:00 +0000 2017,@BrandA hello?,,10\n");
        var whole = folder.Write("whole.csv", Header +
            "9,BrandA,False,Mon Oct 30 09:00:00 +0000 2017,@500 Your order ships today,10,\n" +
            "10,500,True,Mon Oct 30 10:00:00 +0000 2017,@BrandA my order is late,11,9\n" +
            "11,BrandA,False,Mon Oct 30 10:30:00 +0000 2017,@500 Sorry about that,,10\n" +
            "12,500,True,Mon Oct 30 10:20:00 +0000 2017,@BrandA hello?,,10\n");

        Assert.Equal(0, (await CliRunner.RunAsync(database, "import", "twcs", head, "--json")).ExitCode);
        var second = await CliRunner.RunAsync(database, "import", "twcs", whole, "--json");
        var third = await CliRunner.RunAsync(database, "import", "twcs", whole, "--json");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Updated 2 stored tweets", second.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Updated", third.Error, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(second.Output))
        {
            var brand = json.RootElement.GetProperty("first_response").EnumerateArray().Single();
            Assert.Equal(("BrandA", 2, 1, 1800.0), (brand.GetProperty("queue").GetString(), brand.GetProperty("customer_contacts").GetInt32(),
                brand.GetProperty("answered").GetInt32(), brand.GetProperty("median_seconds").GetDouble()));
        }
        await using var db = database.CreateDb();
        var rows = await db.Interactions.AsNoTracking().Include(i => i.Case).ToDictionaryAsync(i => i.ExternalId, Ct);
        Assert.Equal((1800, "BrandA", true), (rows["twcs:10"].FirstResponseSeconds, rows["twcs:10"].Queue, rows["twcs:10"].SlaMet));
        Assert.All(rows.Values, i => Assert.Equal("twcs:9", i.Case!.ExternalId));
        Assert.Equal(1, await db.Cases.CountAsync(Ct));
        Assert.Equal(4, rows["twcs:9"].Case!.ContactCount);
    }

    [Fact]
    public async Task ReportFirstResponse_PrintsTheBrandTable()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        using var folder = new TempFolder();
        Assert.Equal(0, (await CliRunner.RunAsync(database, "import", "twcs", folder.Write("twcs.csv", Sample), "--json")).ExitCode);

        var table = await CliRunner.RunAsync(database, "report", "first-response", "--channel", "social");
        var none = await CliRunner.RunAsync(database, "report", "first-response", "--channel", "phone", "--json");
        var before = await CliRunner.RunAsync(database, "report", "first-response", "--to", "2000-01-01", "--json");
        var since = await CliRunner.RunAsync(database, "report", "first-response", "--from", "2000-01-01", "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"BrandA\s+│ social\s+│\s+4 │\s+3 \(75 %\) │\s+5 min │\s+25 min │\s+60 min │ 100\.0 % ±28\.1 of 3 \(small\) │", table.Output);
        Assert.Matches(@"BrandB\s+│ social\s+│\s+2 │\s+1 \(50 %\) │\s+60 min │\s+60 min │\s+60 min │ 100\.0 % ±39\.7 of 1 \(small\) │", table.Output);
        Assert.Equal("[]", none.Output.Trim());
        // The date range (UTC days) reaches the same query as the web report.
        Assert.Equal("[]", before.Output.Trim());
        // The JSON carries what the table prints: the answered share and the within-SLA share's margin (3 of 3: 43.9-100 %).
        var brandA = JsonDocument.Parse(since.Output).RootElement.EnumerateArray().Single(r => r.GetProperty("queue").GetString() == "BrandA");
        Assert.Equal(0.75, brandA.GetProperty("answered_share").GetDouble());
        Assert.Equal(0.281, brandA.GetProperty("margin_of_error95").GetDouble(), 3);
    }

    /// <summary>The real data set's first 5,000 rows (../shared/data, not copied into the repository).</summary>
    [Fact]
    public void Threads_OfTheRealHead5000_MatchTheDataSetNotes()
    {
        var file = SharedData.Find("twcs/twcs_head5000.csv");

        var threads = TwcsThreads.Build(TwcsImport.ReadTweets(file), Ct);

        Assert.Equal(5000, threads.Tweets);
        Assert.Equal(6, threads.RepliesWithoutParent); // README: 3,688 of 3,694 reply parents are inside the file
        Assert.Equal(8, threads.RootOf(2)); // 2 → 1 → 3 → 4 → 5 → 6 → 8
        Assert.Equal(74, threads.FirstResponseSeconds(8)); // 21:45:10 → sprintcare's reply 6 at 21:46:24
        Assert.Equal(140, threads.FirstResponseSeconds(3)); // 22:08:27 → reply 1 at 22:10:47
        Assert.Null(threads.FirstResponseSeconds(2));
        Assert.Equal(0, threads.RepeatedIds);
    }
}

/// <summary>Finds the shared real data sets (../shared/data from the repository root) from the test's folder.</summary>
public static class SharedData
{
    public static string Find(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        Assert.Skip($"shared/data/{relative} is not present next to the repository.");
        return "";
    }
}
