using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Touchpoint.Customers;
using Touchpoint.Customers.Segments;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Customers;

/// <summary>Rules evaluated by the real database engines over a small, hand-built set of customers.</summary>
public sealed class SegmentQueryTests
{
    private static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);
    private static SegmentTime At => new(Now, new InteractionOptions());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// ada: premium, 30 days tenure, fiber+tv, email consent, prefers email, born 1996, 4 contacts in 30 days (1 repeat, 1 switch), 1 open case.
    /// bob: premium, 200 days, smart-tv+mobile, sms consent (email refused), prefers phone, born 1950, contacts 10 and 40 days ago.
    /// cem: basic business, 89 days, tv, no consents, no preferred channel or birth year, contacts 5, 6, 29 days and 30 days + 1 min ago.
    /// dee: no plan, exactly 90 days, no products, prefers chat, born 2000, never contacted, a city that looks like SQL.
    /// eve: premium and busy but merged into ada, so never a member.
    /// </summary>
    private static async Task SeedAsync(TouchpointDb db)
    {
        Customer Make(string name, Action<Customer> set)
        {
            var c = new Customer { ExternalId = name, Name = name, CreatedAt = Now, UpdatedAt = Now };
            set(c);
            return c;
        }
        var ada = Make("ada", c =>
        {
            c.Plan = "premium"; c.CustomerSince = Now.AddDays(-30); c.Products = "fiber,tv"; c.PreferredChannel = Channel.Email;
            c.BirthYear = 1996; c.Revenue = 900; c.City = "Berlin"; c.Country = "DE";
        });
        var bob = Make("bob", c =>
        {
            c.Plan = "premium"; c.CustomerSince = Now.AddDays(-200); c.Products = "smart-tv,mobile"; c.PreferredChannel = Channel.Phone;
            c.BirthYear = 1950; c.Revenue = 480.5; c.City = "Bern"; c.Language = "de";
        });
        var cem = Make("cem", c =>
        {
            c.Plan = "basic"; c.AccountType = "business"; c.CustomerSince = Now.AddDays(-89.5); c.Products = "tv"; c.Revenue = 240; c.City = "Hamburg";
        });
        var dee = Make("dee", c =>
        {
            c.CustomerSince = Now.AddDays(-90); c.PreferredChannel = Channel.Chat; c.BirthYear = 2000; c.City = "x' or 1=1 --";
        });
        db.Customers.AddRange(ada, bob, cem, dee);
        await db.SaveChangesAsync(Ct);
        var eve = Make("eve", c =>
        {
            c.Plan = "premium"; c.CustomerSince = Now.AddDays(-10); c.Products = "tv"; c.PreferredChannel = Channel.Email; c.MergedIntoId = ada.Id;
        });
        db.Customers.Add(eve);
        await db.SaveChangesAsync(Ct);

        var n = 0;
        Interaction Contact(Customer who, TimeSpan ago, Channel channel = Channel.Phone, bool repeat = false, bool switched = false) => new()
        {
            ExternalId = $"i{++n}", CustomerId = who.Id, Channel = channel, StartedAt = Now - ago, IsRepeat = repeat, ChannelSwitch = switched, CreatedAt = Now,
        };
        db.Interactions.AddRange(
            Contact(ada, TimeSpan.FromDays(1)), Contact(ada, TimeSpan.FromDays(2), repeat: true),
            Contact(ada, TimeSpan.FromDays(15), Channel.Chat, switched: true), Contact(ada, TimeSpan.FromDays(20)),
            Contact(bob, TimeSpan.FromDays(10)), Contact(bob, TimeSpan.FromDays(40)),
            Contact(cem, TimeSpan.FromDays(5) + TimeSpan.FromHours(1)), Contact(cem, TimeSpan.FromDays(6)), Contact(cem, TimeSpan.FromDays(29)),
            Contact(cem, TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1)));
        for (var i = 0; i < 5; i++)
        {
            db.Interactions.Add(Contact(eve, TimeSpan.FromDays(i + 1), repeat: true, switched: true));
        }
        db.Cases.AddRange(
            new Case { ExternalId = "k1", CustomerId = ada.Id, Status = CaseStatus.Open, OpenedAt = Now.AddDays(-2), LastContactAt = Now.AddDays(-1) },
            new Case { ExternalId = "k2", CustomerId = bob.Id, Status = CaseStatus.Resolved, OpenedAt = Now.AddDays(-10), LastContactAt = Now.AddDays(-10) },
            new Case { ExternalId = "k3", CustomerId = eve.Id, Status = CaseStatus.Open, OpenedAt = Now.AddDays(-1), LastContactAt = Now.AddDays(-1) },
            // Unresolved, but no contact for 31 days: closed, so not an open case.
            new Case { ExternalId = "k4", CustomerId = bob.Id, Status = CaseStatus.Open, OpenedAt = Now.AddDays(-40), LastContactAt = Now.AddDays(-31) });
        db.ChannelConsents.AddRange(
            new ChannelConsent { CustomerId = ada.Id, Channel = Channel.Email, Granted = true, UpdatedAt = Now },
            new ChannelConsent { CustomerId = bob.Id, Channel = Channel.Email, Granted = false, UpdatedAt = Now },
            new ChannelConsent { CustomerId = bob.Id, Channel = Channel.Sms, Granted = true, UpdatedAt = Now },
            new ChannelConsent { CustomerId = eve.Id, Channel = Channel.Email, Granted = true, UpdatedAt = Now });
        await db.SaveChangesAsync(Ct);
    }

    private static readonly (string Rule, string Members)[] Cases =
    [
        ("plan = \"premium\"", "ada,bob"),
        ("tenure_days < 90", "ada,cem"),
        ("tenure_days <= 89", "ada,cem"),
        ("tenure_days = 89", "cem"),
        ("tenure_days != 89", "ada,bob,dee"),
        ("tenure_days >= 90", "bob,dee"),
        ("tenure_days > 90", "bob"),
        ("contacts_30d >= 3", "ada,cem"),
        ("contacts_30d = 0", "dee"),
        ("contacts_7d >= 2", "ada,cem"),
        ("contacts_90d in (2, 4)", "ada,bob,cem"),
        ("repeat_contacts_30d >= 1", "ada"),
        ("channel_switches_30d > 0", "ada"),
        ("open_cases >= 1", "ada"),
        ("open_cases = 0", "bob,cem,dee"),
        ("last_contact_days < 3", "ada"),
        ("last_contact_days = 5", "cem"),
        ("last_contact_days >= 10", "bob"),
        ("last_contact_days != 1", "bob,cem"),
        ("not last_contact_days < 3", "bob,cem,dee"),
        ("products has \"tv\"", "ada,cem"),
        ("not products has \"tv\"", "bob,dee"),
        ("products has \"fiber\" or products has \"mobile\"", "ada,bob"),
        ("consent_email", "ada"),
        ("consent_email = false", "bob,cem,dee"),
        ("consent_sms and not consent_email", "bob"),
        ("preferred_channel = \"email\"", "ada"),
        ("preferred_channel = \"voice\"", "bob"),
        ("preferred_channel != \"email\"", "bob,dee"),
        ("preferred_channel in (\"chat\", \"phone\")", "bob,dee"),
        ("plan = \"premium\" or plan = \"basic\" and tenure_days > 100", "ada,bob"),
        ("(plan = \"premium\" or plan = \"basic\") and tenure_days < 100", "ada,cem"),
        ("not plan = \"premium\" and tenure_days < 100", "cem,dee"),
        ("not (plan = \"premium\" and tenure_days < 100)", "bob,cem,dee"),
        ("plan != \"premium\"", "cem"),
        ("plan not in (\"premium\")", "cem"),
        ("plan in (\"premium\", \"basic\")", "ada,bob,cem"),
        ("account_type = \"business\"", "cem"),
        ("age < 35", "ada,dee"),
        ("age >= 60", "bob"),
        ("not age >= 60", "ada,cem,dee"),
        ("birth_year in (1950, 2000)", "bob,dee"),
        ("revenue > 480", "ada,bob"),
        ("revenue <= 240", "cem,dee"),
        ("city contains \"Ber\"", "ada,bob"),
        ("city contains \"%\" or city contains \"_\"", ""),
        ("language = \"de\" and country != \"DE\"", ""),
        ("language = \"de\"", "bob"),
        ("plan = \"premium\" and tenure_days < 90 and contacts_30d >= 3", "ada"),
    ];

    [Theory, ClassData(typeof(Providers))]
    public async Task InSegment_EachRule_SelectsExactlyTheExpectedCustomers(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();
        await SeedAsync(db);

        var actual = new List<string>();
        foreach (var (rule, _) in Cases)
        {
            var parsed = SegmentRule.Parse(rule);
            Assert.True(parsed.Succeeded, rule + ": " + string.Join("; ", parsed.Errors.Select(e => e.Message)));
            var names = await db.Customers.InSegment(parsed.Rule!, At).OrderBy(c => c.Name).Select(c => c.Name).ToListAsync(Ct);
            actual.Add($"{rule} => {string.Join(",", names)}");
        }

        Assert.Equal(Cases.Select(c => $"{c.Rule} => {c.Members}"), actual);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task InSegment_ValueWithQuotesOrSql_IsComparedAsData(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();
        await SeedAsync(db);

        async Task<string> Members(string rule) =>
            string.Join(",", await db.Customers.InSegment(SegmentRule.ParseValid(rule), At).OrderBy(c => c.Name).Select(c => c.Name).ToListAsync(Ct));

        Assert.Equal("dee", await Members("city = \"x' or 1=1 --\""));
        Assert.Equal("", await Members("city = \"x\\\" or 1=1 --\""));
        Assert.Equal("", await Members("plan = \"'; drop table customers; --\""));
        Assert.Equal("", await Members("products has \"tv' or '1'='1\""));
        Assert.Equal(5, await db.Customers.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task InSegment_SqlNeverContainsTheLiteralValues(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();

        var sql = db.Customers.InSegment(SegmentRule.ParseValid("city = \"needle-value\" and contacts_30d >= 31337"), At).ToQueryString();

        // ToQueryString prints parameter values in a header comment; the statement itself must only name parameters.
        var statement = sql[sql.IndexOf("SELECT", StringComparison.Ordinal)..];
        Assert.DoesNotContain("needle-value", statement, StringComparison.Ordinal);
        Assert.DoesNotContain("31337", statement, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Service_SavesValidRules_RefusesBadOnes_AndFindsACustomersSegmentsAndPersona(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();
        await SeedAsync(db);
        var service = new SegmentService(db, new FakeTimeProvider(new DateTimeOffset(Now)), Options.Create(new InteractionOptions()));

        var bad = await service.CreateAsync(new SegmentDraft("Bad", SegmentKind.Segment, "plann = \"premium\""), Ct);
        Assert.False(bad.Succeeded);
        var unknown = Assert.Single(bad.Errors);
        Assert.Equal(("rule", "Unknown field 'plann' at column 1; did you mean 'plan'?", (int?)1), (unknown.Field, unknown.Message, unknown.Column));
        Assert.Equal(SegmentRuleErrorKind.UnknownFieldDidYouMean, unknown.RuleError?.Kind);

        var premium = (await service.CreateAsync(new SegmentDraft("Premium", SegmentKind.Segment, "plan = \"premium\""), Ct)).Segment!;
        var busy = (await service.CreateAsync(new SegmentDraft("Busy", SegmentKind.Segment, "contacts_30d >= 3"), Ct)).Segment!;
        await service.CreateAsync(new SegmentDraft("Zeta caller", SegmentKind.Persona, "preferred_channel = \"email\""), Ct);
        var alpha = (await service.CreateAsync(new SegmentDraft("Alpha texter", SegmentKind.Persona, "consent_email or consent_sms"), Ct)).Segment!;

        var duplicate = await service.CreateAsync(new SegmentDraft(" Premium ", SegmentKind.Persona, "age > 3"), Ct);
        Assert.Equal("name", Assert.Single(duplicate.Errors).Field);

        var ada = await db.Customers.SingleAsync(c => c.Name == "ada", Ct);
        var adaSegments = await service.ForCustomerAsync(ada.Id, Ct);
        Assert.Equal(["Busy", "Premium"], adaSegments.Segments.Select(s => s.Name));
        Assert.Equal(alpha.Id, adaSegments.Persona?.Id);

        var dee = await db.Customers.SingleAsync(c => c.Name == "dee", Ct);
        var deeSegments = await service.ForCustomerAsync(dee.Id, Ct);
        Assert.Empty(deeSegments.Segments);
        Assert.Null(deeSegments.Persona);

        var eve = await db.Customers.SingleAsync(c => c.Name == "eve", Ct);
        Assert.Empty((await service.ForCustomerAsync(eve.Id, Ct)).Segments);

        Assert.Equal(2, await service.CountMembersAsync(SegmentRule.ParseValid(premium.Rule), Ct));

        var updated = await service.UpdateAsync(busy.Id, new SegmentDraft("Busy", SegmentKind.Segment, "contacts_30d >= 4", "four or more"), Ct);
        Assert.True(updated!.Succeeded);
        var refused = await service.UpdateAsync(busy.Id, new SegmentDraft("Busy", SegmentKind.Segment, "contacts_30d >= "), Ct);
        var noValue = Assert.Single(refused!.Errors);
        Assert.Equal(("rule", "Expected a value after '>=' at column 17", (int?)17), (noValue.Field, noValue.Message, noValue.Column));
        Assert.Null(await service.UpdateAsync(999_999, new SegmentDraft("X", SegmentKind.Segment, "age > 1"), Ct));
        Assert.Equal("contacts_30d >= 4", (await service.FindAsync(busy.Id, Ct))!.Rule);

        Assert.True(await service.DeleteAsync(premium.Id, Ct));
        Assert.False(await service.DeleteAsync(premium.Id, Ct));
        Assert.Equal(["Busy", "Alpha texter", "Zeta caller"], (await service.ListAsync(cancellationToken: Ct)).Select(s => s.Name));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task EnsureDefaults_AddsEachDefaultOnce_AndEveryDefaultRunsOnTheEngine(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();
        await SeedAsync(db);
        var service = new SegmentService(db, new FakeTimeProvider(new DateTimeOffset(Now)), Options.Create(new InteractionOptions()));

        Assert.Equal(DefaultSegments.All.Count, await service.EnsureDefaultsAsync(Ct));
        Assert.Equal(0, await service.EnsureDefaultsAsync(Ct));

        var counts = new Dictionary<string, int>();
        foreach (var segment in await service.ListAsync(cancellationToken: Ct))
        {
            counts[segment.Name] = await service.CountMembersAsync(SegmentRule.ParseValid(segment.Rule), Ct);
        }
        Assert.Equal(1, counts["New premium"]);                 // ada
        Assert.Equal(1, counts["At-risk frequent contacters"]); // ada: 4 contacts, a repeat and an open case; cem has no repeat or open case
        Assert.Equal(1, counts["Business accounts"]);           // cem
        Assert.Equal(2, counts["Digital native"]);              // dee prefers chat; ada is 30 and prefers email
        Assert.Equal(1, counts["Phone loyalist"]);              // bob
    }
}
