using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using static Touchpoint.Tests.Infrastructure.Ingest;

namespace Touchpoint.Tests.Web;

/// <summary>The first-response report page through the real server.</summary>
public sealed partial class ReportPagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// "billing": 35 answered phone calls in March (1..35 s: median 18 s, p90 31.6 s, 20 within the 20 s SLA) and one
    /// unanswered; "tech": 5 chats in April (a small sample), one outbound contact that the report ignores.
    /// </summary>
    internal static async Task SeedAsync(TestDatabase database)
    {
        var contacts = new List<InteractionInput>();
        for (var n = 1; n <= 35; n++)
        {
            contacts.Add(Contact($"bill-{n}", $"c-{n % 7}", Channel.Phone, T0.AddHours(n), "billing", firstResponse: n) with { Queue = "billing" });
        }
        contacts.Add(Contact("bill-unanswered", "c-1", Channel.Phone, T0.AddHours(40), "billing") with { Queue = "billing" });
        for (var n = 1; n <= 5; n++)
        {
            contacts.Add(Contact($"tech-{n}", $"c-{n}", Channel.Chat, T0.AddDays(40).AddHours(n), "wifi", firstResponse: 60 * n) with { Queue = "tech" });
        }
        contacts.Add(Contact("tech-out", "c-1", Channel.Chat, T0.AddDays(40), "wifi", firstResponse: 1) with { Queue = "tech", Direction = Direction.Outbound });
        await InteractionsAsync(database, contacts);
    }

    private static async Task<string> GetPageAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: expected 200, got {(int)response.StatusCode}: {body}");
        return body;
    }

    private static List<(string Queue, string Channel, int Answered, bool Small)> Rows(string html) =>
        ReportRow().Matches(html).Select(m => (m.Groups[1].Value, m.Groups[2].Value,
            int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[4].Success)).ToList();

    [GeneratedRegex("<tr data-queue=\"([^\"]+)\" data-channel=\"([a-z-]+)\" data-answered=\"(\\d+)\"( class=\"small-sample\")?>")]
    private static partial Regex ReportRow();

    [Theory, ClassData(typeof(Providers))]
    public async Task FirstResponse_PerQueueAndChannel_WithSampleSizes_SmallSamplesFlagged_AndAChart(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await SeedAsync(database);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        var page = await GetPageAsync(client, "/reports/first-response");

        Assert.Equal([("billing", "phone", 35, false), ("tech", "chat", 5, true)], Rows(page));
        var billing = Regex.Match(page, "<tr data-queue=\"billing\".*?</tr>", RegexOptions.Singleline).Value;
        // Median 18 s and p90 31.6 s (32 s shown) over n=35; 20 of 35 within the phone SLA of 20 s.
        Assert.Contains("data-median=\"18\">18s <span class=\"n\">n=35</span>", billing, StringComparison.Ordinal);
        Assert.Contains("32s <span class=\"n\">n=35</span>", billing, StringComparison.Ordinal);
        Assert.Contains("<span class=\"n\">20/35</span>", billing, StringComparison.Ordinal);
        // 57.1 % within SLA, ±15.6 points at 95 % (Wilson interval 40.9–72.0 %).
        Assert.Contains("57.1%", billing, StringComparison.Ordinal);
        Assert.Contains("±15.6</span>", billing, StringComparison.Ordinal);
        Assert.Contains("id=\"small-samples\"", page, StringComparison.Ordinal);

        // The chart: median and p90 per queue, in minutes, each bar naming its sample size.
        var json = Regex.Match(page, "id=\"first-response-chart\">.*?data-chart=\"([^\"]+)\"", RegexOptions.Singleline);
        Assert.True(json.Success, page);
        var data = JsonDocument.Parse(WebUtility.HtmlDecode(json.Groups[1].Value)).RootElement.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, data.Count);
        Assert.Equal(["billing · Phone (n=35)", "tech · Chat (n=5)"], data[0].GetProperty("x").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal([0.3, 3.0], data[0].GetProperty("y").EnumerateArray().Select(y => y.GetDouble()));
        Assert.Contains($"<script src=\"{Touchpoint.Server.Platform.BarChart.PlotlyScript}\"", page, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task FirstResponse_Chart_OfSecondsBesideHours_IsDrawnOnALogAxisTickedInWholeUnits(DatabaseProvider provider)
    {
        // In minutes on a linear axis, phone queues answered in 18 s stood beside email answered in 4 h as empty bars.
        await using var database = await TestDatabase.CreateAsync(provider);
        await SeedAsync(database);
        await InteractionsAsync(database, [.. Enumerable.Range(1, 3).Select(n =>
            Contact($"mail-{n}", $"c-{n}", Channel.Email, T0.AddDays(2).AddHours(n), "billing", firstResponse: 4 * 3600) with { Queue = "billing" })]);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        var page = await GetPageAsync(client, "/reports/first-response");

        var json = Regex.Match(page, "id=\"first-response-chart\">.*?data-chart=\"([^\"]+)\"", RegexOptions.Singleline);
        var figure = JsonDocument.Parse(WebUtility.HtmlDecode(json.Groups[1].Value)).RootElement;
        var axis = figure.GetProperty("layout").GetProperty("yaxis");
        Assert.Equal("log", axis.GetProperty("type").GetString());
        Assert.Equal("first response (log scale)", axis.GetProperty("title").GetProperty("text").GetString());
        // Ticks up to ten times the longest bar (p90 4 h), each in its largest unit.
        Assert.Equal(["1s", "10s", "1m", "10m", "1h", "1d"], axis.GetProperty("ticktext").EnumerateArray().Select(t => t.GetString()));
        var median = figure.GetProperty("data")[0];
        Assert.Equal(["billing · Phone (n=35)", "tech · Chat (n=5)", "billing · Email (n=3)"], median.GetProperty("x").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal([18.0, 180.0, 14_400.0], median.GetProperty("y").EnumerateArray().Select(y => y.GetDouble()));
        Assert.Equal(["18s", "3m 00s", "4h 00m"], median.GetProperty("text").EnumerateArray().Select(y => y.GetString()));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task FirstResponse_FiltersByChannelAndDateRange(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await SeedAsync(database);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        Assert.Equal([("tech", "chat", 5, true)], Rows(await GetPageAsync(client, "/reports/first-response?channel=Chat")));
        Assert.Equal([("tech", "chat", 5, true)], Rows(await GetPageAsync(client, "/reports/first-response?from=2026-04-01")));
        // T0 is 2026-03-02 09:00; the last day is included up to midnight: hours 1..14 fall on March 2, hour 15 is March 3 00:00.
        Assert.Equal([("billing", "phone", 14, true)], Rows(await GetPageAsync(client, "/reports/first-response?to=2026-03-02")));
        var none = await GetPageAsync(client, "/reports/first-response?channel=Sms");
        Assert.Empty(Rows(none));
        Assert.Contains("id=\"report-empty\"", none, StringComparison.Ordinal);
        // A range typed the wrong way round says so, where it said only that nothing matched.
        var reversed = await GetPageAsync(client, "/reports/first-response?from=2026-04-01&to=2026-03-01");
        Assert.Empty(Rows(reversed));
        Assert.Contains("<span data-field=\"to\">The &#x27;To&#x27; date is before the &#x27;From&#x27; date.</span>", reversed, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task FirstResponse_RequiresSignIn_AndIsInTheNavigation(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var anonymous = host.Browser();
        using var response = await anonymous.GetAsync("/reports/first-response", Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", response.Headers.Location?.AbsolutePath);

        using var client = await host.SignedInClientAsync();
        var page = await GetPageAsync(client, "/customers");
        Assert.Contains("<a href=\"/reports/first-response\"", page, StringComparison.Ordinal);
        Assert.Contains("id=\"report-empty\"", await GetPageAsync(client, "/reports/first-response"), StringComparison.Ordinal);
    }
}
