using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Touchpoint.Customers;
using Touchpoint.Customers.Segments;
using Touchpoint.Interactions;
using Touchpoint.Server.Customers;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Customers;

/// <summary>Saved segments and personas at their edges: many of them, names that sort differently per engine, text the database refuses.</summary>
public sealed class SegmentEdgeTests
{
    private static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SegmentService Service(TouchpointDb db) =>
        new(db, new FakeTimeProvider(new DateTimeOffset(Now)), Options.Create(new InteractionOptions()));

    private static async Task<Customer> AddCustomerAsync(TouchpointDb db)
    {
        var customer = new Customer
        {
            ExternalId = "c1", Name = "Ada", Plan = "premium", PreferredChannel = Channel.Chat, CustomerSince = Now.AddDays(-10), CreatedAt = Now, UpdatedAt = Now,
        };
        db.Customers.Add(customer);
        await db.SaveChangesAsync(Ct);
        return customer;
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Persona_FirstMatchingByName_IsTheSameOnEveryEngine(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();
        var customer = await AddCustomerAsync(db);
        var service = Service(db);
        // Binary order (SQLite) puts "Zeta" before "alpha" and both before "Élan"; a language's order puts alpha, Élan, Zeta.
        foreach (var name in new[] { "Zeta", "alpha", "Élan" })
        {
            Assert.True((await service.CreateAsync(new SegmentDraft(name, SegmentKind.Persona, "plan = \"premium\""), Ct)).Succeeded);
        }
        foreach (var name in new[] { "zz", "Beta", "ä" })
        {
            Assert.True((await service.CreateAsync(new SegmentDraft(name, SegmentKind.Segment, "plan = \"premium\""), Ct)).Succeeded);
        }

        var found = await service.ForCustomerAsync(customer.Id, Ct);

        Assert.Equal("alpha", found.Persona?.Name);
        Assert.Equal(["ä", "Beta", "zz"], found.Segments.Select(s => s.Name));
        Assert.Equal(["ä", "Beta", "zz", "alpha", "Élan", "Zeta"], (await service.ListAsync(cancellationToken: Ct)).Select(s => s.Name));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ManySavedRules_TheProfileStillFindsEveryMatch(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();
        var customer = await AddCustomerAsync(db);
        // More rules than SQLite allows terms in one compound SELECT (500).
        for (var n = 0; n < 700; n++)
        {
            db.Segments.Add(new Segment
            {
                Name = $"s{n:D3}", Kind = SegmentKind.Segment, Rule = n % 2 == 0 ? "plan = \"premium\"" : "plan = \"basic\"", CreatedAt = Now,
            });
        }
        await db.SaveChangesAsync(Ct);

        var found = await Service(db).ForCustomerAsync(customer.Id, Ct);

        Assert.Equal(350, found.Segments.Count);
        Assert.Equal("s698", found.Segments[^1].Name);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"Expected 400, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<JsonElement>(body);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Api_DescriptionWithNul_Is400NotAServerError(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var server = new ServerHost(database, new DateTimeOffset(Now));
        using var client = server.WithApiKey(await server.IssueApiKeyAsync());

        var description = await ProblemAsync(await client.PostAsJsonAsync("/api/segments", new SegmentRequest("S", null, "age > 1", "a\0b"), Ct));
        Assert.True(description.GetProperty("errors").TryGetProperty("description", out _), description.ToString());

        Assert.Empty(await client.GetFromJsonAsync<List<SegmentDto>>("/api/segments", Ct) ?? []);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Api_SavedRuleThatNoLongerParses_SaysSoInTheCustomerFilter(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        long id;
        await using (var db = database.CreateDb())
        {
            await AddCustomerAsync(db);
            // As if a field the rule names was removed from the language after it was saved.
            var segment = new Segment { Name = "Old", Kind = SegmentKind.Segment, Rule = "loyalty_tier = \"gold\"", CreatedAt = Now };
            db.Segments.Add(segment);
            await db.SaveChangesAsync(Ct);
            id = segment.Id;
        }
        await using var server = new ServerHost(database, new DateTimeOffset(Now));
        using var client = server.WithApiKey(await server.IssueApiKeyAsync());

        var list = await ProblemAsync(await client.GetAsync($"/api/customers?segmentId={id}", Ct));
        Assert.Equal("The saved rule no longer parses: Unknown field 'loyalty_tier' at column 1; see the list of fields rules can use",
            list.GetProperty("errors").GetProperty("segmentId")[0].GetString());
        var missing = await ProblemAsync(await client.GetAsync("/api/customers?segmentId=999999", Ct));
        Assert.Equal("no saved segment has this id", missing.GetProperty("errors").GetProperty("segmentId")[0].GetString());

        // The profile still opens, without the broken segment.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/customers/1", Ct)).StatusCode);
    }

    /// <summary>Rules as long as a saved rule may be, in the shapes that grow the SQL most: long lists, long chains, deep nesting.</summary>
    public static TheoryData<DatabaseProvider, string> LongRules()
    {
        string Fill(string head, string item, string separator, string tail)
        {
            var text = new System.Text.StringBuilder(head).Append(item);
            while (text.Length + separator.Length + item.Length + tail.Length <= SegmentService.MaxRuleLength)
            {
                text.Append(separator).Append(item);
            }
            return text.Append(tail).ToString();
        }
        string Counting(string head)
        {
            var text = new System.Text.StringBuilder(head).Append('0');
            for (var n = 1; text.Length + n.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 2 <= SegmentService.MaxRuleLength; n++)
            {
                text.Append(',').Append(n);
            }
            return text.Append(')').ToString();
        }
        var nested = string.Concat(Enumerable.Repeat("not (", 32)) + "plan = \"premium\"" + new string(')', 32);
        string[] rules =
        [
            Fill("contacts_30d in (", "0", ",", ")"),
            Counting("contacts_90d in ("),
            Counting("birth_year not in ("),
            Fill("contacts_30d not in (", "9", ",", ")"),
            Fill("age in (", "1", ",", ")"),
            Fill("plan in (", "\"x\"", ",", ")"),
            Fill("", "contacts_7d = 1", " or ", ""),
            Fill("", "not last_contact_days != 1", " and ", ""),
            Fill("", "tenure_days >= 0", " and ", ""),
            nested,
            new string('(', 64) + "plan = \"premium\"" + new string(')', 64),
        ];
        var data = new TheoryData<DatabaseProvider, string>();
        foreach (var provider in new Providers())
        {
            foreach (var rule in rules)
            {
                data.Add(provider, rule);
            }
        }
        return data;
    }

    [Theory, MemberData(nameof(LongRules))]
    public async Task LongestRules_RunOnTheEngine(DatabaseProvider provider, string rule)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();
        var customer = await AddCustomerAsync(db);
        var service = Service(db);

        var saved = await service.CreateAsync(new SegmentDraft("Long", SegmentKind.Segment, rule), Ct);
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Select(e => e.Message)));
        var count = await service.CountMembersAsync(SegmentRule.ParseValid(rule), Ct);
        var profile = await service.ForCustomerAsync(customer.Id, Ct);

        Assert.Equal(count, profile.Segments.Count);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task CustomerSinceHoursAhead_HasTenureZero_AsTheProfileSays(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();
        // Midnight of today in Auckland is still yesterday in UTC: imported as a date there, it lies hours ahead here.
        var customer = new Customer { ExternalId = "nz", Name = "Kiri", CustomerSince = Now.AddHours(10), CreatedAt = Now, UpdatedAt = Now };
        db.Customers.Add(customer);
        await db.SaveChangesAsync(Ct);
        var service = Service(db);

        async Task<int> Count(string rule) => await service.CountMembersAsync(SegmentRule.ParseValid(rule), Ct);

        Assert.Equal(0, customer.TenureDays(Now));
        var counts = new List<int>();
        foreach (var rule in new[] { "tenure_days = 0", "tenure_days >= 0", "tenure_days < 1", "tenure_days < 0", "tenure_days > 0", "tenure_days != 1" })
        {
            counts.Add(await Count(rule));
        }
        Assert.Equal([1, 1, 1, 0, 0, 1], counts);
    }
}
