using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Customers;
using Touchpoint.Customers.Segments;
using Touchpoint.Feedback;
using Touchpoint.Import;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using static Touchpoint.Tests.Infrastructure.Ingest;

namespace Touchpoint.Tests.Customers;

/// <summary>Identity learning (a contact's unknown email, phone or handle added to the profile it resolved to) under batching and concurrency.</summary>
public sealed class IdentityLearningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_RowsTeachingIdentities_EndTheSameInBatchesOfOneAndOfAThousand(DatabaseProvider provider)
    {
        // Rows naming their customer by a few of a small pool of identities, written many ways: rows that join known and
        // unknown identities, unknown ones only, ids beside emails. The pool is small so rows meet each other's identities.
        var random = new Random(7);
        string[] emails = ["a@x.com", "B@X.com", "c@x.com", "d@x.com", "e@x.com"];
        string[] phones = ["+1 415 555 0101", "(415) 555-0102", "415.555.0103", "1 415 555 0104", "+14155550105"];
        string[] handles = ["@ann", "bea", "@Cid", "dan", "eve"];
        var rows = new List<InteractionInput>();
        for (var n = 0; n < 300; n++)
        {
            string? Pick(string[] pool, int oneIn) => random.Next(oneIn) == 0 ? pool[random.Next(pool.Length)] : null;
            var (id, email, phone, handle) = (Pick(["K1", "K2", "K3"], 6), Pick(emails, 2), Pick(phones, 2), Pick(handles, 3));
            if (id is null && email is null && phone is null && handle is null)
            {
                phone = phones[random.Next(phones.Length)];
            }
            rows.Add(Contact($"i{n}", "unused", Channel.Chat, T0.AddHours(n)) with
            {
                CustomerExternalId = id, CustomerEmail = email, CustomerPhone = phone, CustomerSocialHandle = handle,
            });
        }
        await using var rowByRow = await TestDatabase.CreateAsync(provider);
        await using var oneBatch = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(rowByRow, new CustomerInput { ExternalId = "crm-b", Name = "Bea", Email = "b@x.com" });
        await CustomersAsync(oneBatch, new CustomerInput { ExternalId = "crm-b", Name = "Bea", Email = "b@x.com" });

        var single = await InteractionsAsync(rowByRow, rows, batchSize: 1);
        var batched = await InteractionsAsync(oneBatch, rows, batchSize: 1000);

        Assert.Equal(await StateOf(oneBatch), await StateOf(rowByRow));
        Assert.Equal((batched.Imported, batched.CustomersCreated, batched.IdentitiesAdded), (single.Imported, single.CustomersCreated, single.IdentitiesAdded));
        Assert.True(batched.IdentitiesAdded > 0, "the rows teach profiles identities");
        // Idempotent: the same rows again learn and create nothing, in either batching.
        var again = await InteractionsAsync(oneBatch, rows, batchSize: 7);
        Assert.Equal((0L, 0L, 0L), (again.Imported, again.CustomersCreated, again.IdentitiesAdded));
    }

    /// <summary>Each contact's customer, and each profile's identities and primary email and phone, by external ids.</summary>
    private static async Task<string> StateOf(TestDatabase database)
    {
        await using var db = database.CreateDb();
        var contacts = await db.Interactions.OrderBy(i => i.ExternalId).Select(i => i.ExternalId + "=" + i.Customer!.ExternalId).ToListAsync(Ct);
        var profiles = await db.Customers.Include(c => c.Identities).OrderBy(c => c.ExternalId).ToListAsync(Ct);
        return string.Join("\n", contacts.Concat(profiles.Select(c =>
            $"{c.ExternalId} {c.Name} {c.Email} {c.Phone}: {string.Join(",", c.Identities.Select(i => $"{i.Kind}:{i.Value}").Order(StringComparer.Ordinal))}")));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Resolve_TwoRunsLearningTheSameIdentitiesAtOnce_GiveEachToOneProfile(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(database,
            new CustomerInput { ExternalId = "ann", Name = "Ann", Email = "ann@x.com" },
            new CustomerInput { ExternalId = "bob", Name = "Bob", Email = "bob@x.com" });
        // Both runs name the same new phones, in the same order, beside their own customer's email: each phone is
        // learned by whichever run stores it first, and the other finds it taken and resolves by its email.
        const int Phones = 60;
        async Task<long[]> RunAsync(string email)
        {
            var resolver = new CustomerResolver(database.Target, Clock(), "US");
            var ids = new List<long>();
            for (var n = 0; n < Phones; n++)
            {
                ids.AddRange(await resolver.ResolveAsync([new CustomerRef(null, email, $"+1 415 555 {n:0000}", null, null, T0)], Ct));
            }
            return [.. ids];
        }

        var results = await Task.WhenAll(Task.Run(() => RunAsync("ann@x.com"), Ct), Task.Run(() => RunAsync("bob@x.com"), Ct));

        await using var db = database.CreateDb();
        var ann = await db.Customers.Where(c => c.ExternalId == "ann").Select(c => c.Id).SingleAsync(Ct);
        var bob = await db.Customers.Where(c => c.ExternalId == "bob").Select(c => c.Id).SingleAsync(Ct);
        Assert.All(results[0], id => Assert.Equal(ann, id));
        Assert.All(results[1], id => Assert.Equal(bob, id));
        Assert.Equal(Phones, await db.CustomerIdentities.CountAsync(i => i.Kind == IdentityKind.Phone, Ct));
        Assert.Equal(2, await db.Customers.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PhoneWrittenEachWay_InTheConfiguredRegion_IsOneCustomer_OnEveryPath(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var clock = Clock();
        var gb = Options.Create(new CustomerOptions { PhoneRegion = "GB" });
        var interactionOptions = Options.Create(new InteractionOptions());
        // The customer import, the interaction and feedback imports, the search and the context all read "07911 123456",
        // "+44 7911 123456" and "0044 7911 123456" (from the UK) as one number.
        await new CustomerIngestor(database.Target, clock, interactionOptions, gb)
            .IngestAsync([new ImportRow<CustomerInput>(1, new CustomerInput { ExternalId = "crm-1", Name = "Ada", Phone = "07911 123456" })], cancellationToken: Ct);
        var contacts = await new InteractionIngestor(database.Target, interactionOptions, gb, clock).IngestAsync(
            [new ImportRow<InteractionInput>(1, Contact("i1", "unused", Channel.Phone, T0) with { CustomerExternalId = null, CustomerPhone = "+44 7911 123456" })],
            cancellationToken: Ct);
        var scores = await new FeedbackIngestor(database.Target, clock, gb).IngestAsync(
            [new ImportRow<FeedbackInput>(1, new FeedbackInput { ExternalId = "f1", CustomerPhone = "0044 7911 123456", Kind = FeedbackKind.Csat, Score = 4, RespondedAt = T0 })],
            cancellationToken: Ct);

        await using var db = database.CreateDb();
        var ada = await db.Customers.Where(c => c.ExternalId == "crm-1").Select(c => c.Id).SingleAsync(Ct);
        Assert.Equal((1L, 0L, 1L, 0L), (contacts.Imported, contacts.CustomersCreated, scores.Imported, scores.CustomersCreated));
        Assert.Equal(ada, await db.Interactions.Select(i => i.CustomerId).SingleAsync(Ct));
        Assert.Equal(ada, await db.Feedback.Select(f => f.CustomerId).SingleAsync(Ct));
        var found = await new CustomerSearch(db, clock, interactionOptions, gb).SearchAsync(new CustomerQuery("07911 12"), Ct);
        Assert.Equal([ada], found.Items.Select(i => i.Id));
        var segments = new SegmentService(db, clock, interactionOptions);
        var context = new CustomerContextQuery(db, new CustomerProfiles(db, segments, clock, interactionOptions), interactionOptions, gb, clock);
        Assert.Equal(ada, await context.FindAsync(null, null, "+44 (0)7911 123456", null, Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_HandleOfOnlyAnAt_IsRefused_NotOneEmptyIdentityThatJoinsEveryoneGivingIt(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        // "@" is the empty handle (a form's placeholder): as an identity it would be "", which the first contact giving
        // it teaches its profile, and every later contact giving it would land there and teach it their email too.
        InteractionInput[] rows =
        [
            Contact("a", "unused", Channel.Social, T0) with { CustomerExternalId = null, CustomerEmail = "ann@x.com", CustomerSocialHandle = "@" },
            Contact("b", "unused", Channel.Social, T0.AddHours(1)) with { CustomerExternalId = null, CustomerEmail = "bob@x.com", CustomerSocialHandle = " @ " },
            Contact("c", "unused", Channel.Social, T0.AddHours(2)) with { CustomerExternalId = null, CustomerEmail = "cid@x.com" },
        ];

        var summary = await InteractionsAsync(database, rows);

        Assert.Equal([(1L, "customer_social_handle"), (2L, "customer_social_handle")],
            summary.Rejections.Select(r => (r.Line, r.Reason[..r.Reason.IndexOf(' ', StringComparison.Ordinal)])));
        // The customer import reads handles the same way.
        var customers = await CustomersAsync(database, new CustomerInput { ExternalId = "crm-d", Name = "Dan", SocialHandle = "@" });
        Assert.Equal("social_handle has no handle after the @", Assert.Single(customers.Rejections).Reason);
        await using var db = database.CreateDb();
        Assert.Equal(0, await db.CustomerIdentities.CountAsync(i => i.Value == "", Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_ContactAlreadyStored_SentAgainWithOtherIdentities_ChangesNothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var contact = Contact("i1", "unused", Channel.Email, T0) with { CustomerExternalId = null, CustomerEmail = "ann@x.com" };
        await InteractionsAsync(database, [contact]);

        // The same contact (its external id is stored) sent again naming a phone and another email: a duplicate, which
        // neither teaches Ann's profile the phone nor makes a profile for the email.
        var withPhone = await InteractionsAsync(database, [contact with { CustomerPhone = "+1 415 555 0101" }]);
        var withEmail = await InteractionsAsync(database, [contact with { CustomerEmail = "bob@x.com" }]);

        Assert.Equal((0L, 1L, 0L), (withPhone.Imported, withPhone.Duplicates, withPhone.IdentitiesAdded));
        Assert.Equal((0L, 1L, 0L), (withEmail.Imported, withEmail.Duplicates, withEmail.CustomersCreated));
        await using var db = database.CreateDb();
        Assert.Equal(["Email:ann@x.com"], await db.CustomerIdentities.Select(i => i.Kind.ToString() + ":" + i.Value).ToListAsync(Ct));
        Assert.Equal(1, await db.Customers.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_ScoreAlreadyStored_SentAgainWithAnotherPhone_ChangesNothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var score = new FeedbackInput { ExternalId = "f1", CustomerEmail = "ann@x.com", Kind = FeedbackKind.Csat, Score = 4, RespondedAt = T0 };
        var feedback = new FeedbackIngestor(database.Target, Clock(), Options.Create(new CustomerOptions()));
        await feedback.IngestAsync([new ImportRow<FeedbackInput>(1, score)], cancellationToken: Ct);

        var again = await feedback.IngestAsync([new ImportRow<FeedbackInput>(1, score with { CustomerPhone = "+1 415 555 0101" })], cancellationToken: Ct);

        Assert.Equal((0L, 1L, 0L), (again.Imported, again.Duplicates, again.IdentitiesAdded));
        await using var db = database.CreateDb();
        Assert.Equal(0, await db.CustomerIdentities.CountAsync(i => i.Kind == IdentityKind.Phone, Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ingest_ScoreAboutAnotherCustomersContact_IsRefusedBeforeItMakesOrTeachesAProfile(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(database,
            new CustomerInput { ExternalId = "ann", Name = "Ann", Email = "ann@x.com" },
            new CustomerInput { ExternalId = "bob", Name = "Bob", Email = "bob@x.com" });
        await InteractionsAsync(database, [Contact("call-ann", "ann", Channel.Phone, T0)]);
        var feedback = new FeedbackIngestor(database.Target, Clock(), Options.Create(new CustomerOptions()));
        FeedbackInput Score(string id, string email, string? phone = null) =>
            new() { ExternalId = id, CustomerEmail = email, CustomerPhone = phone, InteractionExternalId = "call-ann", Kind = FeedbackKind.Csat, Score = 2, RespondedAt = T0.AddHours(1) };

        var summary = await feedback.IngestAsync(
        [
            new ImportRow<FeedbackInput>(1, Score("f1", "carol@x.com")),
            new ImportRow<FeedbackInput>(2, Score("f2", "bob@x.com", "+1 415 555 0101")),
            new ImportRow<FeedbackInput>(3, Score("f3", "ann@x.com", "+1 415 555 0199")),
        ], cancellationToken: Ct);

        Assert.Equal((1L, 0L, 1L), (summary.Imported, summary.CustomersCreated, summary.IdentitiesAdded));
        Assert.Equal([(1L, "interaction_external_id 'call-ann' is another customer's contact"), (2L, "interaction_external_id 'call-ann' is another customer's contact")],
            summary.Rejections.Select(r => (r.Line, r.Reason)));
        await using var db = database.CreateDb();
        Assert.Equal(2, await db.Customers.CountAsync(Ct));
        Assert.Equal([("ann", "+14155550199")], (await db.CustomerIdentities.Where(i => i.Kind == IdentityKind.Phone)
            .Select(i => new { Customer = db.Customers.Where(c => c.Id == i.CustomerId).Select(c => c.ExternalId).Single(), i.Value }).ToListAsync(Ct))
            .Select(i => (i.Customer, i.Value)));
        Assert.Equal("call-ann", await db.Feedback.Select(f => db.Interactions.Where(i => i.Id == f.InteractionId).Select(i => i.ExternalId).Single()).SingleAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Resolve_ProfileMergedSinceTheRunFoundIt_LearnsForTheSurvivor(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(database,
            new CustomerInput { ExternalId = "ann-old", Name = "Ann", Email = "ann@x.com" },
            new CustomerInput { ExternalId = "ann", Name = "Ann" });
        var resolver = new CustomerResolver(database.Target, Clock(), "US");
        var old = (await resolver.ResolveAsync([new CustomerRef(null, "ann@x.com", null, null, null, T0)], Ct)).Single();
        long survivor;
        await using (var db = database.CreateDb())
        {
            // Merged by someone else while the run goes on: the run still knows ann@x.com as the old profile.
            survivor = await db.Customers.Where(c => c.ExternalId == "ann").Select(c => c.Id).SingleAsync(Ct);
            var merged = await new CustomerMerge(db, database.Target, Options.Create(new InteractionOptions()), Clock()).MergeAsync(survivor, old, "test", Ct);
            Assert.Null(merged.Error);
        }

        await resolver.ResolveAsync([new CustomerRef(null, "ann@x.com", "+1 415 555 0101", null, null, T0)], Ct);

        // The phone is the survivor's, as every identity of the merged profile is: a pointer holds none.
        await using var check = database.CreateDb();
        Assert.Equal(survivor, await check.CustomerIdentities.Where(i => i.Kind == IdentityKind.Phone).Select(i => i.CustomerId).SingleAsync(Ct));
        Assert.Equal("+1 415 555 0101", await check.Customers.Where(c => c.Id == survivor).Select(c => c.Phone).SingleAsync(Ct));
    }
}
