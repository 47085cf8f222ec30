using Microsoft.EntityFrameworkCore;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using static Touchpoint.Tests.Infrastructure.Ingest;

namespace Touchpoint.Tests.Server;

/// <summary>The server's job that derives what a failed import left written but underived.</summary>
public sealed class PendingDerivationsRepairTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Server_DerivesOldMarksAtStartAndOnItsInterval_AndLeavesRecentOnesToTheImportThatMadeThem(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await InteractionsAsync(database, Enumerable.Range(0, 30).Select(n => Contact($"i{n}", $"c{n % 3}", (Channel)(n % 3), T0.AddDays(n),
            n % 2 == 0 ? "billing" : "outage", n % 4 == 0 ? Outcome.Unresolved : Outcome.Resolved)));
        var derived = await FactsAsync(database);
        // As an import that failed before its end leaves them: written without being derived, and marked. The server's
        // clock says 12:00; c0 was marked long ago, c1 two minutes ago (its import may still be running).
        await using (var db = database.CreateDb())
        {
            await db.Interactions.ExecuteUpdateAsync(s => s.SetProperty(i => i.IsRepeat, i => !i.IsRepeat).SetProperty(i => i.CaseId, (long?)null), Ct);
        }
        await MarkPendingAsync(database, "c0", new DateTime(2026, 6, 1, 9, 0, 0, DateTimeKind.Utc));
        await MarkPendingAsync(database, "c1", new DateTime(2026, 6, 1, 11, 58, 0, DateTimeKind.Utc));

        await using var host = new ServerHost(database);
        host.StartServer();

        await UntilAsync(async () => (await FactsAsync(database)).Where(f => f.Customer == "c0").SequenceEqual(derived.Where(f => f.Customer == "c0")));
        Assert.NotEqual(derived.Where(f => f.Customer == "c1"), (await FactsAsync(database)).Where(f => f.Customer == "c1"));
        Assert.NotEqual(derived.Where(f => f.Customer == "c2"), (await FactsAsync(database)).Where(f => f.Customer == "c2"));

        // Twenty minutes on, the next rounds find c1's mark old enough; c2 was never marked and is left alone.
        host.Clock.Advance(TimeSpan.FromMinutes(20));
        await UntilAsync(async () => (await FactsAsync(database)).Where(f => f.Customer == "c1").SequenceEqual(derived.Where(f => f.Customer == "c1")));
        Assert.NotEqual(derived.Where(f => f.Customer == "c2"), (await FactsAsync(database)).Where(f => f.Customer == "c2"));
        Assert.Equal(0, (await new InteractionDerivations(database.Target, new InteractionOptions()).RecomputePendingAsync(null, Ct)).Customers);
    }

    private sealed record Fact(string Customer, string Interaction, string? Case, bool IsRepeat, bool FirstContactResolved);

    private static async Task<List<Fact>> FactsAsync(TestDatabase database)
    {
        await using var db = database.CreateDb();
        return await db.Interactions.AsNoTracking().OrderBy(i => i.ExternalId)
            .Select(i => new Fact(i.Customer!.ExternalId, i.ExternalId, i.Case!.ExternalId, i.IsRepeat, i.FirstContactResolved))
            .ToListAsync(Ct);
    }

    /// <summary>Waits (up to 15 s) for the background job to have done something.</summary>
    private static async Task UntilAsync(Func<Task<bool>> done)
    {
        for (var waited = 0; !await done(); waited += 50)
        {
            Assert.True(waited < 15_000, "the repair job did not derive the customer within 15 s");
            await Task.Delay(50, Ct);
        }
    }
}
