using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using Touchpoint.Tests.Web;

namespace Touchpoint.Tests.Cli;

/// <summary>An export taken after a merge, imported into an empty database.</summary>
public sealed class CliExportMergeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task ExportThenImport_AfterAMerge_KeepsOneProfile_AndTheMergedEmailFindsTheSurvivor(DatabaseProvider provider)
    {
        await using var source = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(source);
        await using (var host = new ServerHost(source, WebSeed.Now))
        {
            using var api = host.WithApiKey(await host.IssueApiKeyAsync());
            var merge = await api.PostAsJsonAsync($"/api/customers/{seed.Ada}/merge", new { mergeCustomerId = seed.Bob }, Ct);
            Assert.Equal(HttpStatusCode.OK, merge.StatusCode);
        }
        using var folder = new TempFolder();
        var customers = folder.File("customers.jsonl");
        var interactions = folder.File("interactions.jsonl");
        Assert.Equal(0, (await CliRunner.RunAsync(source, "export", "customers", "--out", customers)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(source, "export", "interactions", "--out", interactions)).ExitCode);

        await using var target = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await CliRunner.RunAsync(target, "import", "customers", customers)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(target, "import", "interactions", interactions)).ExitCode);

        await using var before = source.CreateDb();
        await using var after = target.CreateDb();
        // Ada and Cleo are the live profiles; Bob is an alias of Ada.
        Assert.Equal(
            await before.Customers.Where(c => c.MergedIntoId == null).OrderBy(c => c.ExternalId).Select(c => c.ExternalId).ToListAsync(Ct),
            await after.Customers.Where(c => c.MergedIntoId == null).OrderBy(c => c.ExternalId).Select(c => c.ExternalId).ToListAsync(Ct));
        // Bob's email, an identity of Ada's since the merge, still finds the profile holding his history.
        var owner = await after.CustomerIdentities.Where(i => i.Value == "bob@example.com").Select(i => i.CustomerId).SingleAsync(Ct);
        Assert.Equal(4, await after.Interactions.CountAsync(i => i.CustomerId == owner, Ct));
    }
}
