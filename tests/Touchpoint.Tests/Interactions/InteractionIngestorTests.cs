using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Customers;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using static Touchpoint.Tests.Infrastructure.Ingest;

namespace Touchpoint.Tests.Interactions;

public sealed class InteractionIngestorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task LateContact_JoiningTwoCases_CountsTheCasesTheRunLeft(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        // Days 0 and 10 are two cases (more than the 7-day window apart); day 5, in the second batch, joins them.
        InteractionInput[] rows =
        [
            Contact("a", "c1", Channel.Phone, T0, "billing", Outcome.Unresolved),
            Contact("c", "c1", Channel.Email, T0.AddDays(10), "billing", Outcome.Unresolved),
            Contact("b", "c1", Channel.Chat, T0.AddDays(5), "billing", Outcome.Unresolved),
        ];

        var summary = await InteractionsAsync(database, rows, batchSize: 2);

        await using var db = database.CreateDb();
        Assert.Equal(1, await db.Cases.CountAsync(Ct));
        Assert.Equal((3, 1), (summary.Imported, summary.CasesDerived));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_RowsNamingANewCustomer_ResolveTheSameInOneBatchAsInSeveral(DatabaseProvider provider)
    {
        // A row that found a profile created earlier in its batch taught the run its other identities (a phone, another
        // customer id) without storing them: later rows of the run went to that profile, the same rows in another batch
        // or run made a new one, so where a contact landed depended on the batch size.
        await using var oneBatch = await TestDatabase.CreateAsync(provider);
        await using var rowByRow = await TestDatabase.CreateAsync(provider);
        InteractionInput Row(string id, string? customer = null, string? email = null, string? phone = null) => new()
        {
            ExternalId = id, CustomerExternalId = customer, CustomerEmail = email, CustomerPhone = phone, Channel = Channel.Chat, StartedAt = T0,
        };
        InteractionInput[] rows =
        [
            Row("i1", email: "ann@example.com"),
            Row("i2", email: "ANN@example.com", phone: "+1 555 0100"),
            Row("i3", phone: "+1 (555) 0100"),
            Row("i4", customer: "K9", email: "bob@example.com"),
            Row("i5", customer: "K8", email: "bob@example.com"),
            Row("i6", customer: "K8"),
        ];

        await InteractionsAsync(oneBatch, rows, batchSize: 1000);
        await InteractionsAsync(rowByRow, rows, batchSize: 1);

        async Task<List<(string, string)>> CustomerOfEach(TestDatabase database)
        {
            await using var db = database.CreateDb();
            return (await db.Interactions.OrderBy(i => i.ExternalId).Select(i => new { i.ExternalId, Customer = i.Customer!.ExternalId }).ToListAsync(Ct))
                .Select(i => (i.ExternalId, i.Customer)).ToList();
        }
        // i2 teaches Ann's profile her phone, so i3 finds her in either case. An unknown customer id beside Bob's email
        // (i5) is not learned (it may be someone sharing his address): i6 makes K8's own profile in either case.
        Assert.Equal(
            [("i1", "email:ann@example.com"), ("i2", "email:ann@example.com"), ("i3", "email:ann@example.com"), ("i4", "K9"), ("i5", "K9"), ("i6", "K8")],
            await CustomerOfEach(oneBatch));
        Assert.Equal(await CustomerOfEach(rowByRow), await CustomerOfEach(oneBatch));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_SameRowsTwice_AddsNothingTheSecondTime(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        InteractionInput[] rows =
        [
            Contact("i1", "c1", Channel.Phone, T0, "billing"),
            Contact("i2", "c1", Channel.Email, T0.AddDays(1), "billing"),
            Contact("i3", "c2", Channel.Chat, T0, "password"),
        ];

        var first = await InteractionsAsync(database, rows);
        var second = await InteractionsAsync(database, rows);

        Assert.Equal((3, 0, 0), (first.Imported, first.Duplicates, first.Rejected));
        Assert.Equal((0, 3, 0), (second.Imported, second.Duplicates, second.Rejected));
        await using var db = database.CreateDb();
        Assert.Equal(3, await db.Interactions.CountAsync(Ct));
        Assert.Equal(6, await db.Messages.CountAsync(Ct));
        Assert.Equal(2, await db.Customers.CountAsync(Ct));
        Assert.Equal(2, await db.Cases.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_BadRows_AreRejectedWithLineAndReason_OthersStored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        InteractionInput[] rows =
        [
            Contact("ok1", "c1", Channel.Phone, T0),
            Contact("bad-time", "c1", Channel.Phone, T0) with { EndedAt = T0.AddHours(-1) },
            Contact("", "c1", Channel.Phone, T0),
            Contact("no-customer", "c1", Channel.Phone, T0) with { CustomerExternalId = null },
            Contact("ok2", "c1", Channel.Chat, T0.AddHours(1), talkless()),
        ];

        var summary = await InteractionsAsync(database, rows);

        Assert.Equal(2, summary.Imported);
        Assert.Equal([2L, 3L, 4L], summary.Rejections.Select(r => r.Line));
        Assert.Contains("ended_at is before started_at", summary.Rejections[0].Reason, StringComparison.Ordinal);
        Assert.Contains("external_id is required", summary.Rejections[1].Reason, StringComparison.Ordinal);
        Assert.Contains("customer", summary.Rejections[2].Reason, StringComparison.Ordinal);
        await using var db = database.CreateDb();
        Assert.Equal(["ok1", "ok2"], await db.Interactions.OrderBy(i => i.ExternalId).Select(i => i.ExternalId).ToListAsync(Ct));

        static string? talkless() => null;
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_TimeAfterNow_IsRejectedWithTheClockInIso_WhateverTheCulture(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        // The CLI runs in the machine's culture: Thai counts years in the Buddhist era (2026 is 2569).
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("th-TH");
        try
        {
            var summary = await InteractionsAsync(database, [Contact("typo", "c1", Channel.Phone, new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc))]);

            Assert.Contains("(more than a day after now, 2026-06-01 00:00 UTC)", Assert.Single(summary.Rejections).Reason, StringComparison.Ordinal);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_TimesAfterNow_AreRejected_ExceptWithinADayForOtherClocks(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var now = Clock().GetUtcNow().UtcDateTime;
        InteractionInput[] rows =
        [
            Contact("later-today", "c1", Channel.Phone, now.AddHours(20)),
            Contact("next-week", "c1", Channel.Phone, now.AddDays(7)),
            Contact("typo", "c1", Channel.Phone, new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc)),
            Contact("ends-next-month", "c1", Channel.Phone, now.AddHours(-1)) with { EndedAt = now.AddMonths(1) },
            Contact("reply-next-year", "c1", Channel.Chat, now.AddHours(-1)) with
            {
                Messages = [new MessageInput(MessageAuthor.Customer, now.AddHours(-1), "Hi"), new MessageInput(MessageAuthor.Agent, now.AddYears(1), "Hello")],
            },
        ];

        var summary = await InteractionsAsync(database, rows);

        Assert.Equal(1, summary.Imported);
        Assert.Equal(
            [(2L, "started_at"), (3L, "started_at"), (4L, "ended_at"), (5L, "messages[1].at")],
            summary.Rejections.Select(r => (r.Line, r.Reason[..r.Reason.IndexOf(' ', StringComparison.Ordinal)])));
        Assert.All(summary.Rejections, r => Assert.Contains("is in the future (more than a day after now, 2026-06-01 00:00 UTC)", r.Reason, StringComparison.Ordinal));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_TimesBefore1900_AreRejected_AsAYearTypedShort(DatabaseProvider provider)
    {
        // Year 1 and 0202 were stored as they came, at the end of every timeline and export.
        await using var database = await TestDatabase.CreateAsync(provider);
        InteractionInput[] rows =
        [
            Contact("year-one", "c1", Channel.Phone, new DateTime(1, 1, 1, 0, 0, 1, DateTimeKind.Utc)) with { EndedAt = null },
            Contact("short-year", "c1", Channel.Phone, new DateTime(202, 3, 2, 9, 0, 0, DateTimeKind.Utc)) with { EndedAt = null },
            Contact("old-reply", "c1", Channel.Chat, T0) with
            {
                Messages = [new MessageInput(MessageAuthor.Customer, T0, "Hi"), new MessageInput(MessageAuthor.Agent, new DateTime(1899, 12, 31, 0, 0, 0, DateTimeKind.Utc), "Hello")],
            },
            Contact("in-1900", "c1", Channel.Phone, new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc)) with { EndedAt = null },
        ];

        var summary = await InteractionsAsync(database, rows);

        Assert.Equal(1, summary.Imported);
        Assert.Equal(
            [(1L, "started_at is before 1900 (0001-01-01)"), (2L, "started_at is before 1900 (0202-03-02)"), (3L, "messages[1].at is before 1900 (1899-12-31)")],
            summary.Rejections.Select(r => (r.Line, r.Reason[..r.Reason.IndexOf(':', StringComparison.Ordinal)])));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Derivations_GroupSameReasonIntoCase_FlagRepeatChannelSwitchFcrAndSla(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await InteractionsAsync(database,
        [
            Contact("call", "c1", Channel.Phone, T0, "Billing", Outcome.Unresolved, firstResponse: 15),
            Contact("mail", "c1", Channel.Email, T0.AddDays(2), "billing", Outcome.Resolved, firstResponse: 90_000),
            Contact("later", "c1", Channel.Chat, T0.AddDays(30), "billing", Outcome.Resolved, firstResponse: 30),
            Contact("pwd", "c1", Channel.Chat, T0.AddDays(3), "password", Outcome.Resolved, firstResponse: 61),
        ]);

        await using var db = database.CreateDb();
        var i = await db.Interactions.AsNoTracking().ToDictionaryAsync(x => x.ExternalId, Ct);
        Assert.Equal(i["call"].CaseId, i["mail"].CaseId);
        Assert.NotEqual(i["call"].CaseId, i["later"].CaseId);
        Assert.NotEqual(i["call"].CaseId, i["pwd"].CaseId);

        Assert.False(i["call"].IsRepeat);
        Assert.True(i["mail"].IsRepeat);
        Assert.False(i["later"].IsRepeat);
        Assert.True(i["mail"].ChannelSwitch);
        Assert.False(i["call"].FirstContactResolved);
        Assert.False(i["mail"].FirstContactResolved);
        Assert.True(i["later"].FirstContactResolved);
        Assert.True(i["pwd"].FirstContactResolved);
        Assert.True(i["call"].SlaMet);
        Assert.False(i["mail"].SlaMet);
        Assert.True(i["later"].SlaMet);
        Assert.False(i["pwd"].SlaMet);

        var billing = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == i["call"].CaseId, Ct);
        Assert.Equal(2, billing.ContactCount);
        Assert.Equal(2, billing.ChannelCount);
        Assert.Equal(1, billing.ChannelSwitches);
        Assert.Equal(Channel.Phone, billing.FirstChannel);
        Assert.Equal(CaseStatus.Resolved, billing.Status);
        Assert.False(billing.FirstContactResolved);
        Assert.Equal(15, billing.FirstResponseSeconds);
        Assert.Equal((int)(T0.AddDays(2).AddMinutes(5) - T0).TotalSeconds, billing.ResolutionSeconds);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Derivations_LateArrivingEarlierContact_ReassignsCasesWithoutDuplicates(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await InteractionsAsync(database, [Contact("b", "c1", Channel.Email, T0.AddDays(2), "billing")]);
        await InteractionsAsync(database, [Contact("a", "c1", Channel.Phone, T0, "billing", Outcome.Unresolved)]);

        await using var db = database.CreateDb();
        var c = await db.Cases.AsNoTracking().SingleAsync(Ct);
        Assert.Equal("auto:a", c.ExternalId);
        Assert.Equal(2, c.ContactCount);
        Assert.True(await db.Interactions.AnyAsync(x => x.ExternalId == "b" && x.IsRepeat && x.CaseId == c.Id, Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_InterruptedHalfWay_ThenRunAgain_EndsWithExactlyTheRows(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var rows = Enumerable.Range(0, 50).Select(n => Contact($"i{n}", $"c{n % 7}", (Channel)(n % 8), T0.AddHours(n), $"r{n % 3}")).ToList();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new SynchronousProgress(p =>
        {
            if (p.Imported >= 20)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => InteractionsUntilAsync(database, rows, 10, progress, cancel.Token));
        await using (var db = database.CreateDb())
        {
            Assert.Equal(20, await db.Interactions.CountAsync(Ct));
        }
        var rerun = await InteractionsAsync(database, rows, batchSize: 10);

        Assert.Equal((30, 20), (rerun.Imported, rerun.Duplicates));
        await using var check = database.CreateDb();
        Assert.Equal(50, await check.Interactions.Select(i => i.ExternalId).Distinct().CountAsync(Ct));
        Assert.Equal(50, await check.Interactions.CountAsync(Ct));
        Assert.Equal(100, await check.Messages.CountAsync(Ct));
        Assert.Equal(0, await check.Interactions.CountAsync(i => i.CaseId == null, Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_ContactWithANewIdentityBesideAKnownOne_AddsItToTheProfile_SoTheNextChannelFindsThem(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(database,
            new Touchpoint.Customers.CustomerInput { ExternalId = "crm-1", Name = "Ada", Email = "ada@example.com" },
            new Touchpoint.Customers.CustomerInput { ExternalId = "crm-2", Name = "Bea", Email = "bea@example.com", Phone = "+1 555 0199" });
        InteractionInput[] rows =
        [
            // Ada emails and gives a phone and a handle nobody holds: both become hers.
            Contact("e", "crm-1", Channel.Email, T0) with { CustomerExternalId = null, CustomerEmail = "Ada@Example.com", CustomerPhone = "+1 (555) 010-0001", CustomerSocialHandle = "@AdaTweets" },
            // Her next contacts name only those.
            Contact("p", "crm-1", Channel.Phone, T0.AddDays(1)) with { CustomerExternalId = null, CustomerPhone = "+15550100001" },
            Contact("s", "crm-1", Channel.Social, T0.AddDays(2)) with { CustomerExternalId = null, CustomerSocialHandle = "adatweets" },
            // A row naming Ada's email and Bea's phone goes to Ada (her email comes first) and takes nothing from Bea.
            Contact("x", "crm-1", Channel.Chat, T0.AddDays(3)) with { CustomerExternalId = null, CustomerEmail = "ada@example.com", CustomerPhone = "+1 555 0199" },
        ];

        var first = await InteractionsAsync(database, rows, batchSize: 2);
        var again = await InteractionsAsync(database, rows);

        await using var db = database.CreateDb();
        var ada = await db.Customers.Include(c => c.Identities).SingleAsync(c => c.ExternalId == "crm-1", Ct);
        Assert.Equal(["e", "p", "s", "x"], await db.Interactions.Where(i => i.CustomerId == ada.Id).OrderBy(i => i.ExternalId).Select(i => i.ExternalId).ToListAsync(Ct));
        Assert.Equal(
            [(Touchpoint.Customers.IdentityKind.Email, "ada@example.com"), (Touchpoint.Customers.IdentityKind.Phone, "+15550100001"), (Touchpoint.Customers.IdentityKind.Social, "adatweets")],
            ada.Identities.OrderBy(i => i.Kind).Select(i => (i.Kind, i.Value)).ToList());
        // The profile had no phone: the one a contact gave is now its phone, as the source wrote it.
        Assert.Equal("+1 (555) 010-0001", ada.Phone);
        var bea = await db.Customers.Include(c => c.Identities).SingleAsync(c => c.ExternalId == "crm-2", Ct);
        Assert.Contains(bea.Identities, i => i.Kind == Touchpoint.Customers.IdentityKind.Phone && i.Value == "+15550199");
        Assert.Equal(2, await db.Customers.CountAsync(Ct));
        Assert.Equal((4L, 0L, 2L), (first.Imported, first.CustomersCreated, first.IdentitiesAdded));
        Assert.Equal((0L, 4L, 0L), (again.Imported, again.Duplicates, again.IdentitiesAdded));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_CustomerNamedByIdentity_ResolvesToOneProfile(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(database, new Touchpoint.Customers.CustomerInput { ExternalId = "crm-1", Name = "Ada", Email = "Ada@Example.com", SocialHandle = "@ada" });

        await InteractionsAsync(database,
        [
            Contact("e", "crm-1", Channel.Email, T0) with { CustomerExternalId = null, CustomerEmail = "ada@example.com" },
            Contact("s", "crm-1", Channel.Social, T0.AddHours(1)) with { CustomerExternalId = null, CustomerSocialHandle = "ADA" },
            Contact("p", "crm-1", Channel.Phone, T0.AddHours(2)),
            Contact("new", "x", Channel.Sms, T0) with { CustomerExternalId = null, CustomerPhone = "+1 (555) 010-2000", CustomerName = "Bob" },
        ]);

        await using var db = database.CreateDb();
        var ada = await db.Customers.SingleAsync(c => c.ExternalId == "crm-1", Ct);
        Assert.Equal(3, await db.Interactions.CountAsync(i => i.CustomerId == ada.Id, Ct));
        var bob = await db.Customers.Include(c => c.Identities).SingleAsync(c => c.Name == "Bob", Ct);
        Assert.Equal("+15550102000", Assert.Single(bob.Identities).Value);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_ConcurrentSingleCallsForOneCustomer_StoreEveryContactInConsistentCases(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        // Like several server nodes each receiving one API call for the same customer at the same moment.
        var calls = Enumerable.Range(0, 8).Select(n => Task.Run(() =>
            InteractionsAsync(database, [Contact($"c{n}", "same", (Channel)(n % 3), T0.AddHours(n), "billing", Outcome.Unresolved)]), Ct));
        var results = await Task.WhenAll(calls);
        await new InteractionDerivations(database.Target, new InteractionOptions())
            .RecomputeAsync(await CustomerIdsAsync(database), Ct);

        Assert.All(results, r => Assert.Equal(1, r.Imported));
        await using var db = database.CreateDb();
        Assert.Equal(8, await db.Interactions.CountAsync(Ct));
        var c = await db.Cases.AsNoTracking().SingleAsync(Ct);
        Assert.Equal(8, c.ContactCount);
        Assert.Equal(8, await db.Interactions.CountAsync(i => i.CaseId == c.Id, Ct));
        Assert.Equal(7, await db.Interactions.CountAsync(i => i.IsRepeat, Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Derivations_InManySmallBatches_EqualOneBatch(DatabaseProvider provider)
    {
        // Batches continue each customer's derivation where the previous batch left it; rows mostly in time order,
        // some late, some at equal times, some with the source's case ids. The end state must equal one batch's.
        var random = new Random(11);
        var rows = new List<InteractionInput>();
        for (var n = 0; n < 400; n++)
        {
            // 100 days of rows, ending before the ingestion clock's now.
            var at = T0.AddDays(-120).AddHours(n * 6 - (random.Next(10) == 0 ? random.Next(24 * 20) : 0) - (n % 17 == 0 ? n * 6 % 12 : 0));
            rows.Add(Contact($"i{n}", $"c{random.Next(12)}", (Channel)random.Next(8), at, random.Next(6) == 0 ? null : $"r{random.Next(3)}",
                random.Next(3) == 0 ? Outcome.Unresolved : Outcome.Resolved, random.Next(0, 4000), random.Next(15) == 0 ? $"k{random.Next(4)}" : null));
        }
        await using var batched = await TestDatabase.CreateAsync(provider);
        await using var whole = await TestDatabase.CreateAsync(provider);

        var summary = await InteractionsAsync(batched, rows, batchSize: 7);
        await InteractionsAsync(whole, rows, batchSize: 1000);

        Assert.Equal(400, summary.Imported);
        var expected = await DerivedStateAsync(whole);
        Assert.True(expected.Cases.Count is > 20 and < 400, $"{expected.Cases.Count} cases: the rows should form multi-contact cases");
        var actual = await DerivedStateAsync(batched);
        Assert.Equal(expected.Interactions, actual.Interactions);
        Assert.Equal(expected.Cases, actual.Cases);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_RowAnotherCustomerHolds_MidRun_IsADuplicate_AndTheRestDerivesAsWithoutIt(DatabaseProvider provider)
    {
        // "x1" is stored for c9 first; the later "x1" for c1 is a duplicate, dropped before derivation, and the rest
        // derives as if it had never been there.
        var rows = C1Contacts().ToList();
        var taken = Contact("x1", "c1", Channel.Chat, T0.AddDays(9).AddHours(1), "billing", Outcome.Unresolved);
        var withTaken = rows.Take(5).Append(taken).Concat(rows.Skip(5)).ToList();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var expected = await TestDatabase.CreateAsync(provider);
        foreach (var target in new[] { database, expected })
        {
            await InteractionsAsync(target, [Contact("x1", "c9", Channel.Email, T0, "billing")]);
        }

        var summary = await InteractionsAsync(database, withTaken, batchSize: 2);
        await InteractionsAsync(expected, rows, batchSize: 1000);

        Assert.Equal((30L, 1L), (summary.Imported, summary.Duplicates));
        await AssertSameDerivedStateAsync(expected, database);
        Assert.Contains((await DerivedStateAsync(database)).Interactions, i => i.StartsWith("x1 ", StringComparison.Ordinal));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_AnotherWriterTakesARowsIdAfterItWasChecked_RowIsADuplicate_AndTheRestDerivesAsWithoutIt(DatabaseProvider provider)
    {
        // The last batch, "x1" for c1 (a late contact in the middle of c1's history), is checked against stored ids
        // and derived; before it is written, another writer stores "x1" for c9. The write finds x1 taken, and c1,
        // derived with x1, is derived again from the store at the end.
        var rows = C1Contacts().ToList();
        var taken = Contact("x1", "c1", Channel.Chat, T0.AddDays(9).AddHours(1), "billing", Outcome.Unresolved);
        var other = Contact("x1", "c9", Channel.Email, T0, "billing");
        var withTaken = rows.Append(taken).ToList();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var expected = await TestDatabase.CreateAsync(provider);
        var injected = false;
        // Batches of two: the run reports that all 30 rows are written while the last batch (x1) is already checked
        // and derived and not yet written.
        var progress = new SynchronousProgress(p =>
        {
            if (!injected && p.Imported >= 30)
            {
                injected = true;
                InteractionsAsync(database, [other]).GetAwaiter().GetResult();
            }
        });

        var summary = await InteractionsUntilAsync(database, withTaken, 2, progress, Ct);
        // Customers created in the same order as above: c1, then c9.
        await InteractionsAsync(expected, rows, batchSize: 1000);
        await InteractionsAsync(expected, [other]);

        Assert.True(injected);
        Assert.Equal((30L, 1L), (summary.Imported, summary.Duplicates));
        await AssertSameDerivedStateAsync(expected, database);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_AnotherWriterStoresRowsForACustomerTheRunHolds_MidRun_TheRunDerivesWithThem(DatabaseProvider provider)
    {
        // c1 has a contact every two days, in batches of two. When the run has handed over ten rows (days 0-18), a
        // second ingestion (the server's API, say) stores y1 on day 30.5 for c1, whose timeline the run already
        // holds. The run must see y1 before deriving its next batches: i14 (day 28, billing) makes y1 a repeat in its
        // case, which the second ingestion, seeing only days 0-18, could not know.
        var rows = C1Contacts().ToList();
        var other = Contact("y1", "c1", Channel.Email, T0.AddDays(30.5), "billing", Outcome.Unresolved);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var expected = await TestDatabase.CreateAsync(provider);
        var otherSummary = new Touchpoint.Import.ImportSummary();

        IEnumerable<InteractionInput> WithAnotherWriterAtRow10()
        {
            for (var n = 0; n < rows.Count; n++)
            {
                if (n == 10)
                {
                    // The run's previous batch may be being written meanwhile: this waits for its lock, as the API would.
                    otherSummary = InteractionsAsync(database, [other]).GetAwaiter().GetResult();
                }
                yield return rows[n];
            }
        }

        var summary = await InteractionsAsync(database, WithAnotherWriterAtRow10(), batchSize: 2);
        await InteractionsAsync(expected, rows.Append(other), batchSize: 1000);

        Assert.Equal((30L, 0L), (summary.Imported, summary.Duplicates));
        Assert.Equal(1, otherSummary.Imported);
        // y1 is a repeat contact in the whole picture (the fourth field is IsRepeat).
        Assert.Equal("True", (await DerivedStateAsync(expected)).Interactions.Single(i => i.StartsWith("y1 ", StringComparison.Ordinal)).Split(' ')[3]);
        await AssertSameDerivedStateAsync(expected, database);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_AnotherWriterCommitsJustBeforeABatchThatCreatesAnAgent_TheRunStillSeesIt(DatabaseProvider provider)
    {
        // As above, but y1 is stored right after the run's fifth batch is written (from the run's progress report,
        // so deterministically after that write), and the sixth batch brings an agent new to the run. Creating it
        // commits on another connection, and the run then takes what its writer notices as its own: y1's commit
        // must not be taken along with it, or c1's timeline stays without y1 for the rest of the run.
        var rows = Enumerable.Range(0, 30).Select(n => Contact($"i{n}", "c1", (Channel)(n % 3), T0.AddDays(n * 2), n % 2 == 0 ? "billing" : "outage",
            n % 4 == 0 ? Outcome.Unresolved : Outcome.Resolved) with { AgentExternalId = n == 10 ? "a1" : null }).ToList();
        var other = Contact("y1", "c1", Channel.Email, T0.AddDays(30.5), "billing", Outcome.Unresolved);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var expected = await TestDatabase.CreateAsync(provider);
        // The run's writer is idle after its fifth write; the sixth batch's agent is created next.
        var progress = AnotherWriterAfterWrites(database, (5, other));

        var summary = await InteractionsUntilAsync(database, rows, 2, progress, Ct);
        await InteractionsAsync(expected, rows.Append(other), batchSize: 1000);

        Assert.Equal((30L, 0L), (summary.Imported, summary.Duplicates));
        // y1 is a repeat contact in the whole picture (the fourth field is IsRepeat).
        Assert.Equal("True", (await DerivedStateAsync(expected)).Interactions.Single(i => i.StartsWith("y1 ", StringComparison.Ordinal)).Split(' ')[3]);
        await AssertSameDerivedStateAsync(expected, database);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_AnotherWriterCommitsTwiceBetweenWrites_TheRunStillSeesBoth(DatabaseProvider provider)
    {
        // y1 is stored right after the fifth batch's write (the sixth already derived without it), y2 right after the
        // sixth's: each write hears of one commit, and c1, whose later batches were derived without y1 and y2, ends
        // derived with both. (Written for an earlier design, where the sixth batch was refused and derived again inside
        // its write, and y2's commit went unseen by the seventh.)
        var rows = C1Contacts().ToList();
        var y1 = Contact("y1", "c1", Channel.Email, T0.AddDays(30.5), "billing", Outcome.Unresolved);
        var y2 = Contact("y2", "c1", Channel.Chat, T0.AddDays(26.5), "billing", Outcome.Unresolved);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var expected = await TestDatabase.CreateAsync(provider);
        var progress = AnotherWriterAfterWrites(database, (5, y1), (6, y2));

        var summary = await InteractionsUntilAsync(database, rows, 2, progress, Ct);
        await InteractionsAsync(expected, rows.Append(y1).Append(y2), batchSize: 1000);

        Assert.Equal((30L, 0L), (summary.Imported, summary.Duplicates));
        await AssertSameDerivedStateAsync(expected, database);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_AnotherWriterCommitsWhileABatchCreatesACustomer_TheRunStillSeesIt(DatabaseProvider provider)
    {
        // As above, but y1 is committed while the sixth batch creates c2, a customer new to the run: after the run has
        // looked for other writers' commits and before its creates are committed (the clock the customer resolver
        // reads just before inserting is the hook). The run must not take y1's commit for its own creates.
        var rows = Enumerable.Range(0, 30).Select(n => Contact($"i{n}", n == 10 ? "c2" : "c1", (Channel)(n % 3), T0.AddDays(n * 2),
            n % 2 == 0 ? "billing" : "outage", n % 4 == 0 ? Outcome.Unresolved : Outcome.Resolved)).ToList();
        var other = Contact("y1", "c1", Channel.Email, T0.AddDays(30.5), "billing", Outcome.Unresolved);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var expected = await TestDatabase.CreateAsync(provider);
        Action? atNextClockRead = null;
        var clock = new HookedClock(Clock().GetUtcNow(), () => Interlocked.Exchange(ref atNextClockRead, null)?.Invoke());
        var written = 0;
        var progress = new SynchronousProgress(p =>
        {
            if (p.Phase == "importing" && ++written == 5)
            {
                atNextClockRead = () => Assert.Equal(1, InteractionsAsync(database, [other]).GetAwaiter().GetResult().Imported);
            }
        });

        var summary = await new InteractionIngestor(database.Target, Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions()), clock)
            .IngestAsync(rows.Select((x, i) => new Touchpoint.Import.ImportRow<InteractionInput>(i + 1, x)), progress, 2, Ct);
        await InteractionsAsync(expected, rows.Append(other), batchSize: 1000);

        Assert.Null(atNextClockRead);
        Assert.Equal((30L, 0L), (summary.Imported, summary.Duplicates));
        await AssertSameDerivedStateAsync(expected, database);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_AnotherWriterDeletesACaseTheRunHolds_MidRun_TheRunStillEndsAsOneImport(DatabaseProvider provider)
    {
        // c1's billing contacts (every four days) form one case, "auto:i0", which the run holds with its id. Right after
        // the fifth batch's write, a second ingestion stores y0, a billing contact the day before i0: it derives c1 from
        // the store, the billing case becomes "auto:y0", and it deletes "auto:i0". The run's later billing contacts
        // (i10 already derived, i12, ...) were derived into the case it holds: writing them must not point at the
        // deleted case (a foreign key failure), and the run must end as one import of everything would.
        var rows = C1Contacts().ToList();
        var other = Contact("y0", "c1", Channel.Email, T0.AddDays(-1), "billing", Outcome.Unresolved);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var expected = await TestDatabase.CreateAsync(provider);
        var progress = AnotherWriterAfterWrites(database, (5, other));

        var summary = await InteractionsUntilAsync(database, rows, 2, progress, Ct);
        await InteractionsAsync(expected, rows.Append(other), batchSize: 1000);

        Assert.Equal((30L, 0L), (summary.Imported, summary.Duplicates));
        await AssertSameDerivedStateAsync(expected, database);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_AMergeOfACustomerTheRunHolds_MidRun_LeavesEveryCustomerDerivedAsTheStoreSays(DatabaseProvider provider)
    {
        // s1 has billing contacts between c1's; when the run has handed over ten rows of c1, c1 is merged into s1: its
        // rows and cases move to s1, and s1 is derived again over the combined timeline. The run's timeline of c1 still
        // holds the moved rows' and cases' ids: its later writes must not change them (they are s1's now, and the run
        // derives only c1 again at its end). Afterwards, deriving every customer from the store changes nothing.
        var rows = C1Contacts().ToList();
        await using var database = await TestDatabase.CreateAsync(provider);
        await InteractionsAsync(database, Enumerable.Range(0, 8).Select(n => Contact($"s{n}", "s1", Channel.Email, T0.AddDays(n * 4 + 1), "billing",
            Outcome.Unresolved)));

        IEnumerable<InteractionInput> WithAMergeAtRow10()
        {
            for (var n = 0; n < rows.Count; n++)
            {
                if (n == 10)
                {
                    Merge(database, "s1", "c1");
                }
                yield return rows[n];
            }
        }

        var summary = await InteractionsAsync(database, WithAMergeAtRow10(), batchSize: 2);

        Assert.Equal((30L, 0L), (summary.Imported, summary.Duplicates));
        var after = await DerivedStateAsync(database);
        await new InteractionDerivations(database.Target, new InteractionOptions()).RecomputeAsync(await CustomerIdsAsync(database), Ct);
        var rederived = await DerivedStateAsync(database);
        Assert.Equal(rederived.Interactions, after.Interactions);
        Assert.Equal(rederived.Cases, after.Cases);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_AMergeOfACustomerTheRunHolds_MidRun_TheRunsLaterRowsGoToTheSurvivor(DatabaseProvider provider)
    {
        // Once c1 is merged into s1, c1's external id names s1 (the merged profile stays as a pointer). The run resolved
        // c1 before the merge: its later rows and their messages must still land on s1, and everything must end as if
        // the first ten rows had been imported, then the merge made, then the other twenty imported.
        var rows = C1Contacts().ToList();
        var s1 = Enumerable.Range(0, 8).Select(n => Contact($"s{n}", "s1", Channel.Email, T0.AddDays(n * 4 + 1), "billing", Outcome.Unresolved)).ToList();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var expected = await TestDatabase.CreateAsync(provider);
        await InteractionsAsync(database, s1);
        await InteractionsAsync(expected, s1);

        IEnumerable<InteractionInput> WithAMergeAtRow10()
        {
            for (var n = 0; n < rows.Count; n++)
            {
                if (n == 10)
                {
                    Merge(database, "s1", "c1");
                }
                yield return rows[n];
            }
        }

        var summary = await InteractionsAsync(database, WithAMergeAtRow10(), batchSize: 2);
        await InteractionsAsync(expected, rows.Take(10));
        Merge(expected, "s1", "c1");
        await InteractionsAsync(expected, rows.Skip(10));

        Assert.Equal((30L, 0L), (summary.Imported, summary.Duplicates));
        await AssertSameDerivedStateAsync(expected, database);
        await using var check = database.CreateDb();
        var c1 = await check.Customers.Where(c => c.ExternalId == "c1").Select(c => c.Id).SingleAsync(Ct);
        Assert.Equal(0, await check.Messages.CountAsync(m => m.CustomerId == c1, Ct));
        Assert.Equal(76, await check.Messages.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_AnotherWriterMidRun_TheSummaryCountsTheCasesTheEndOfRunDerivationOpens(DatabaseProvider provider)
    {
        // After another writer stores a row of c1 (a refund, after all of c1's contacts: it opens its own case and
        // regroups nothing), the run writes c1's later rows without cases and derives c1 again at its end, which opens
        // their cases. The run's summary counts those too: the run's and the other writer's cases are every case.
        // Ten days apart: outside the repeat window, every contact opens a case of its own.
        // A year back, so that every contact is before the ingestion clock's now.
        var start = T0.AddYears(-1);
        var rows = Enumerable.Range(0, 20).Select(n => Contact($"i{n}", "c1", Channel.Phone, start.AddDays(n * 10), "billing")).ToList();
        var other = Contact("y0", "c1", Channel.Email, start.AddDays(300), "refund", Outcome.Unresolved);
        await using var database = await TestDatabase.CreateAsync(provider);
        long otherCases = -1;
        var written = 0;
        var progress = new SynchronousProgress(p =>
        {
            if (p.Phase == "importing" && ++written == 5)
            {
                otherCases = InteractionsAsync(database, [other]).GetAwaiter().GetResult().CasesDerived;
            }
        });

        var summary = await InteractionsUntilAsync(database, rows, 2, progress, Ct);

        await using var db = database.CreateDb();
        Assert.Equal(1, otherCases);
        Assert.Equal(21, await db.Cases.CountAsync(Ct));
        Assert.Equal(await db.Cases.LongCountAsync(Ct), summary.CasesDerived + otherCases);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_FailingAfterAnotherWriterChangedItsCustomer_LeavesThemMarked_AndDerivingTheMarkedEndsAsOneImport(DatabaseProvider provider)
    {
        // Another writer stores a row of c1 after the run's fifth write; the run writes c1's later rows without deriving
        // them, and fails (its source breaks) before it derives c1 at its end. What it left is marked in the store, and
        // deriving the marked customers then gives what one import of the same rows gives.
        var rows = C1Contacts().ToList();
        var other = Contact("y0", "c1", Channel.Email, T0.AddDays(-1), "billing", Outcome.Unresolved);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var expected = await TestDatabase.CreateAsync(provider);

        IEnumerable<InteractionInput> BreakingAtRow20()
        {
            for (var n = 0; n < 20; n++)
            {
                yield return rows[n];
            }
            throw new IOException("the source broke");
        }

        await Assert.ThrowsAsync<IOException>(() => InteractionsUntilAsync(database, BreakingAtRow20(), 2, AnotherWriterAfterWrites(database, (5, other)), Ct));
        await InteractionsAsync(expected, rows.Take(20).Append(other), batchSize: 1000);

        var derivations = new InteractionDerivations(database.Target, new InteractionOptions());
        Assert.NotEqual((await DerivedStateAsync(expected)).Cases, (await DerivedStateAsync(database)).Cases);
        var (customers, _) = await derivations.RecomputePendingAsync(null, Ct);
        Assert.Equal(1, customers);
        await AssertSameDerivedStateAsync(expected, database);
        Assert.Equal(0, (await derivations.RecomputePendingAsync(null, Ct)).Customers);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_AnotherWriterMidRun_TheRunsEndLeavesNothingMarked(DatabaseProvider provider)
    {
        var rows = C1Contacts().ToList();
        await using var database = await TestDatabase.CreateAsync(provider);

        var summary = await InteractionsUntilAsync(database, rows, 2,
            AnotherWriterAfterWrites(database, (5, Contact("y0", "c1", Channel.Email, T0.AddDays(-1), "billing", Outcome.Unresolved))), Ct);

        Assert.Equal(30, summary.Imported);
        Assert.Equal(0, (await new InteractionDerivations(database.Target, new InteractionOptions()).RecomputePendingAsync(null, Ct)).Customers);
    }

    [Fact]
    public async Task Ingest_OnPostgres_AsTheVictimOfADeadlockWithAnotherWriter_WritesItsBatchAgain()
    {
        // Two transactions inserting the same external ids in opposite orders deadlock on the unique index, and
        // PostgreSQL rolls one back. Here that is the run's: it waits for the other writer's uncommitted "b" when the
        // other writer asks for the run's uncommitted "a" (the run, waiting first, finds the deadlock first; the other
        // writer waits 30 s before looking). The other writer then rolls back; the run writes its batch again.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var expected = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var rows = new[] { Contact("a", "c1", Channel.Chat, T0, "billing"), Contact("b", "c1", Channel.Chat, T0.AddHours(1), "billing") };
        var before = Contact("z", "c2", Channel.Email, T0, "refund");
        await InteractionsAsync(database, [before]);
        await InteractionsAsync(expected, [before]);
        await using var other = new Npgsql.NpgsqlConnection(database.Target.ConnectionString);
        await other.OpenAsync(Ct);
        await using var transaction = await other.BeginTransactionAsync(Ct);
        async Task SqlAsync(string sql)
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, other, transaction);
            await command.ExecuteNonQueryAsync(Ct);
        }
        const string Insert = "INSERT INTO interactions (external_id, customer_id, channel, direction, started_at, talk_seconds, hold_seconds, wrap_seconds, " +
            "transfers, outcome, is_repeat, first_contact_resolved, channel_switch, created_at) SELECT '{0}', id, 'Email', 'Inbound', now(), 0, 0, 0, 0, " +
            "'Resolved', false, false, false, now() FROM customers WHERE external_id = 'c2'";
        await SqlAsync("SET LOCAL deadlock_timeout = '30s'");
        await SqlAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, Insert, "b"));

        var import = InteractionsAsync(database, rows);
        await using (var watch = new Npgsql.NpgsqlConnection(database.Target.ConnectionString))
        {
            await watch.OpenAsync(Ct);
            await using var waiting = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'", watch);
            for (var waited = 0; (long)(await waiting.ExecuteScalarAsync(Ct))! == 0; waited += 20)
            {
                Assert.True(waited < 15_000 && !import.IsCompleted, "the run never waited for the other writer's row");
                await Task.Delay(20, Ct);
            }
        }
        await SqlAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, Insert, "a"));
        await transaction.RollbackAsync(Ct);
        var summary = await import;
        await InteractionsAsync(expected, rows);

        Assert.Equal((2L, 0L), (summary.Imported, summary.Duplicates));
        await AssertSameDerivedStateAsync(expected, database);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_LettingGoOfTimelinesAndReadingThemAgain_EndsAsOneImport(DatabaseProvider provider)
    {
        // Nine customers, a contact a day each, in batches of three: a customer comes back every third batch. A run
        // that may hold only four entries lets go of customers between their batches and reads them from the store
        // when they come back; cases run on across those batches (same reason, a day apart).
        var rows = Enumerable.Range(0, 72).Select(n => Contact($"i{n}", $"c{n % 9}", (Channel)(n % 4), T0.AddDays(n / 9).AddMinutes(n),
            n % 18 < 9 ? "billing" : "outage", n % 5 == 0 ? Outcome.Unresolved : Outcome.Resolved)).ToList();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var expected = await TestDatabase.CreateAsync(provider);
        var ingestor = new InteractionIngestor(database.Target, Options.Create(new InteractionOptions { MaxHeldEntries = 4 }), Options.Create(new CustomerOptions()), Clock());

        var summary = await ingestor.IngestAsync(rows.Select((x, i) => new Touchpoint.Import.ImportRow<InteractionInput>(i + 1, x)), batchSize: 3,
            cancellationToken: Ct);
        await InteractionsAsync(expected, rows);

        Assert.Equal(72, summary.Imported);
        Assert.True(ingestor.LastRunTimelinesReleased >= 10, $"only {ingestor.LastRunTimelinesReleased} timelines were let go");
        await AssertSameDerivedStateAsync(expected, database);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_CancelledWhileDerivingAgainWhatAnotherWriterChanged_StillEndsAsOneImport(DatabaseProvider provider)
    {
        // Every batch is committed when the run derives again the customers another writer changed; a caller that
        // goes away then (an API client disconnecting) must not leave them derived without the other writer's rows,
        // or without their cases: no later run would derive them again.
        var rows = C1Contacts().ToList();
        var other = Contact("y0", "c1", Channel.Email, T0.AddDays(-1), "billing", Outcome.Unresolved);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var expected = await TestDatabase.CreateAsync(provider);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var written = 0;
        var progress = new SynchronousProgress(p =>
        {
            if (p.Phase == "importing" && ++written == 5)
            {
                Assert.Equal(1, InteractionsAsync(database, [other]).GetAwaiter().GetResult().Imported);
            }
            if (p.Phase == "deriving cases")
            {
                cancel.Cancel();
            }
        });

        try
        {
            await InteractionsUntilAsync(database, rows, 2, progress, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // Either is fine for the caller; what is stored is what counts.
        }
        await InteractionsAsync(expected, rows.Append(other), batchSize: 1000);

        Assert.True(cancel.IsCancellationRequested);
        await AssertSameDerivedStateAsync(expected, database);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_AMergeHeardOfByABatchWithoutTheMergedCustomer_ItsLaterRowsStillGoToTheSurvivor(DatabaseProvider provider)
    {
        // m and x share a lock stripe (ids 256 apart). m's rows come in batch 1; m is merged into s while batch 2 (y, on
        // another stripe) is written; batch 3 (x only) hears the merge's bump of the stripe but asks only about its own
        // customers; batch 4 (m again, resolved from the run's cache) finds the stripe where batch 3 left it.
        await using var database = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(database, Enumerable.Range(0, 300).Select(n => new Touchpoint.Customers.CustomerInput { ExternalId = $"k{n}", Name = $"K{n}" }).ToArray());
        Dictionary<long, string> byId;
        await using (var db = database.CreateDb())
        {
            byId = await db.Customers.ToDictionaryAsync(c => c.Id, c => c.ExternalId, Ct);
        }
        var m = byId.Keys.Where(id => byId.ContainsKey(id + 256) && byId.ContainsKey(id + 1) && byId.ContainsKey(id + 2)).Min();
        var (mx, x, s, y) = (byId[m], byId[m + 256], m + 1, byId[m + 2]);
        var rows = new[]
        {
            Contact("a0", mx, Channel.Phone, T0, "billing"), Contact("a1", mx, Channel.Phone, T0.AddDays(1), "billing"),
            Contact("b0", y, Channel.Phone, T0, "billing"), Contact("b1", y, Channel.Phone, T0.AddDays(1), "billing"),
            Contact("x0", x, Channel.Phone, T0, "billing"), Contact("x1", x, Channel.Phone, T0.AddDays(1), "billing"),
            Contact("a2", mx, Channel.Phone, T0.AddDays(2), "billing"), Contact("a3", mx, Channel.Phone, T0.AddDays(3), "billing"),
        };

        IEnumerable<InteractionInput> WithAMergeAtRow4()
        {
            for (var n = 0; n < rows.Length; n++)
            {
                if (n == 4)
                {
                    // Batch 1 is committed (batch 2 waited for it); batch 2 is being written.
                    Merge(database, byId[s], mx);
                }
                yield return rows[n];
            }
        }

        var summary = await InteractionsAsync(database, WithAMergeAtRow4(), batchSize: 2);

        Assert.Equal(8, summary.Imported);
        await using var check = database.CreateDb();
        Assert.Equal([], await check.Interactions.Where(i => i.CustomerId == m).Select(i => i.ExternalId).ToListAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_TheSurvivorMergedOnMidRun_LaterRowsOfTheFirstMergedProfileDoNotLandOnAPointer(DatabaseProvider provider)
    {
        // m is merged into s (heard of by batch 2, which holds m); then s into t, right before batch 3 (rows of m, resolved
        // before the run redirected m) is written. Batch 3 locks only m's stripe, which the second merge did not bump.
        await using var database = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(database, Enumerable.Range(0, 3).Select(n => new Touchpoint.Customers.CustomerInput { ExternalId = $"k{n}", Name = $"K{n}" }).ToArray());
        Dictionary<string, long> ids;
        await using (var db = database.CreateDb())
        {
            ids = await db.Customers.ToDictionaryAsync(c => c.ExternalId, c => c.Id, Ct);
        }
        var (m, s) = (ids["k0"], ids["k1"]);
        var rows = Enumerable.Range(0, 6).Select(n => Contact($"a{n}", "k0", Channel.Phone, T0.AddDays(n), "billing")).ToArray();

        IEnumerable<InteractionInput> WithAMergeAtRow2()
        {
            for (var n = 0; n < rows.Length; n++)
            {
                if (n == 2)
                {
                    for (var waited = 0; ; waited += 10)
                    {
                        using var db = database.CreateDb();
                        if (db.Interactions.Any(i => i.ExternalId == "a1"))
                        {
                            break;
                        }
                        Assert.True(waited < 10_000);
                        Thread.Sleep(10);
                    }
                    Merge(database, "k1", "k0");
                }
                yield return rows[n];
            }
        }
        var reports = 0;
        var progress = new SynchronousProgress(p =>
        {
            if (p.Phase == "importing" && ++reports == 2)
            {
                Merge(database, "k2", "k1");
            }
        });

        var summary = await InteractionsUntilAsync(database, WithAMergeAtRow2(), 2, progress, Ct);

        Assert.Equal(6, summary.Imported);
        await using var check = database.CreateDb();
        Assert.Equal([], await check.Interactions.Where(i => i.CustomerId == m || i.CustomerId == s).Select(i => i.ExternalId).ToListAsync(Ct));
    }

    /// <summary>Merges one customer into another (by external id) as an operator would, synchronously: tests call it from inside a row source.</summary>
    private static void Merge(TestDatabase database, string survivor, string merged)
    {
        using var db = database.CreateDb();
        var ids = db.Customers.Where(c => c.ExternalId == survivor || c.ExternalId == merged).ToDictionary(c => c.ExternalId, c => c.Id);
        var merge = new Touchpoint.Customers.CustomerMerge(db, database.Target, Options.Create(new InteractionOptions()), Clock());
        Assert.Null(merge.MergeAsync(ids[survivor], ids[merged], "test", Ct).GetAwaiter().GetResult().Error);
    }

    private sealed class HookedClock(DateTimeOffset now, Action onRead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow()
        {
            onRead();
            return now;
        }
    }

    /// <summary>
    /// Progress for a run in which another writer (like the API) stores a row right after the run's nth write, while
    /// the next batch is already derived; asserts the row was stored.
    /// </summary>
    private static SynchronousProgress AnotherWriterAfterWrites(TestDatabase database, params (int Write, InteractionInput Row)[] others)
    {
        var written = 0;
        return new SynchronousProgress(p =>
        {
            if (p.Phase == "importing" && others.FirstOrDefault(o => o.Write == written + 1) is { Row: { } row })
            {
                Assert.Equal(1, InteractionsAsync(database, [row]).GetAwaiter().GetResult().Imported);
            }
            if (p.Phase == "importing")
            {
                written++;
            }
        });
    }

    /// <summary>Thirty contacts of c1, one every two days, alternating billing and outage, every fourth unresolved.</summary>
    private static IEnumerable<InteractionInput> C1Contacts() => Enumerable.Range(0, 30).Select(n => Contact($"i{n}", "c1", (Channel)(n % 3), T0.AddDays(n * 2),
        n % 2 == 0 ? "billing" : "outage", n % 4 == 0 ? Outcome.Unresolved : Outcome.Resolved));

    /// <summary>Same interactions with the same cases and flags, and the same cases, in both databases.</summary>
    private static async Task AssertSameDerivedStateAsync(TestDatabase expected, TestDatabase actual)
    {
        var wanted = await DerivedStateAsync(expected);
        var got = await DerivedStateAsync(actual);
        Assert.Equal(wanted.Interactions, got.Interactions);
        Assert.Equal(wanted.Cases, got.Cases);
    }

    internal static async Task<(List<string> Interactions, List<string> Cases)> DerivedStateAsync(TestDatabase database)
    {
        await using var db = database.CreateDb();
        var cases = await db.Cases.AsNoTracking().ToListAsync(Ct);
        var caseKeys = cases.ToDictionary(c => c.Id, c => c.ExternalId);
        var interactions = (await db.Interactions.AsNoTracking().ToListAsync(Ct))
            .Select(i => $"{i.ExternalId} {i.CustomerId} {(i.CaseId is { } id ? caseKeys[id] : "-")} {i.IsRepeat} {i.FirstContactResolved} {i.ChannelSwitch} {i.SlaMet}")
            .Order(StringComparer.Ordinal).ToList();
        var caseRows = cases
            .Select(c => $"{c.CustomerId} {c.ExternalId} {c.Reason} {c.Status} {c.OpenedAt:O} {c.LastContactAt:O} {c.ResolvedAt:O} {c.ContactCount} {c.ChannelCount} " +
                         $"{c.ChannelSwitches} {c.Transfers} {c.FirstChannel} {c.FirstResponseSeconds} {c.ResolutionSeconds} {c.FirstContactResolved}")
            .Order(StringComparer.Ordinal).ToList();
        return (interactions, caseRows);
    }

    internal static async Task<List<long>> CustomerIdsAsync(TestDatabase database)
    {
        await using var db = database.CreateDb();
        return await db.Customers.Select(c => c.Id).ToListAsync(Ct);
    }

    private sealed class SynchronousProgress(Action<Touchpoint.Import.ImportProgress> report) : IProgress<Touchpoint.Import.ImportProgress>
    {
        public void Report(Touchpoint.Import.ImportProgress value) => report(value);
    }
}
