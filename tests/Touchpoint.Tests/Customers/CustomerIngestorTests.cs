using Microsoft.EntityFrameworkCore;
using Touchpoint.Customers;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using static Touchpoint.Tests.Infrastructure.Ingest;

namespace Touchpoint.Tests.Customers;

public sealed class CustomerIngestorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Import_RowOfAMergedProfile_GivesTheIdentitiesItBringsToTheSurvivor_WhereContactsNamingThemThenLand(DatabaseProvider provider)
    {
        // A CRM sync still sends the duplicate merged away: its new email, phone and handle were stored on the pointer, and
        // contacts naming them landed there, out of sight of the survivor's 360 page, context, counts and segments.
        await using var database = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(database, new CustomerInput { ExternalId = "ada-old", Name = "Ada", Email = "ada@old.example" },
            new CustomerInput { ExternalId = "ada", Name = "Ada Lovelace", Email = "ada@example.com" });
        long survivor, merged;
        await using (var db = database.CreateDb())
        {
            (survivor, merged) = (await db.Customers.Where(c => c.ExternalId == "ada").Select(c => c.Id).SingleAsync(Ct),
                await db.Customers.Where(c => c.ExternalId == "ada-old").Select(c => c.Id).SingleAsync(Ct));
            var merge = new CustomerMerge(db, database.Target, Microsoft.Extensions.Options.Options.Create(new InteractionOptions()), Clock());
            Assert.Null((await merge.MergeAsync(survivor, merged, "test", Ct)).Error);
        }

        var summary = await CustomersAsync(database,
            new CustomerInput { ExternalId = "ada-old", Name = "Ada L.", Email = "ada@new.example", Phone = "+1 415 555 0199", OtherIdentities = ["social:@ada_l"] });
        var contacts = await InteractionsAsync(database,
        [
            Contact("i-1", "x", Channel.Email, T0) with { CustomerExternalId = null, CustomerEmail = "ada@new.example" },
            Contact("i-2", "x", Channel.Phone, T0.AddHours(1)) with { CustomerExternalId = null, CustomerPhone = "(415) 555-0199" },
            Contact("i-3", "x", Channel.Social, T0.AddHours(2)) with { CustomerExternalId = null, CustomerSocialHandle = "@Ada_L" },
        ]);

        Assert.Equal((1L, 0L), (summary.Imported, summary.Rejected));
        Assert.Equal((3L, 0L), (contacts.Imported, contacts.CustomersCreated));
        await using (var db = database.CreateDb())
        {
            Assert.Equal(0, await db.CustomerIdentities.CountAsync(i => i.CustomerId == merged, Ct));
            Assert.Equal(["+14155550199", "ada@example.com", "ada@new.example", "ada@old.example", "ada_l"],
                (await db.CustomerIdentities.Where(i => i.CustomerId == survivor).Select(i => i.Value).ToListAsync(Ct)).Order(StringComparer.Ordinal));
            Assert.Equal([survivor], await db.Interactions.Select(i => i.CustomerId).Distinct().ToListAsync(Ct));
            // The merged profile's row keeps its own attributes, as an export writes them back.
            Assert.Equal(("Ada L.", "ada@new.example"), await db.Customers.Where(c => c.Id == merged).Select(c => new ValueTuple<string, string?>(c.Name, c.Email)).SingleAsync(Ct));
        }
        // The same row again changes nothing.
        Assert.Equal((0L, 1L), await CustomersAsync(database, new CustomerInput { ExternalId = "ada-old", Name = "Ada L.", Email = "ada@new.example", Phone = "+1 415 555 0199", OtherIdentities = ["social:@ada_l"] }) is var again ? (again.Imported, again.Duplicates) : default);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Import_QuietHours_NeedBothEnds_ARowMayMoveOneEndOfStoredHours(DatabaseProvider provider)
    {
        // One end alone was stored as such, and every reader took the profile for one without quiet hours.
        await using var database = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(database, new CustomerInput { ExternalId = "night", Name = "Nia", QuietHoursStart = new TimeOnly(21, 0), QuietHoursEnd = new TimeOnly(8, 0) },
            new CustomerInput { ExternalId = "none", Name = "Noor" });

        var summary = await CustomersAsync(database,
            new CustomerInput { ExternalId = "new-start-only", Name = "Sam", QuietHoursStart = new TimeOnly(22, 0) },
            new CustomerInput { ExternalId = "none", QuietHoursEnd = new TimeOnly(7, 0) },
            new CustomerInput { ExternalId = "night", QuietHoursEnd = new TimeOnly(7, 0) });

        Assert.Equal(1, summary.Imported);
        Assert.Equal([(1L, "quiet_hours_end is missing: quiet hours need a start and an end"), (2L, "quiet_hours_start is missing: quiet hours need a start and an end")],
            summary.Rejections.Select(r => (r.Line, r.Reason)));
        await using var db = database.CreateDb();
        var stored = await db.Customers.OrderBy(c => c.ExternalId).Select(c => new { c.ExternalId, c.QuietHoursStart, c.QuietHoursEnd }).ToListAsync(Ct);
        Assert.Equal(["night 21:00-07:00", "none -"], stored.Select(c => $"{c.ExternalId} {(c.QuietHoursStart is { } a ? $"{a:HH:mm}-{c.QuietHoursEnd:HH:mm}" : "-")}"));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Import_ARowRefusedForAnotherCustomersEmail_WithMergedInto_IsOneRejection_AndMergesNothing(DatabaseProvider provider)
    {
        // The refused row never reached the merge step's bookkeeping, which then threw: the API answered 500 and a CLI
        // import stopped at its end.
        await using var database = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(database,
            new CustomerInput { ExternalId = "a", Email = "a@example.com" }, new CustomerInput { ExternalId = "b" }, new CustomerInput { ExternalId = "c" });

        var summary = await CustomersAsync(database,
            new CustomerInput { ExternalId = "b", Email = "a@example.com", MergedInto = "c" }, new CustomerInput { ExternalId = "d", MergedInto = "c" });

        var rejection = Assert.Single(summary.Rejections);
        Assert.Equal(1, rejection.Line);
        Assert.Equal("email", Assert.Single(rejection.Errors!).Field);
        Assert.Equal(1, summary.Imported);
        await using var db = database.CreateDb();
        var mergedInto = await db.Customers.Where(c => c.ExternalId == "b" || c.ExternalId == "d")
            .OrderBy(c => c.ExternalId).Select(c => c.MergedIntoId != null).ToListAsync(Ct);
        Assert.Equal([false, true], mergedInto);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Import_SameCustomersTwice_SecondRunAllDuplicates(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        CustomerInput[] rows =
        [
            new() { ExternalId = "c1", Name = "Ada", Email = "ada@example.com", Plan = "premium", Products = ["fiber", "tv"],
                Consents = new Dictionary<Channel, bool> { [Channel.Email] = true, [Channel.Sms] = false }, PreferredChannel = Channel.Email,
                QuietHoursStart = new TimeOnly(21, 0), QuietHoursEnd = new TimeOnly(8, 0), TimeZone = "Europe/Berlin" },
            new() { ExternalId = "c2", Name = "Bob", Phone = "+44 20 7946 0000" },
        ];

        var first = await CustomersAsync(database, rows);
        var second = await CustomersAsync(database, rows);

        Assert.Equal((2, 0, 2), (first.Imported, first.Duplicates, first.CustomersCreated));
        Assert.Equal((0, 2, 0), (second.Imported, second.Duplicates, second.CustomersCreated));
        await using var db = database.CreateDb();
        var ada = await db.Customers.Include(c => c.Consents).Include(c => c.Identities).SingleAsync(c => c.ExternalId == "c1", Ct);
        Assert.Equal("fiber,tv", ada.Products);
        Assert.True(ada.Consents.Single(c => c.Channel == Channel.Email).Granted);
        Assert.False(ada.Consents.Single(c => c.Channel == Channel.Sms).Granted);
        Assert.Equal(new TimeOnly(21, 0), ada.QuietHoursStart);
        Assert.Equal("ada@example.com", Assert.Single(ada.Identities).Value);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Import_RowWithKnownEmailUnderNewKey_ResolvesToExistingProfile(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(database, new CustomerInput { ExternalId = "crm-1", Name = "Ada", Email = "ada@example.com" });

        var summary = await CustomersAsync(database, new CustomerInput { ExternalId = "billing-9", Email = "ADA@example.com", Plan = "basic" });
        await InteractionsAsync(database, [Contact("i1", "billing-9", Channel.Phone, T0)]);

        Assert.Equal(0, summary.CustomersCreated);
        await using var db = database.CreateDb();
        var ada = await db.Customers.SingleAsync(Ct);
        Assert.Equal("basic", ada.Plan);
        Assert.Equal(ada.Id, (await db.Interactions.SingleAsync(Ct)).CustomerId);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Import_AProfileGivenAnotherProfilesEmail_IsRejectedAtItsLine_AndNothingOfItChanges(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await CustomersAsync(database,
            new CustomerInput { ExternalId = "c1", Name = "Ada", Email = "ada@example.com" },
            new CustomerInput { ExternalId = "c2", Name = "Bob", Email = "bob@example.com" });

        var summary = await CustomersAsync(database,
            new CustomerInput { ExternalId = "c1", Name = "Ada Lovelace", Email = "Bob@Example.com", Plan = "premium" },
            new CustomerInput { ExternalId = "c2", Plan = "basic" });

        Assert.Equal(1, summary.Imported);
        var rejection = Assert.Single(summary.Rejections);
        Assert.Equal(1, rejection.Line);
        Assert.Equal("email bob@example.com belongs to another customer (merge the two profiles to join them)", rejection.Reason);
        await using var db = database.CreateDb();
        var ada = await db.Customers.Include(c => c.Identities).SingleAsync(c => c.ExternalId == "c1", Ct);
        Assert.Equal(("Ada", "ada@example.com", null), (ada.Name, ada.Email, ada.Plan));
        Assert.Equal("ada@example.com", Assert.Single(ada.Identities).Value);
        Assert.Equal("basic", await db.Customers.Where(c => c.ExternalId == "c2").Select(c => c.Plan).SingleAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Import_RowsOfOneBatchSharingAnIdentity_ResolveAsRowsOfSeparateBatchesDo(DatabaseProvider provider)
    {
        // A profile created earlier in the same batch had no id yet, so a later row with its email (in another case) or
        // phone (in another format) made a second profile that showed the email without holding it: the email found
        // the first. The same file imported again then rejected those rows.
        await using var database = await TestDatabase.CreateAsync(provider);

        var summary = await CustomersAsync(database,
            new CustomerInput { ExternalId = "c1", Name = "Ann", Email = "ann@example.com" },
            new CustomerInput { ExternalId = "c2", Name = "Bob", Email = "ANN@example.com", Phone = "+1 555 0199" },
            new CustomerInput { ExternalId = "c3", Name = "Cy", Phone = "+1 555 0100" },
            new CustomerInput { ExternalId = "c4", Name = "Di", Phone = "+1 (555) 0100" },
            new CustomerInput { ExternalId = "c5", Name = "Ed", Email = "ed@example.com" },
            new CustomerInput { ExternalId = "c6", Name = "Fy", Email = "ed@example.com", Phone = "+1 555 0100" },
            new CustomerInput { ExternalId = "c7", Name = "Gil", Phone = "+1 (555) 0199" });

        Assert.Equal((6L, 3L), (summary.Imported, summary.CustomersCreated));
        var rejection = Assert.Single(summary.Rejections);
        Assert.Equal((6L, "phone +15550100 belongs to another customer (merge the two profiles to join them)"), (rejection.Line, rejection.Reason));
        await using var db = database.CreateDb();
        var profiles = await db.Customers.Include(c => c.Identities).OrderBy(c => c.ExternalId).ToListAsync(Ct);
        Assert.Equal(
            [("c1", "Crm:c2,Crm:c7,Email:ann@example.com,Phone:+15550199"), ("c3", "Crm:c4,Phone:+15550100"), ("c5", "Email:ed@example.com")],
            profiles.Select(c => (c.ExternalId, string.Join(',', c.Identities.Select(i => $"{i.Kind}:{i.Value}").Order(StringComparer.Ordinal)))));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Import_InvalidRow_RejectedWithReason(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var summary = await CustomersAsync(database,
            new CustomerInput { ExternalId = "c1", Email = "not-an-email" },
            new CustomerInput { ExternalId = "c2", TimeZone = "Mars/Olympus" },
            new CustomerInput { ExternalId = "c3", Name = "Fine" });

        Assert.Equal(1, summary.Imported);
        Assert.Equal([1L, 2L], summary.Rejections.Select(r => r.Line));
        Assert.Contains("email", summary.Rejections[0].Reason, StringComparison.Ordinal);
        Assert.Contains("Mars/Olympus", summary.Rejections[1].Reason, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Import_ConsentsDatedAFewHoursAhead_AreAsOfNow_SoALaterRealDecisionStillWins(DatabaseProvider provider)
    {
        // A source whose clock runs ahead (within the day the future check forgives) stored its date as given: an opt-out
        // "at 20:00" made at 09:00 outranked the customer's opt-in at 10:00 until the evening.
        await using var database = await TestDatabase.CreateAsync(provider);
        var clock = Clock();
        var now = clock.GetUtcNow().UtcDateTime;
        var ingestor = new CustomerIngestor(database.Target, clock, Microsoft.Extensions.Options.Options.Create(new InteractionOptions()),
            Microsoft.Extensions.Options.Options.Create(new CustomerOptions()));
        Task<Touchpoint.Import.ImportSummary> ImportAsync(bool sms, DateTime at) => ingestor.IngestAsync(
            [new Touchpoint.Import.ImportRow<CustomerInput>(1, new() { ExternalId = "c1", Consents = new Dictionary<Channel, bool> { [Channel.Sms] = sms }, ConsentsAt = at })],
            cancellationToken: Ct);

        Assert.Empty((await ImportAsync(false, now.AddHours(11))).Rejections);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Empty((await ImportAsync(true, now.AddHours(1))).Rejections);

        await using var db = database.CreateDb();
        var sms = await db.ChannelConsents.SingleAsync(Ct);
        Assert.Equal((true, now.AddHours(1)), (sms.Granted, sms.UpdatedAt));
    }

    [Theory]
    [InlineData("crm:SF;2;email:b@example.com", new[] { "crm:SF;2", "email:b@example.com" })]
    [InlineData(" email:a@example.com ; ;crm:Y;", new[] { "email:a@example.com", "crm:Y" })]
    [InlineData("email:a@example.com;fax2:0123", new[] { "email:a@example.com", "fax2:0123" })]
    [InlineData("email:b;c@example.com;Phone : +44 7700 900123", new[] { "email:b;c@example.com", "Phone : +44 7700 900123" })]
    public void OtherIdentitiesCell_SplitsAtASemicolonBeforeTheNextName_Only(string cell, string[] entries) =>
        Assert.Equal(entries, CustomerInput.SplitOtherIdentities(cell));
}
