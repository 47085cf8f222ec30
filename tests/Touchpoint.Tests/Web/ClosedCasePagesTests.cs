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
}
