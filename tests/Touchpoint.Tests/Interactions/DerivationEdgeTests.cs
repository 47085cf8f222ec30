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
    public async Task OutboundReply_IsNotARepeatContact_AndTheCaseIsResolvedOnFirstContact(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await InteractionsAsync(database,
        [
            Contact("ask", "c1", Channel.Social, T0, "billing", Outcome.Unresolved, firstResponse: 600, caseId: "thread-1"),
            Contact("reply", "c1", Channel.Social, T0.AddMinutes(10), "billing", caseId: "thread-1") with { Direction = Direction.Outbound, FirstResponseSeconds = null },
        ]);

        var rows = await RowsAsync(database);
        Assert.False(rows["reply"].IsRepeat);
        Assert.True(rows["ask"].FirstContactResolved);
        await using var db = database.CreateDb();
        Assert.True((await db.Cases.SingleAsync(Ct)).FirstContactResolved);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ChannelSwitch_IsTheCustomerComingBackOnAnotherChannel_NotOurReplyOnAnother(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await InteractionsAsync(database,
        [
            Contact("call", "c1", Channel.Phone, T0, "billing", Outcome.Unresolved),
            Contact("mail-back", "c1", Channel.Email, T0.AddHours(1), "billing", Outcome.Unresolved) with { Direction = Direction.Outbound },
            Contact("mail-in", "c1", Channel.Email, T0.AddHours(5), "billing"),
        ]);

        var rows = await RowsAsync(database);
        Assert.Equal((false, false, true), (rows["call"].ChannelSwitch, rows["mail-back"].ChannelSwitch, rows["mail-in"].ChannelSwitch));
        await using var db = database.CreateDb();
        var billing = await db.Cases.SingleAsync(Ct);
        Assert.Equal((3, 2, 1), (billing.ContactCount, billing.ChannelCount, billing.ChannelSwitches));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task RepliesAndCallbacks_InOneRowBatches_DeriveAsOneBatchAndAsARecompute(DatabaseProvider provider)
    {
        // Inbound and outbound contacts of a few customers, some cases opened by an outbound contact, some gaining a
        // second inbound contact in a later batch: first-contact resolution moves between rows that earlier batches wrote.
        var random = new Random(5);
        var rows = new List<InteractionInput>();
        for (var n = 0; n < 160; n++)
        {
            var at = T0.AddDays(-150).AddHours(n * 20 - (random.Next(8) == 0 ? random.Next(24 * 6) : 0));
            rows.Add(Contact($"i{n}", $"c{random.Next(5)}", (Channel)random.Next(4), at, $"r{random.Next(6)}",
                random.Next(3) == 0 ? Outcome.Unresolved : Outcome.Resolved, 30, random.Next(6) == 0 ? $"k{random.Next(3)}" : null)
                with { Direction = random.Next(3) == 0 ? Direction.Outbound : Direction.Inbound });
        }
        await using var batched = await TestDatabase.CreateAsync(provider);
        await using var whole = await TestDatabase.CreateAsync(provider);

        await InteractionsAsync(batched, rows, batchSize: 1);
        await InteractionsAsync(whole, rows);

        var expected = await InteractionIngestorTests.DerivedStateAsync(whole);
        AssertSame(expected, await InteractionIngestorTests.DerivedStateAsync(batched));
        await new InteractionDerivations(whole.Target, new InteractionOptions()).RecomputeAsync(await InteractionIngestorTests.CustomerIdsAsync(whole), Ct);
        AssertSame(expected, await InteractionIngestorTests.DerivedStateAsync(whole));
        await using var db = whole.CreateDb();
        Assert.False(await db.Interactions.AnyAsync(i => i.Direction == Direction.Outbound && (i.IsRepeat || i.FirstContactResolved), Ct));
        var fcr = await db.Cases.Where(c => c.FirstContactResolved).Select(c => c.ContactCount).ToListAsync(Ct);
        Assert.True(fcr.Count > 3 && fcr.Any(n => n > 1), $"{fcr.Count} cases resolved on first contact, {fcr.Count(n => n > 1)} with a reply or callback");
        Assert.Equal(fcr.Count, await db.Interactions.CountAsync(i => i.FirstContactResolved, Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Merge_DerivesTheCombinedHistory_AsIfOneCustomerHadMadeEveryContact(DatabaseProvider provider)
    {
        InteractionInput[] rows =
        [
            Contact("a", "c1", Channel.Phone, T0, "billing", Outcome.Unresolved, firstResponse: 20),
            Contact("b", "c2", Channel.Email, T0.AddDays(1), "billing", firstResponse: 100),
            Contact("r", "c2", Channel.Chat, T0.AddDays(2), caseId: "T-1") with { Direction = Direction.Outbound },
            Contact("q", "c1", Channel.Chat, T0.AddDays(3), "password", caseId: "T-1"),
        ];
        await using var merged = await TestDatabase.CreateAsync(provider);
        await using var alone = await TestDatabase.CreateAsync(provider);
        await InteractionsAsync(merged, rows);
        await InteractionsAsync(alone, rows.Select(r => r with { CustomerExternalId = "c1" }));

        await using (var db = merged.CreateDb())
        {
            var ids = await db.Customers.ToDictionaryAsync(c => c.ExternalId!, c => c.Id, Ct);
            var result = await new CustomerMerge(db, merged.Target, Options.Create(new InteractionOptions()), Clock()).MergeAsync(ids["c1"], ids["c2"], "test", Ct);
            Assert.Null(result.Error);
        }

        var expected = await InteractionIngestorTests.DerivedStateAsync(alone);
        var actual = await InteractionIngestorTests.DerivedStateAsync(merged);
        // Customer ids differ (c1 is #1 in both); cases and flags must not.
        AssertSame(expected, actual);
        var rowsAfter = await RowsAsync(merged);
        Assert.Equal((true, true), (rowsAfter["b"].IsRepeat, rowsAfter["b"].ChannelSwitch));
        Assert.Equal(rowsAfter["r"].CaseId, rowsAfter["q"].CaseId);
        // Derived by the merge itself: nothing left marked for later.
        Assert.Equal(0, (await new InteractionDerivations(merged.Target, new InteractionOptions()).RecomputePendingAsync(null, Ct)).Customers);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Merge_WhoseDerivationFailsAfterItsCommit_LeavesTheSurvivorMarked_SoItIsDerivedLater(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await InteractionsAsync(database,
        [
            Contact("a", "c1", Channel.Phone, T0, "billing", Outcome.Unresolved),
            Contact("b", "c2", Channel.Email, T0.AddDays(1), "billing"),
        ]);
        await using var db = database.CreateDb();
        var ids = await db.Customers.ToDictionaryAsync(c => c.ExternalId!, c => c.Id, Ct);
        // The derivation after the merge joins case auto:b into auto:a and deletes auto:b: make that delete fail, as a
        // crash or a lost connection between the merge's commit and its derivation would leave it.
        var (fail, unfail) = provider == DatabaseProvider.Sqlite
            ? ("CREATE TRIGGER no_case_delete BEFORE DELETE ON cases BEGIN SELECT RAISE(ABORT, 'no case deletes'); END", "DROP TRIGGER no_case_delete")
            : ("CREATE FUNCTION no_case_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no case deletes'; END $$; " +
               "CREATE TRIGGER no_case_delete BEFORE DELETE ON cases FOR EACH ROW EXECUTE FUNCTION no_case_delete()", "DROP TRIGGER no_case_delete ON cases");
        await db.Database.ExecuteSqlRawAsync(fail, Ct);

        var merge = new CustomerMerge(db, database.Target, Options.Create(new InteractionOptions()), Clock());
        await Assert.ThrowsAnyAsync<Exception>(() => merge.MergeAsync(ids["c1"], ids["c2"], "test", Ct));
        await db.Database.ExecuteSqlRawAsync(unfail, Ct);

        var derivations = new InteractionDerivations(database.Target, new InteractionOptions());
        var (pending, _) = await derivations.RecomputePendingAsync(null, Ct);
        Assert.Equal(1, pending);
        var rows = await RowsAsync(database);
        Assert.Equal(rows["a"].CaseId, rows["b"].CaseId);
        Assert.True(rows["b"].IsRepeat);
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
