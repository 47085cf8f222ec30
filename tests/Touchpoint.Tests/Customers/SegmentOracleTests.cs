using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Touchpoint.Customers;
using Touchpoint.Customers.Segments;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Customers;

/// <summary>
/// Property-style check of segment rules: random rules generated from the grammar (precedence, parentheses, keyword case,
/// operator spellings, escapes, unicode, numbers written as 007 or -0) are evaluated by the database and by an in-memory
/// oracle written here from the documented meaning, over customers built at the edges (day boundaries, missing values,
/// look-alike text, merged profiles). The oracle shares no code with the rule engine: not the parser, not the fields.
/// </summary>
public sealed class SegmentOracleTests
{
    private static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly InteractionOptions Options = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // ---- the customers ----

    private static readonly string?[] TextPool =
    [
        null, "premium", "Premium", "PREMIUM", "basic", "", " premium", "premium ", "Müller", "Mu\u0308ller", "ß", "SS", "x' or 1=1 --",
        "50%", "a_b", "a\\b", "quote\"d", "日本", "😀", "İstanbul", "i", "--", ";",
    ];

    private static readonly string[] RequiredTextPool = ["consumer", "business", "Business", "active", "closed", "en", "de", "", "ü", "a\\b"];

    private static readonly string[] ProductPool = ["tv", "fiber", "smart-tv", "mobile", "TV", "tv%", "t_", "über"];

    private static readonly double[] RevenuePool = [0, -0.0, 0.1, 480.5, 999.99, 1000, 1_000_000, -5];

    private static readonly int?[] BirthYearPool = [null, 1950, 1966, 1967, 1991, 1992, 1996, 2000, 2026];

    /// <summary>Day counts around the thresholds rules use; each is also shifted by a second either way and by half a day.</summary>
    private static readonly int[] DayPool = [0, 1, 6, 7, 8, 29, 30, 31, 89, 90, 91, 180, 181, 400];

    private static readonly TimeSpan[] OffsetPool = [TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(-1), TimeSpan.FromHours(12)];

    private static DateTime Ago(Random random, bool allowFuture = true)
    {
        if (allowFuture && random.Next(25) == 0)
        {
            return Now.AddDays(1);
        }
        return Now - TimeSpan.FromDays(Pick(random, DayPool)) + Pick(random, OffsetPool);
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static async Task<List<Customer>> SeedAsync(TouchpointDb db, Random random, int count)
    {
        var customers = new List<Customer>();
        var channels = Enum.GetValues<Channel>();
        for (var n = 0; n < count; n++)
        {
            var c = new Customer
            {
                ExternalId = $"c{n:D3}", Name = $"c{n:D3}", CreatedAt = Now, UpdatedAt = Now,
                Plan = Pick(random, TextPool), City = Pick(random, TextPool), Country = Pick(random, TextPool), Gender = Pick(random, TextPool),
                AccountType = Pick(random, RequiredTextPool), AccountStatus = Pick(random, RequiredTextPool), Language = Pick(random, RequiredTextPool),
                Products = string.Join(',', ProductPool.Where(_ => random.Next(4) == 0)),
                Revenue = Pick(random, RevenuePool), BirthYear = Pick(random, BirthYearPool),
                CustomerSince = Ago(random),
                PreferredChannel = random.Next(3) == 0 ? null : Pick(random, channels),
            };
            var contacts = random.Next(7);
            for (var k = 0; k < contacts; k++)
            {
                c.Interactions.Add(new Interaction
                {
                    ExternalId = $"i{n:D3}-{k}", Channel = Pick(random, channels), StartedAt = Ago(random), CreatedAt = Now,
                    Direction = random.Next(3) == 0 ? Direction.Outbound : Direction.Inbound,
                    IsRepeat = random.Next(3) == 0, ChannelSwitch = random.Next(4) == 0,
                });
            }
            var cases = random.Next(3);
            for (var k = 0; k < cases; k++)
            {
                var last = Ago(random);
                c.Cases.Add(new Case
                {
                    ExternalId = $"k{n:D3}-{k}", Status = Pick(random, Enum.GetValues<CaseStatus>()), OpenedAt = last.AddDays(-1), LastContactAt = last,
                });
            }
            foreach (var channel in channels.Where(_ => random.Next(3) == 0))
            {
                c.Consents.Add(new ChannelConsent { Channel = channel, Granted = random.Next(2) == 0, UpdatedAt = Now });
            }
            customers.Add(c);
        }
        db.Customers.AddRange(customers);
        await db.SaveChangesAsync(Ct);
        // Some profiles merged into another: never members, whatever they hold.
        foreach (var merged in customers.Where((_, n) => n % 9 == 8))
        {
            merged.MergedIntoId = customers[0].Id;
        }
        await db.SaveChangesAsync(Ct);
        return customers;
    }

    // ---- the rules: a tree of our own, rendered to text, evaluated here ----

    private enum FieldType { Text, Number, Whole, Boolean, Channel, Products }

    private sealed record FieldSpec(string Name, FieldType Type, Func<Customer, object?> Value, IReadOnlyList<Literal> Pool);

    private sealed record Literal(string Text, object Value);

    private abstract record Rule;

    private sealed record Cmp(FieldSpec Field, string Op, IReadOnlyList<Literal> Values) : Rule;

    private sealed record And(Rule Left, Rule Right) : Rule;

    private sealed record Or(Rule Left, Rule Right) : Rule;

    private sealed record Not(Rule Operand) : Rule;

    private static Literal Str(string s) => new("\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"", s);

    private static Literal Num(string text) => new(text, decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture));

    private static Literal[] Nums(params int[] values) => [.. values.Select(v => Num(v.ToString(CultureInfo.InvariantCulture)))];

    /// <summary>
    /// Whole days from <paramref name="then"/> to now, rounded down; 0 for an instant still ahead (a customer_since a few hours
    /// ahead through a time zone is a new customer, as the 360 page's tenure says, not one of -1 days).
    /// </summary>
    private static long DaysSince(DateTime then) => Math.Max(0, (long)Math.Floor((Now - then).Ticks / (double)TimeSpan.TicksPerDay));

    private static int CountSince(Customer c, int days, Func<Interaction, bool> which) =>
        c.Interactions.Count(i => which(i) && i.StartedAt >= Now.AddDays(-days));

    private static readonly Literal[] TextLiterals = [.. TextPool.OfType<string>().Concat(RequiredTextPool).Concat(["prem", "emi", "x", "%", "_", "\\"]).Distinct().Select(Str)];

    private static readonly Literal[] ChannelLiterals = [.. Enum.GetValues<Channel>().Select(c => Str(c.ToKey()))];

    private static readonly FieldSpec[] Fields = BuildFields();

    private static FieldSpec[] BuildFields()
    {
        var counts = Nums(0, 1, 2, 3, 4);
        var fields = new List<FieldSpec>
        {
            new("plan", FieldType.Text, c => c.Plan, TextLiterals),
            new("city", FieldType.Text, c => c.City, TextLiterals),
            new("country", FieldType.Text, c => c.Country, TextLiterals),
            new("gender", FieldType.Text, c => c.Gender, TextLiterals),
            new("account_type", FieldType.Text, c => c.AccountType, TextLiterals),
            new("account_status", FieldType.Text, c => c.AccountStatus, TextLiterals),
            new("language", FieldType.Text, c => c.Language, TextLiterals),
            new("revenue", FieldType.Number, c => (decimal)c.Revenue,
                [Num("0"), Num("-0"), Num("0.1"), Num("480.5"), Num("999.99"), Num("1000"), Num("1000.00"), Num("007"), Num("1000000"), Num("-5"), new(".5", 0.5m), new("5.", 5m)]),
            new("birth_year", FieldType.Whole, c => (long?)c.BirthYear, Nums(1950, 1966, 1967, 1991, 1992, 2000, 2026)),
            new("age", FieldType.Whole, c => c.BirthYear is { } y ? Now.Year - y : (long?)null, Nums(0, 34, 35, 36, 59, 60, 61)),
            new("tenure_days", FieldType.Whole, c => DaysSince(c.CustomerSince), Nums(-1, 0, 1, 29, 30, 89, 90, 91, 180, 400)),
            new("last_contact_days", FieldType.Whole, c => c.Interactions.Count == 0 ? null : DaysSince(c.Interactions.Max(i => i.StartedAt)),
                Nums(-1, 0, 1, 6, 7, 8, 30, 31, 90, 180, 181)),
            // Contacts are the customer's: inbound, as the context call and the 360 page count them.
            new("contacts_7d", FieldType.Whole, c => (long)CountSince(c, 7, i => i.Direction == Direction.Inbound), counts),
            new("contacts_30d", FieldType.Whole, c => (long)CountSince(c, 30, i => i.Direction == Direction.Inbound), counts),
            new("contacts_90d", FieldType.Whole, c => (long)CountSince(c, 90, i => i.Direction == Direction.Inbound), counts),
            new("repeat_contacts_30d", FieldType.Whole, c => (long)CountSince(c, 30, i => i.IsRepeat), counts),
            new("channel_switches_30d", FieldType.Whole, c => (long)CountSince(c, 30, i => i.ChannelSwitch), counts),
            new("open_cases", FieldType.Whole, c => (long)c.Cases.Count(k => k.Status == CaseStatus.Open && k.LastContactAt >= Options.CasesOpenSince(Now)), counts),
            new("preferred_channel", FieldType.Channel, c => c.PreferredChannel?.ToKey(), ChannelLiterals),
            new("products", FieldType.Products, c => c.Products, [.. ProductPool.Concat([" tv ", "smart", "v"]).Select(Str)]),
        };
        foreach (var channel in Enum.GetValues<Channel>())
        {
            var captured = channel;
            fields.Add(new("consent_" + channel.ToKey().Replace('-', '_'), FieldType.Boolean,
                c => c.Consents.Any(k => k.Channel == captured && k.Granted), [new("true", true), new("false", false), new("TRUE", true), new("False", false)]));
        }
        return [.. fields];
    }

    private static string[] Operators(FieldType type) => type switch
    {
        FieldType.Text => ["=", "!=", "in", "not in", "contains"],
        FieldType.Number or FieldType.Whole => ["=", "!=", "<", "<=", ">", ">=", "in", "not in"],
        FieldType.Boolean => ["=", "!=", ""],
        FieldType.Channel => ["=", "!=", "in", "not in"],
        FieldType.Products => ["has"],
    };

    private static Rule Generate(Random random, int depth)
    {
        if (depth <= 0 || random.Next(3) == 0)
        {
            var field = Pick(random, Fields);
            var op = Pick(random, Operators(field.Type));
            var values = op.EndsWith("in", StringComparison.Ordinal)
                ? Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Pick(random, field.Pool)).ToList()
                : op == "" ? [] : [Pick(random, field.Pool)];
            return new Cmp(field, op, values);
        }
        return random.Next(5) switch
        {
            0 or 1 => new And(Generate(random, depth - 1), Generate(random, depth - 1)),
            2 or 3 => new Or(Generate(random, depth - 1), Generate(random, depth - 1)),
            _ => new Not(Generate(random, depth - 1)),
        };
    }

    /// <summary>Binding strength: or 1, and 2, not 3, comparison 4; parentheses only where needed, plus some that are not.</summary>
    private static string Render(Rule rule, Random random, int needed = 0)
    {
        string Word(string word) => random.Next(4) switch { 0 => word.ToUpperInvariant(), 1 => char.ToUpperInvariant(word[0]) + word[1..], _ => word };
        string Space() => random.Next(6) == 0 ? "  " : random.Next(10) == 0 ? "\t" : " ";
        var (text, strength) = rule switch
        {
            Or or => (Render(or.Left, random, 1) + Space() + Word("or") + Space() + Render(or.Right, random, 2), 1),
            And and => (Render(and.Left, random, 2) + Space() + Word("and") + Space() + Render(and.Right, random, 3), 2),
            Not not => (Word("not") + Space() + Render(not.Operand, random, 3), 3),
            Cmp cmp => (RenderComparison(cmp, random, Word, Space), 4),
            _ => throw new ArgumentOutOfRangeException(nameof(rule)),
        };
        return strength < needed || random.Next(8) == 0 ? "(" + text + ")" : text;
    }

    private static string RenderComparison(Cmp cmp, Random random, Func<string, string> word, Func<string> space)
    {
        var name = random.Next(5) == 0 ? cmp.Field.Name.ToUpperInvariant() : cmp.Field.Name;
        var op = cmp.Op switch
        {
            "=" when random.Next(3) == 0 => "==",
            "!=" when random.Next(3) == 0 => "<>",
            "in" or "not in" or "has" or "contains" => string.Join(" ", cmp.Op.Split(' ').Select(word)),
            _ => cmp.Op,
        };
        if (op == "")
        {
            return name;
        }
        var values = cmp.Op.EndsWith("in", StringComparison.Ordinal)
            ? "(" + string.Join("," + space(), cmp.Values.Select(v => v.Text)) + ")"
            : cmp.Values[0].Text;
        // Symbols need no spaces around them; words do.
        var tight = op[0] is '=' or '!' or '<' or '>' && random.Next(4) == 0;
        return tight ? name + op + values : name + space() + op + space() + values;
    }

    private static bool Evaluate(Rule rule, Customer c) => rule switch
    {
        And and => Evaluate(and.Left, c) && Evaluate(and.Right, c),
        Or or => Evaluate(or.Left, c) || Evaluate(or.Right, c),
        Not not => !Evaluate(not.Operand, c),
        Cmp cmp => Compare(cmp, c),
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    /// <summary>The documented meaning: a missing value (no plan, no birth year, no contact) matches no comparison, not even != or not in.</summary>
    private static bool Compare(Cmp cmp, Customer c)
    {
        var actual = cmp.Field.Value(c);
        if (cmp.Field.Type == FieldType.Boolean)
        {
            var wanted = cmp.Op == "" || (bool)cmp.Values[0].Value;
            return cmp.Op == "!=" ? (bool)actual! != wanted : (bool)actual! == wanted;
        }
        if (actual is null)
        {
            return false;
        }
        return cmp.Op switch
        {
            "in" => cmp.Values.Any(v => One("=", actual, v.Value)),
            "not in" => cmp.Values.All(v => One("!=", actual, v.Value)),
            _ => One(cmp.Op, actual, cmp.Values[0].Value),
        };

        bool One(string op, object a, object v) => cmp.Field.Type switch
        {
            FieldType.Text or FieldType.Channel => op switch
            {
                "=" => string.Equals((string)a, (string)v, StringComparison.Ordinal),
                "!=" => !string.Equals((string)a, (string)v, StringComparison.Ordinal),
                "contains" => ((string)a).Contains((string)v, StringComparison.Ordinal),
                _ => throw new ArgumentOutOfRangeException(nameof(op)),
            },
            FieldType.Products => ((string)a).Split(',').Contains(((string)v).Trim(), StringComparer.Ordinal),
            _ => Numeric(op, Convert.ToDecimal(a, CultureInfo.InvariantCulture).CompareTo((decimal)v)),
        };
    }

    private static bool Numeric(string op, int order) => op switch
    {
        "=" => order == 0,
        "!=" => order != 0,
        "<" => order < 0,
        "<=" => order <= 0,
        ">" => order > 0,
        ">=" => order >= 0,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static string Names(IEnumerable<Customer> customers) => string.Join(",", customers.Select(c => c.Name).Order(StringComparer.Ordinal));

    [Theory, ClassData(typeof(Providers))]
    public async Task RandomRules_SelectTheCustomersTheOracleSelects(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();
        var random = new Random(20260601);
        var customers = await SeedAsync(db, random, 60);
        var live = customers.Where(c => c.MergedIntoId is null).ToList();
        var at = new SegmentTime(Now, Options);

        var failures = new List<string>();
        for (var n = 0; n < 400 && failures.Count < 10; n++)
        {
            var rule = Generate(random, 1 + random.Next(4));
            var text = Render(rule, random);
            var parsed = SegmentRule.Parse(text);
            if (!parsed.Succeeded)
            {
                failures.Add($"{text}\n  does not parse: {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
                continue;
            }
            var expected = Names(live.Where(c => Evaluate(rule, c)));
            var actual = string.Join(",", (await db.Customers.AsNoTracking().InSegment(parsed.Rule!, at).Select(c => c.Name).ToListAsync(Ct)).Order(StringComparer.Ordinal));
            if (expected != actual)
            {
                failures.Add($"{text}\n  oracle:   {expected}\n  database: {actual}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task SavedRules_EachCustomersSegmentsAndPersona_AreTheOraclesOnTheProfile(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();
        var random = new Random(7);
        var customers = await SeedAsync(db, random, 30);
        var service = new SegmentService(db, new FakeTimeProvider(new DateTimeOffset(Now)), Microsoft.Extensions.Options.Options.Create(Options));

        var saved = new List<(string Name, SegmentKind Kind, Rule Rule)>();
        for (var n = 0; n < 40; n++)
        {
            var rule = Generate(random, 1 + random.Next(3));
            var kind = n % 4 == 0 ? SegmentKind.Persona : SegmentKind.Segment;
            var name = $"{(kind == SegmentKind.Persona ? "p" : "s")}{n:D2}";
            var result = await service.CreateAsync(new SegmentDraft(name, kind, Render(rule, random)), Ct);
            Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Message)));
            saved.Add((name, kind, rule));
        }

        foreach (var c in customers.Where(c => c.MergedIntoId is null))
        {
            var found = await service.ForCustomerAsync(c.Id, Ct);
            var matching = saved.Where(s => Evaluate(s.Rule, c)).ToList();
            Assert.Equal(matching.Where(s => s.Kind == SegmentKind.Segment).Select(s => s.Name).Order(StringComparer.Ordinal),
                found.Segments.Select(s => s.Name).Order(StringComparer.Ordinal));
            Assert.Equal(matching.Where(s => s.Kind == SegmentKind.Persona).Select(s => s.Name).Order(StringComparer.Ordinal).FirstOrDefault(), found.Persona?.Name);
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task CustomerList_SegmentFilter_PagesInEverySortWithoutRepeatsOrGaps(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();
        var random = new Random(11);
        await SeedAsync(db, random, 60);
        var clock = new FakeTimeProvider(new DateTimeOffset(Now));
        var service = new SegmentService(db, clock, Microsoft.Extensions.Options.Options.Create(Options));
        var search = new CustomerSearch(db, clock, Microsoft.Extensions.Options.Options.Create(Options), Microsoft.Extensions.Options.Options.Create(new CustomerOptions()));
        // Members found by the rule alone (checked against the oracle above); the list must page through exactly these.
        const string Rule = "not contacts_30d = 1 and (plan != \"premium\" or not age < 35)";
        var segment = (await service.CreateAsync(new SegmentDraft("S", SegmentKind.Segment, Rule), Ct)).Segment!;
        var expected = (await db.Customers.InSegment(SegmentRule.ParseValid(Rule), new SegmentTime(Now, Options)).Select(c => c.Id).ToListAsync(Ct)).Order().ToList();
        Assert.InRange(expected.Count, 8, 60); // enough for several pages

        foreach (var key in Enum.GetValues<CustomerSortKey>())
        {
            foreach (var descending in new[] { false, true })
            {
                var sort = new ListSort<CustomerSortKey>(key, descending);
                var all = await search.IdsAsync(new CustomerQuery(SegmentId: segment.Id, Sort: sort), Ct);
                var paged = new List<long>();
                for (var page = 1; ; page++)
                {
                    var result = await search.SearchAsync(new CustomerQuery(SegmentId: segment.Id, Page: page, PageSize: 7, Sort: sort), Ct);
                    Assert.Equal(expected.Count, result.Total);
                    if (result.Items.Count == 0)
                    {
                        break;
                    }
                    paged.AddRange(result.Items.Select(i => i.Id));
                }
                Assert.Equal(all, paged);
                Assert.Equal(expected, paged.Order());
            }
        }
    }
}
