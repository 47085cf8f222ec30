using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using Touchpoint.Tests.Web;

namespace Touchpoint.Tests.Server;

/// <summary>The first-response report through the API: the page's figures, with sample sizes and margins, for integrators.</summary>
public sealed class ReportsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<JsonElement> Rows(JsonElement report) => report.GetProperty("rows").EnumerateArray().ToList();

    [Theory, ClassData(typeof(Providers))]
    public async Task FirstResponse_PerQueueAndChannel_WithSampleSizesMarginsAndSmallSamplesFlagged(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await ReportPagesTests.SeedAsync(database);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var report = await api.GetFromJsonAsync<JsonElement>("/api/reports/first-response", Ct);

        Assert.Equal(30, report.GetProperty("smallSampleBelow").GetInt32());
        var rows = Rows(report);
        Assert.Equal(["billing/Phone", "tech/Chat"], rows.Select(r => $"{r.GetProperty("queue")}/{r.GetProperty("channel")}"));
        var billing = rows[0];
        // 36 inbound calls, 35 answered in 1..35 s: median 18 s, p90 31.6 s; 20 of 35 within the phone SLA of 20 s,
        // 57.1 % with the Wilson interval 40.9–72.0 % (±15.6 points), as the page shows.
        Assert.Equal(36, billing.GetProperty("customerContacts").GetInt64());
        Assert.Equal(35, billing.GetProperty("answered").GetInt64());
        Assert.Equal(35.0 / 36, billing.GetProperty("answeredShare").GetDouble(), 9);
        Assert.Equal(18, billing.GetProperty("medianSeconds").GetDouble());
        Assert.Equal(31.6, billing.GetProperty("p90Seconds").GetDouble(), 9);
        Assert.Equal(20, billing.GetProperty("slaSeconds").GetInt32());
        Assert.Equal(20, billing.GetProperty("withinSla").GetInt64());
        Assert.Equal(20.0 / 35, billing.GetProperty("shareWithinSla").GetDouble(), 9);
        Assert.Equal(0.409, billing.GetProperty("shareWithinSlaLow95").GetDouble(), 3);
        Assert.Equal(0.720, billing.GetProperty("shareWithinSlaHigh95").GetDouble(), 3);
        Assert.Equal(0.156, billing.GetProperty("marginOfError95").GetDouble(), 3);
        Assert.False(billing.GetProperty("smallSample").GetBoolean());
        // Five chats answered in 1..5 minutes, one within the chat SLA of 60 s: a small sample, flagged, not hidden.
        var tech = rows[1];
        Assert.Equal(5, tech.GetProperty("answered").GetInt64());
        Assert.Equal(180, tech.GetProperty("medianSeconds").GetDouble());
        Assert.Equal(1, tech.GetProperty("withinSla").GetInt64());
        Assert.True(tech.GetProperty("smallSample").GetBoolean());
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task FirstResponse_Filters_AndAnswersAProblemForAnUnreadableFilter_AndRequiresCredentials(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await ReportPagesTests.SeedAsync(database);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        async Task<List<string>> QueuesAsync(string query) =>
            Rows(await api.GetFromJsonAsync<JsonElement>($"/api/reports/first-response?{query}", Ct))
                .Select(r => $"{r.GetProperty("queue")}/{r.GetProperty("channel")}/{r.GetProperty("answered")}").ToList();

        Assert.Equal(["tech/Chat/5"], await QueuesAsync("channel=chat"));
        // A channel in the spellings an import file takes.
        Assert.Equal(["billing/Phone/35"], await QueuesAsync("channel=voice"));
        Assert.Equal(["tech/Chat/5"], await QueuesAsync("from=2026-04-01"));
        // T0 is 2026-03-02 09:00: the last day counts up to midnight, so hours 1..14 of the billing calls.
        Assert.Equal(["billing/Phone/14"], await QueuesAsync("to=2026-03-02"));
        Assert.Empty(await QueuesAsync("channel=sms"));
        Assert.Empty(await QueuesAsync("casePrefix=twcs:"));

        foreach (var (query, field) in new[] { ("channel=fax", "channel"), ("from=2026-02-30", "from") })
        {
            var response = await api.GetAsync($"/api/reports/first-response?{query}", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }

        using var anonymous = host.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/reports/first-response", Ct)).StatusCode);
    }
}
