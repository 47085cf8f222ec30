using System.Net;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Web;

/// <summary>The 360 page once a case has gone 30 days without a contact.</summary>
public sealed class ClosedCasePagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Customer360_OneCaseClosedUnresolved_SaysSoInTheSingular(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        // 45 days after Ada's refund case was last contacted.
        await using var host = new ServerHost(database, WebSeed.Now.AddDays(36));
        using var client = await host.SignedInClientAsync();

        using var response = await client.GetAsync($"/customers/{seed.Ada}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<p class=\"muted\" id=\"closed-unresolved\">1 earlier case closed unresolved (30 days without a contact).</p>", page, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task CloseWindowSetting_IsWhatThePagesSay(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        // At WebSeed.Now the refund case's last contact is 9 days old: open by default, closed with a one-day window.
        await using var host = new ServerHost(database, WebSeed.Now, new Dictionary<string, string?> { ["Interactions:CloseCasesAfterDays"] = "1" });
        using var client = await host.SignedInClientAsync();

        var customer = await client.GetStringAsync($"/customers/{seed.Ada}", Ct);
        var interaction = await client.GetStringAsync($"/interactions/{seed.AdaChatContact}", Ct);

        Assert.Contains("<p class=\"muted\" id=\"closed-unresolved\">1 earlier case closed unresolved (1 day without a contact).</p>", customer, StringComparison.Ordinal);
        Assert.Contains("none: closed after 1 day without a contact", interaction, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Customer360_OneContactInTheLastSevenDays_SaysSoInTheSingular(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        // Ada's contacts: T0, T0 + 10 and T0 + 11 days; six days and an hour after the last, one is within 7 days and all three within 30.
        await using var host = new ServerHost(database, new DateTimeOffset(Ingest.T0.AddDays(17).AddHours(1)));
        using var client = await host.SignedInClientAsync();

        var page = await client.GetStringAsync($"/customers/{seed.Ada}", Ct);

        Assert.Contains("1 contact in 7 days, 3 in 30 days", System.Text.RegularExpressions.Regex.Match(page, "[^>]*in 7 days[^<]*").Value, StringComparison.Ordinal);
    }
}
