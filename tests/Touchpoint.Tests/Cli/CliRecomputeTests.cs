using Microsoft.EntityFrameworkCore;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using static Touchpoint.Tests.Infrastructure.Ingest;

namespace Touchpoint.Tests.Cli;

public sealed class CliRecomputeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Recompute_DerivesSpoiledFactsAndCasesAgain_ForEveryoneOrTheNamedCustomers(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var rows = Enumerable.Range(0, 40).Select(n => Contact($"i{n}", $"c{n % 2}", (Channel)(n % 3), T0.AddDays(n), n % 3 == 0 ? "billing" : "outage",
            n % 4 == 0 ? Outcome.Unresolved : Outcome.Resolved)).ToList();
        await InteractionsAsync(database, rows);
        var derived = await FactsAsync(database);

        // What a failed run or a hand edit could leave: flags off and every contact in one case.
        await SpoilAsync(database);
        Assert.NotEqual(derived, await FactsAsync(database));
        var one = await CliRunner.RunAsync(database, "recompute", "--customer", "c0");
        Assert.True(one.ExitCode == 0, one.ToString());
        var afterOne = await FactsAsync(database);
        Assert.Equal(derived.Where(f => f.Customer == "c0"), afterOne.Where(f => f.Customer == "c0"));
        Assert.NotEqual(derived.Where(f => f.Customer == "c1"), afterOne.Where(f => f.Customer == "c1"));

        await SpoilAsync(database);
        var all = await CliRunner.RunAsync(database, "recompute");
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Contains("Recomputed 2 customers", all.Output, StringComparison.Ordinal);
        Assert.Equal(derived, await FactsAsync(database));

        var unknown = await CliRunner.RunAsync(database, "recompute", "--customer", "c0", "--customer", "nobody");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("1 of the named customers do not exist", unknown.Error, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task RecomputePhoneKeys_RekeysNumbersStoredAsBareDigits_SoAContactWrittenTheUsualWayFindsThem(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(database,
            new Touchpoint.Customers.CustomerInput { ExternalId = "ann", Name = "Ann", Phone = "+1 415 555 2671" },
            new Touchpoint.Customers.CustomerInput { ExternalId = "bob", Name = "Bob", Phone = "+1 650 555 0199" },
            new Touchpoint.Customers.CustomerInput { ExternalId = "cy", Name = "Cy", Phone = "+1 212 555 0100" });
        // What an older version stored for Ann and Bob: bare digits. Bob's reads as the number Cy holds.
        await using (var db = database.CreateDb())
        {
            await db.Database.ExecuteSqlAsync($"UPDATE customer_identities SET value = '4155552671' WHERE value = '+14155552671'", Ct);
            await db.Database.ExecuteSqlAsync($"UPDATE customer_identities SET value = '2125550100' WHERE value = '+16505550199'", Ct);
        }

        // Every run re-keys numbers stored without a country code before it starts; the command does the others too.
        var first = await CliRunner.RunAsync(database, "recompute", "--phone-keys");
        var again = await CliRunner.RunAsync(database, "recompute", "--phone-keys");
        await InteractionsAsync(database, [Contact("call", "x", Channel.Phone, T0) with { CustomerExternalId = null, CustomerPhone = "(415) 555-2671" }]);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("Phone numbers stored without a country code, read in US: 1 re-keyed, 1 left as they were", first.Error, StringComparison.Ordinal);
        Assert.Contains("Read 3 phone numbers (US): 0 re-keyed, 1 left as they were", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Phone numbers stored", again.Error, StringComparison.Ordinal);
        Assert.Contains("0 re-keyed, 1 left as they were", again.Output, StringComparison.Ordinal);
        await using var check = database.CreateDb();
        Assert.Equal(
            [("ann", "+14155552671"), ("bob", "2125550100"), ("cy", "+12125550100")],
            (await check.CustomerIdentities.Where(i => i.Kind == Touchpoint.Customers.IdentityKind.Phone)
                .Select(i => new { Customer = check.Customers.Where(c => c.Id == i.CustomerId).Select(c => c.ExternalId).Single(), i.Value }).ToListAsync(Ct))
                .Select(i => (i.Customer, i.Value)).Order());
        Assert.Equal("ann", await check.Interactions.Select(i => i.Customer!.ExternalId).SingleAsync(Ct));
        Assert.Equal(3, await check.Customers.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task RecomputePending_AndTheNextImport_DeriveOnlyTheCustomersAFailedImportLeftMarked(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var rows = Enumerable.Range(0, 40).Select(n => Contact($"i{n}", $"c{n % 2}", (Channel)(n % 3), T0.AddDays(n), n % 3 == 0 ? "billing" : "outage",
            n % 4 == 0 ? Outcome.Unresolved : Outcome.Resolved)).ToList();
        await InteractionsAsync(database, rows);
        var derived = await FactsAsync(database);

        // What an import that failed before its end leaves: customers written without being derived, and marked so.
        await SpoilAsync(database);
        await MarkPendingAsync(database, "c1", T0);
        var pending = await CliRunner.RunAsync(database, "recompute", "--pending");
        Assert.True(pending.ExitCode == 0, pending.ToString());
        Assert.Contains("Recomputed 1 pending customers", pending.Output, StringComparison.Ordinal);
        var after = await FactsAsync(database);
        Assert.Equal(derived.Where(f => f.Customer == "c1"), after.Where(f => f.Customer == "c1"));
        Assert.NotEqual(derived.Where(f => f.Customer == "c0"), after.Where(f => f.Customer == "c0"));

        // The next import (here of a row for someone else) derives what is still marked, and says so on the error stream.
        await MarkPendingAsync(database, "c0", T0);
        var file = folder.Write("more.csv", "external_id,customer_external_id,channel,started_at\nx1,c9,phone,2026-03-02T09:00:00Z\n");
        var import = await CliRunner.RunAsync(database, "import", "interactions", file, "--json");
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains("Derived 1 customers an earlier import had written without deriving.", import.Error, StringComparison.Ordinal);
        Assert.Equal(derived, (await FactsAsync(database)).Where(f => f.Customer != "c9"));
        Assert.Contains("Recomputed 0 pending customers", (await CliRunner.RunAsync(database, "recompute", "--pending")).Output, StringComparison.Ordinal);
    }

    private sealed record Fact(string Customer, string Interaction, string Case, bool IsRepeat, bool FirstContactResolved, bool ChannelSwitch);

    private static async Task<List<Fact>> FactsAsync(TestDatabase database)
    {
        await using var db = database.CreateDb();
        return await db.Interactions.AsNoTracking().OrderBy(i => i.ExternalId)
            .Select(i => new Fact(i.Customer!.ExternalId, i.ExternalId, i.Case!.ExternalId, i.IsRepeat, i.FirstContactResolved, i.ChannelSwitch))
            .ToListAsync(Ct);
    }

    private static async Task SpoilAsync(TestDatabase database)
    {
        await using var db = database.CreateDb();
        var firstCase = await db.Cases.OrderBy(c => c.Id).Select(c => new { c.Id, c.CustomerId }).FirstAsync(Ct);
        await db.Interactions.ExecuteUpdateAsync(s => s.SetProperty(i => i.IsRepeat, false).SetProperty(i => i.FirstContactResolved, true), Ct);
        await db.Interactions.Where(i => i.CustomerId == firstCase.CustomerId).ExecuteUpdateAsync(s => s.SetProperty(i => i.CaseId, firstCase.Id), Ct);
    }
}
