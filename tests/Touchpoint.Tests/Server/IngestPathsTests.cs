using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Tests.Cli;
using Touchpoint.Tests.Infrastructure;
using Touchpoint.Tests.Interactions;

namespace Touchpoint.Tests.Server;

/// <summary>The same contacts through every way in (API one at a time, API batch, CLI file) end with the same cases and flags.</summary>
public sealed class IngestPathsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Row(string Id, string Handle, string Channel, string Direction, DateTimeOffset At, string? Reason, string Outcome, int? FirstResponse, string? Case);

    // Times with offsets and equal instants, an earlier contact sent after later ones, replies, a source case id.
    private static readonly Row[] Rows =
    [
        new("p-2", "ada", "Email", "Inbound", new(2026, 3, 4, 11, 0, 0, TimeSpan.FromHours(2)), "billing", "Resolved", 86_400, null),
        new("p-1", "ada", "Phone", "Inbound", new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero), "billing", "Unresolved", 20, null),
        new("p-3", "ada", "Email", "Outbound", new(2026, 3, 4, 4, 0, 0, TimeSpan.FromHours(-5)), "billing", "Resolved", null, null),
        new("p-4", "ada", "Chat", "Inbound", new(2026, 3, 11, 9, 0, 0, TimeSpan.Zero), "billing", "Resolved", 61, null),
        new("s-1", "bob", "Social", "Inbound", new(2026, 3, 5, 10, 0, 0, TimeSpan.Zero), null, "Unresolved", 3600, "thread-1"),
        new("s-2", "bob", "Social", "Outbound", new(2026, 3, 5, 11, 0, 0, TimeSpan.Zero), null, "Resolved", null, "thread-1"),
        new("s-3", "bob", "Social", "Inbound", new(2026, 3, 5, 11, 0, 0, TimeSpan.Zero), null, "Resolved", 3601, "thread-1"),
    ];

    private static object Api(Row r) => new
    {
        externalId = r.Id, customerSocialHandle = r.Handle, channel = r.Channel, direction = r.Direction, startedAt = r.At.ToString("O"),
        reason = r.Reason, outcome = r.Outcome, firstResponseSeconds = r.FirstResponse, caseExternalId = r.Case,
    };

    private static string JsonLine(Row r) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["external_id"] = r.Id, ["customer_social_handle"] = r.Handle, ["channel"] = r.Channel, ["direction"] = r.Direction, ["started_at"] = r.At.ToString("O"),
        ["reason"] = r.Reason, ["outcome"] = r.Outcome, ["first_response_seconds"] = r.FirstResponse, ["case_external_id"] = r.Case,
    });

    [Theory, ClassData(typeof(Providers))]
    public async Task SameContacts_ThroughApiSingle_ApiBatch_AndCli_DeriveTheSame(DatabaseProvider provider)
    {
        await using var single = await TestDatabase.CreateAsync(provider);
        await using var batch = await TestDatabase.CreateAsync(provider);
        await using var cli = await TestDatabase.CreateAsync(provider);
        await using (var host = new ServerHost(single))
        {
            using var api = host.WithApiKey(await host.IssueApiKeyAsync());
            foreach (var row in Rows)
            {
                Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/interactions", Api(row), Ct)).StatusCode);
            }
        }
        await using (var host = new ServerHost(batch))
        {
            using var api = host.WithApiKey(await host.IssueApiKeyAsync());
            var answer = await api.PostAsJsonAsync("/api/interactions/batch", Rows.Select(Api), Ct);
            Assert.Equal(7, (await answer.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("imported").GetInt32());
        }
        using var folder = new TempFolder();
        var imported = await CliRunner.RunAsync(cli, "import", "interactions", folder.Write("rows.jsonl", string.Join('\n', Rows.Select(JsonLine))), "--json");
        Assert.True(imported.ExitCode == 0, imported.ToString());

        var expected = await InteractionIngestorTests.DerivedStateAsync(batch);
        foreach (var other in new[] { single, cli })
        {
            var actual = await InteractionIngestorTests.DerivedStateAsync(other);
            Assert.Equal(expected.Interactions, actual.Interactions);
            Assert.Equal(expected.Cases, actual.Cases);
        }
        // p-2 (11:00+02:00) is 09:00 UTC, two days after p-1: a repeat on another channel; p-3 (04:00-05:00, the same instant) is
        // our reply; p-4 is 7 days after p-2. SLA targets met exactly (p-2, s-1) count as met, a second over (p-4 61 s, s-3) not.
        Assert.Contains("p-2 1 auto:p-1 True False True True", expected.Interactions); // 86,400 s: the email target exactly
        Assert.Contains("p-3 1 auto:p-1 False False False ", expected.Interactions);
        Assert.Contains("p-4 1 auto:p-1 True False True False", expected.Interactions);
        Assert.Contains("s-1 2 thread-1 False False False True", expected.Interactions);
        Assert.Contains("s-3 2 thread-1 True False False False", expected.Interactions);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task SameContacts_FromACliImportAndApiBatchesAtOnce_AreStoredOnce_AndDerivedAsARecomputeWould(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        // One file imported while six API batches send the same 600 contacts: each stored once, none a 500, the counts adding up.
        await using var host = new ServerHost(database, Touchpoint.Tests.Web.WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        using var folder = new TempFolder();
        var t0 = new DateTime(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc);
        string Row(int n) => $"x-{n},c-{n % 17},{(n % 3 == 0 ? "chat" : "email")},{t0.AddHours(n):O},{(n % 5 == 0 ? "billing" : "login")}";
        var file = folder.Write("i.csv", "external_id,customer_external_id,channel,started_at,reason\n" + string.Join("\n", Enumerable.Range(0, 600).Select(Row)) + "\n");
        var cli = Task.Run(() => CliRunner.RunAsync(database, "import", "interactions", file, "--json", "--batch-size", "50"), Ct);
        var batches = Enumerable.Range(0, 6).Select(b => api.PostAsJsonAsync("/api/interactions/batch",
            Enumerable.Range(0, 600).Where(n => n % 6 == b).Select(n => new { externalId = $"x-{n}", customerExternalId = $"c-{n % 17}", channel = n % 3 == 0 ? "chat" : "email",
                startedAt = t0.AddHours(n), reason = n % 5 == 0 ? "billing" : "login" }).ToArray(), Ct)).ToList();
        var responses = await Task.WhenAll(batches);
        var result = await cli;
        Assert.True(result.ExitCode == 0, result.ToString());
        long imported = JsonDocument.Parse(result.Output).RootElement.GetProperty("imported").GetInt64();
        foreach (var r in responses)
        {
            var body = await r.Content.ReadAsStringAsync(Ct);
            Assert.True(r.StatusCode == HttpStatusCode.OK, body);
            imported += JsonDocument.Parse(body).RootElement.GetProperty("imported").GetInt64();
        }
        Assert.Equal(600, imported);
        await using var db = database.CreateDb();
        Assert.Equal(600, await db.Interactions.CountAsync(Ct));
        Assert.Equal(0, await db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS \"Value\" FROM pending_derivations").SingleAsync(Ct));
        var before = await db.Interactions.AsNoTracking().OrderBy(i => i.ExternalId).Select(i => i.ExternalId + i.CaseId + i.IsRepeat + i.FirstContactResolved + i.ChannelSwitch + i.SlaMet).ToListAsync(Ct);
        var recompute = await CliRunner.RunAsync(database, "recompute");
        Assert.True(recompute.ExitCode == 0, recompute.ToString());
        await using var db2 = database.CreateDb();
        var after = await db2.Interactions.AsNoTracking().OrderBy(i => i.ExternalId).Select(i => i.ExternalId + i.CaseId + i.IsRepeat + i.FirstContactResolved + i.ChannelSwitch + i.SlaMet).ToListAsync(Ct);
        Assert.Equal(before, after);
    }
}
