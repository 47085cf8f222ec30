using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Customers;
using Touchpoint.Demo;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Server;

/// <summary>
/// The context API against the same answers worked out here from the stored rows alone, for every customer of a demo
/// data set with merged profiles and customers we only ever contacted.
/// </summary>
public sealed class ContextOracleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Context_OfEveryCustomer_IsWhatTheStoredRowsSay(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var clock = Ingest.Clock();
        var options = new InteractionOptions();
        await new DemoDataGenerator(database.Target, Options.Create(options), Options.Create(new CustomerOptions()), clock)
            .GenerateAsync(new DemoSize(Customers: 60, Agents: 6), cancellationToken: Ct);
        await using var host = new ServerHost(database, clock.GetUtcNow());
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var now = clock.GetUtcNow().UtcDateTime;

        // Contacts we made to people who never wrote, and replies after a customer's own contact.
        var outbound = await api.PostAsJsonAsync("/api/interactions/batch", new object[]
        {
            new { externalId = "out-1", customerEmail = "only-out@example.com", channel = "Email", direction = "Outbound", startedAt = now.AddDays(-2), outcome = "Unresolved" },
            new { externalId = "out-2", customerEmail = "only-out@example.com", channel = "Sms", direction = "Outbound", startedAt = now.AddDays(-1), outcome = "Resolved" },
            new { externalId = "mix-1", customerEmail = "mixed@example.com", channel = "Chat", direction = "Inbound", startedAt = now.AddDays(-3), reason = "billing", outcome = "Unresolved" },
            new { externalId = "mix-2", customerEmail = "mixed@example.com", channel = "Email", direction = "Outbound", startedAt = now.AddHours(-5), reason = "billing", outcome = "Resolved" },
        }, Ct);
        Assert.Equal(HttpStatusCode.OK, outbound.StatusCode);
        long[] ids;
        await using (var db = database.CreateDb())
        {
            ids = await db.Customers.OrderBy(c => c.Id).Select(c => c.Id).ToArrayAsync(Ct);
        }
        foreach (var (survivor, merged) in new[] { (ids[0], ids[1]), (ids[2], ids[3]), (ids[4], ids[2]) })
        {
            var merge = await api.PostAsJsonAsync($"/api/customers/{survivor}/merge", new { mergeCustomerId = merged }, Ct);
            Assert.True(merge.StatusCode == HttpStatusCode.OK, await merge.Content.ReadAsStringAsync(Ct));
        }

        var seen = new List<Expected>();
        foreach (var id in ids)
        {
            var context = await api.GetFromJsonAsync<JsonElement>($"/api/customers/{id}/context?recent=200", Ct);
            var expected = await ExpectedAsync(database, id, options, now);
            var flags = context.GetProperty("flags");
            var actual = new Expected(
                context.GetProperty("customer").GetProperty("id").GetInt64(),
                context.GetProperty("recentInteractions").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToList(),
                context.GetProperty("recentInteractions").EnumerateArray().Select(i => i.GetProperty("customerSaid").GetString()).ToList(),
                context.GetProperty("openCases").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToList(),
                flags.GetProperty("lastContactAt").ValueKind == JsonValueKind.Null ? null : flags.GetProperty("lastContactAt").GetDateTime(),
                flags.GetProperty("contactsLast7Days").GetInt32(), flags.GetProperty("contactsLast30Days").GetInt32(),
                flags.GetProperty("repeatContact").GetBoolean(), flags.GetProperty("channelSwitcher").GetBoolean(),
                flags.GetProperty("unresolvedLastContact").GetBoolean(), flags.GetProperty("openCases").GetInt32(),
                flags.GetProperty("slaMissedLast30Days").GetBoolean());
            Assert.Equal(expected with { Recent = [], Said = [], OpenCases = [] }, actual with { Recent = [], Said = [], OpenCases = [] }, (a, b) => a.ToString() == b.ToString());
            Assert.Equal(expected.OpenCases, actual.OpenCases);
            Assert.Equal(expected.Recent, actual.Recent);
            Assert.Equal(expected.Said, actual.Said);
            seen.Add(actual);
        }
        // The data set has every case the flags tell apart, so the comparison above means something.
        Assert.All(new Func<Expected, bool>[]
        {
            e => e.Repeat, e => !e.Repeat && e.Last30 > 0, e => e.ChannelSwitcher, e => e.Unresolved, e => e.OpenCount > 0, e => e.SlaMissed,
            e => e.LastContactAt is not null && e.Last30 == 0 && e.LastContactAt >= now.AddDays(-7), e => e.Recent.Count > 20,
            e => e.Said.Contains(null), e => e.Said.Any(x => x is not null),
        }, shows => Assert.Contains(seen, e => shows(e)));
        Assert.Equal(3, seen.Count(e => e.Survivor == ids[4]));
    }

    private sealed record Expected(long Survivor, List<long> Recent, List<string?> Said, List<long> OpenCases, DateTime? LastContactAt, int Last7, int Last30,
        bool Repeat, bool ChannelSwitcher, bool Unresolved, int OpenCount, bool SlaMissed);

    /// <summary>What the context should say of <paramref name="id"/>, from the rows: its survivor's contacts, cases and messages.</summary>
    private static async Task<Expected> ExpectedAsync(TestDatabase database, long id, InteractionOptions options, DateTime now)
    {
        await using var db = database.CreateDb();
        var survivor = id;
        while (await db.Customers.Where(c => c.Id == survivor).Select(c => c.MergedIntoId).SingleAsync(Ct) is { } into)
        {
            survivor = into;
        }
        var rows = (await db.Interactions.AsNoTracking().Where(i => i.CustomerId == survivor).ToListAsync(Ct))
            .OrderByDescending(i => i.StartedAt).ThenByDescending(i => i.Id).ToList();
        var recent = rows.Take(200).ToList();
        var recentIds = recent.Select(i => i.Id).ToList();
        var messages = await db.Messages.AsNoTracking().Where(m => recentIds.Contains(m.InteractionId)).ToListAsync(Ct);
        var said = recent.Select(i => messages.Where(m => m.InteractionId == i.Id && m.Author == MessageAuthor.Customer).OrderBy(m => m.Sequence)
            .Select(m => m.Text).FirstOrDefault() is { } text ? Cut(text) : null).ToList();
        var openCases = (await db.Cases.AsNoTracking().Where(c => c.CustomerId == survivor).ToListAsync(Ct))
            .Where(c => options.CaseStatusAt(c.Status, c.LastContactAt, now) == CaseStatus.Open).OrderByDescending(c => c.LastContactAt).ToList();

        var latest = rows.FirstOrDefault();
        var inbound = rows.Where(i => i.Direction == Direction.Inbound).ToList();
        var latestInbound = inbound.FirstOrDefault();
        var repeat = latestInbound is not null && latestInbound.StartedAt >= now - options.RepeatWindow
            && (latestInbound.IsRepeat || inbound.Any(i => i.StartedAt < latestInbound.StartedAt && latestInbound.StartedAt - i.StartedAt <= options.RepeatWindow));
        return new Expected(survivor, recentIds, said, openCases.Select(c => c.Id).ToList(), latest?.StartedAt,
            inbound.Count(i => i.StartedAt >= now.AddDays(-7)), inbound.Count(i => i.StartedAt >= now.AddDays(-30)),
            repeat, openCases.Any(c => c.ChannelSwitches > 0) || latest?.ChannelSwitch == true,
            latest is not null && latest.Outcome != Outcome.Resolved && latest.StartedAt >= now - options.CaseCloseAfter,
            openCases.Count, inbound.Any(i => i.StartedAt >= now.AddDays(-30) && i.SlaMet == false));
    }

    private static string Cut(string text) => text.Length <= 280 ? text : StoredText.Cut(text, 279) + "…";
}
