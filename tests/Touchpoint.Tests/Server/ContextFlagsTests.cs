using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Server;

/// <summary>The context's flags when the latest contact is ours (a reply, a callback), not the customer's.</summary>
public sealed class ContextFlagsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Tweet(string id, string direction, DateTime at, string caseId) => new
    {
        externalId = id, customerSocialHandle = "@ada", channel = "Social", direction, startedAt = at, caseExternalId = caseId,
        outcome = direction == "Inbound" ? "Unresolved" : "Resolved",
    };

    [Theory, ClassData(typeof(Providers))]
    public async Task RepeatContact_IsAboutTheCustomersOwnContacts_NotOurReplyToTheirFirst(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var now = new DateTimeOffset(2026, 5, 22, 12, 0, 0, TimeSpan.Zero);
        await using var host = new ServerHost(database, now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var t = now.UtcDateTime;

        // She tweets once and the brand answers: no repeat contact.
        var first = await api.PostAsJsonAsync("/api/interactions/batch", new[] { Tweet("t-1", "Inbound", t.AddHours(-3), "thread-1"), Tweet("t-2", "Outbound", t.AddHours(-2), "thread-1") }, Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var once = (await api.GetFromJsonAsync<JsonElement>("/api/context?handle=ada", Ct)).GetProperty("flags");
        Assert.False(once.GetProperty("repeatContact").GetBoolean());

        // She writes again, and is answered again: now she is a repeat contact, whoever spoke last.
        await api.PostAsJsonAsync("/api/interactions/batch", new[] { Tweet("t-3", "Inbound", t.AddHours(-1), "thread-1"), Tweet("t-4", "Outbound", t.AddMinutes(-30), "thread-1") }, Ct);
        var twice = (await api.GetFromJsonAsync<JsonElement>("/api/context?handle=ada", Ct)).GetProperty("flags");
        Assert.True(twice.GetProperty("repeatContact").GetBoolean());
    }
}
