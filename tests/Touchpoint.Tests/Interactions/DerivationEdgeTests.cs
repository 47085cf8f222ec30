using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Customers;
using Touchpoint.Import;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using static Touchpoint.Tests.Infrastructure.Ingest;

namespace Touchpoint.Tests.Interactions;

/// <summary>Derived facts at their edges: window boundaries, configured windows, late rows, directions, time precision.</summary>
public sealed class DerivationEdgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task RepeatWindow_ExactlySevenDaysIsARepeat_OneSecondMoreOpensANewCase(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await InteractionsAsync(database,
        [
            Contact("a", "c1", Channel.Phone, T0, "billing", Outcome.Unresolved),
            Contact("b", "c1", Channel.Phone, T0.AddDays(7), "billing", Outcome.Unresolved),
            Contact("c", "c1", Channel.Phone, T0.AddDays(14).AddSeconds(1), "billing", Outcome.Unresolved),
        ]);

        var rows = await RowsAsync(database);
        Assert.Equal((false, true, false), (rows["a"].IsRepeat, rows["b"].IsRepeat, rows["c"].IsRepeat));
        Assert.Equal(rows["a"].CaseId, rows["b"].CaseId);
        Assert.NotEqual(rows["b"].CaseId, rows["c"].CaseId);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task RepeatWindow_Configured_IsUsedByImportAndRecompute(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var options = new InteractionOptions { RepeatWindowDays = 3 };
        await IngestAsync(database, options,
        [
            Contact("a", "c1", Channel.Phone, T0, "billing", Outcome.Unresolved),
            Contact("b", "c1", Channel.Email, T0.AddDays(3), "billing", Outcome.Unresolved),
            Contact("c", "c1", Channel.Email, T0.AddDays(6).AddSeconds(1), "billing"),
        ]);
        var imported = await InteractionIngestorTests.DerivedStateAsync(database);
        await new InteractionDerivations(database.Target, options).RecomputeAsync(await InteractionIngestorTests.CustomerIdsAsync(database), Ct);

        var rows = await RowsAsync(database);
        Assert.Equal((false, true, false), (rows["a"].IsRepeat, rows["b"].IsRepeat, rows["c"].IsRepeat));
        Assert.Equal(rows["a"].CaseId, rows["b"].CaseId);
        Assert.True(rows["c"].FirstContactResolved);
        AssertSame(imported, await InteractionIngestorTests.DerivedStateAsync(database));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task EarlierContact_ImportedInALaterRun_CorrectsTheStoredNeighbours_AsOneRunWould(DatabaseProvider provider)
    {
        InteractionInput[] early = [Contact("a", "c1", Channel.Phone, T0, "billing", Outcome.Unresolved), Contact("c", "c1", Channel.Email, T0.AddDays(2), "billing")];
        var late = Contact("b", "c1", Channel.Chat, T0.AddDays(1), "billing", Outcome.Unresolved);
        await using var twoRuns = await TestDatabase.CreateAsync(provider);
        await using var oneRun = await TestDatabase.CreateAsync(provider);

        await InteractionsAsync(twoRuns, early);
        await InteractionsAsync(twoRuns, [late]);
        await InteractionsAsync(oneRun, [early[0], late, early[1]]);

        AssertSame(await InteractionIngestorTests.DerivedStateAsync(oneRun), await InteractionIngestorTests.DerivedStateAsync(twoRuns));
        var rows = await RowsAsync(twoRuns);
        Assert.Equal((true, true), (rows["b"].ChannelSwitch, rows["c"].ChannelSwitch));
        Assert.Equal((false, true, true), (rows["a"].IsRepeat, rows["b"].IsRepeat, rows["c"].IsRepeat));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task TimesFinerThanAMicrosecond_DeriveTheSameOnImportAndRecompute(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await InteractionsAsync(database,
        [
            Contact("a", "c1", Channel.Phone, T0, "billing", Outcome.Unresolved),
            Contact("b", "c1", Channel.Phone, T0.AddDays(7).AddTicks(5), "billing"),
        ]);
        var imported = await InteractionIngestorTests.DerivedStateAsync(database);
        await new InteractionDerivations(database.Target, new InteractionOptions()).RecomputeAsync(await InteractionIngestorTests.CustomerIdsAsync(database), Ct);

        AssertSame(imported, await InteractionIngestorTests.DerivedStateAsync(database));
        var rows = await RowsAsync(database);
        Assert.Equal(T0.AddDays(7), rows["b"].StartedAt);
        await using var db = database.CreateDb();
        Assert.Equal(T0.AddDays(7), await db.Messages.Where(m => m.InteractionId == rows["b"].Id).OrderBy(m => m.Sequence).Select(m => m.At).FirstAsync(Ct));
    }

    private static void AssertSame((List<string> Interactions, List<string> Cases) expected, (List<string> Interactions, List<string> Cases) actual)
    {
        Assert.Equal(expected.Interactions, actual.Interactions);
        Assert.Equal(expected.Cases, actual.Cases);
    }

    private static Task<ImportSummary> IngestAsync(TestDatabase database, InteractionOptions options, IEnumerable<InteractionInput> inputs) =>
        new InteractionIngestor(database.Target, Options.Create(options), Options.Create(new CustomerOptions()), Clock())
            .IngestAsync(inputs.Select((x, i) => new ImportRow<InteractionInput>(i + 1, x)), cancellationToken: Ct);

    private static async Task<Dictionary<string, Interaction>> RowsAsync(TestDatabase database)
    {
        await using var db = database.CreateDb();
        return await db.Interactions.AsNoTracking().ToDictionaryAsync(i => i.ExternalId, Ct);
    }
}
