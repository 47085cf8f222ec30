using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Touchpoint.Interactions;

namespace Touchpoint.Customers.Segments;

/// <summary>The kind of value a field compares with; it decides which operators and literals a rule may use.</summary>
public enum SegmentValueType
{
    Text,
    Number,
    WholeNumber,
    Boolean,
    Channel,
    ProductList,
}

/// <summary>
/// One name a rule may use, and how a comparison on it becomes a predicate over <see cref="Customer"/>.
/// A comparison on a missing value (no plan, no birth year, no contact at all) never matches; only <c>not</c> turns that around.
/// </summary>
public sealed class SegmentField
{
    private readonly Func<ComparisonOperator, SegmentLiteral, SegmentTime, Expression<Func<Customer, bool>>> _build;

    private SegmentField(string name, SegmentValueType type, string description,
        Func<ComparisonOperator, SegmentLiteral, SegmentTime, Expression<Func<Customer, bool>>> build)
    {
        Name = name;
        Type = type;
        Description = description;
        _build = build;
    }

    public string Name { get; }
    public SegmentValueType Type { get; }
    public string Description { get; }

    public IReadOnlyList<ComparisonOperator> Operators => Type switch
    {
        SegmentValueType.Text => [ComparisonOperator.Equal, ComparisonOperator.NotEqual, ComparisonOperator.In, ComparisonOperator.NotIn, ComparisonOperator.Contains],
        SegmentValueType.Number or SegmentValueType.WholeNumber =>
            [ComparisonOperator.Equal, ComparisonOperator.NotEqual, ComparisonOperator.Less, ComparisonOperator.LessOrEqual,
             ComparisonOperator.Greater, ComparisonOperator.GreaterOrEqual, ComparisonOperator.In, ComparisonOperator.NotIn],
        SegmentValueType.Boolean => [ComparisonOperator.Equal, ComparisonOperator.NotEqual],
        SegmentValueType.Channel => [ComparisonOperator.Equal, ComparisonOperator.NotEqual, ComparisonOperator.In, ComparisonOperator.NotIn],
        SegmentValueType.ProductList => [ComparisonOperator.Has],
    };

    /// <summary>The predicate for one comparison with one value; <c>in</c> and <c>not in</c> are composed from these by the caller.</summary>
    internal Expression<Func<Customer, bool>> Build(ComparisonOperator op, SegmentLiteral value, SegmentTime at) => _build(op, value, at);

    public static IReadOnlyList<SegmentField> All { get; } = CreateAll();

    private static readonly Dictionary<string, SegmentField> ByName = All.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

    public static SegmentField? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The known field a mistyped name most likely meant, if any is close.</summary>
    public static string? Suggest(string name)
    {
        var lower = name.ToLowerInvariant();
        var best = All
            .Select(f => (f.Name, Distance: Levenshtein(lower, f.Name)))
            .Where(x => x.Distance <= Math.Max(1, Math.Min(3, lower.Length / 3)))
            .OrderBy(x => x.Distance)
            .Select(x => x.Name)
            .FirstOrDefault();
        return best ?? All.FirstOrDefault(f => lower.Length >= 3 && f.Name.StartsWith(lower, StringComparison.Ordinal))?.Name;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static List<SegmentField> CreateAll()
    {
        var fields = new List<SegmentField>
        {
            Text("plan", c => c.Plan, "The customer's plan, e.g. \"premium\"."),
            Text("account_type", c => c.AccountType, "\"consumer\" or \"business\"."),
            Text("account_status", c => c.AccountStatus, "e.g. \"active\", \"suspended\", \"closed\"."),
            Text("country", c => c.Country, "Country as imported."),
            Text("city", c => c.City, "City as imported."),
            Text("gender", c => c.Gender, "Gender as imported."),
            Text("language", c => c.Language, "Preferred language code, e.g. \"en\"."),
            new("preferred_channel", SegmentValueType.Channel, "The channel the customer prefers, e.g. \"email\".", PreferredChannel),
            new("products", SegmentValueType.ProductList, "Products owned; test with products has \"fiber\".", Products),
            Number("revenue", c => c.Revenue, "Yearly revenue from the customer."),
            new("birth_year", SegmentValueType.WholeNumber, "Year of birth; customers without one never match.", BirthYear),
            new("age", SegmentValueType.WholeNumber, "Current year minus year of birth; customers without one never match.", Age),
            DaysSince("tenure_days", "Whole days since the customer relationship began.",
                since => c => c.CustomerSince > since, exists: null),
            DaysSince("last_contact_days", "Whole days since the latest interaction; customers without any never match.",
                since => c => c.Interactions.Any(i => i.StartedAt > since), exists: c => c.Interactions.Any()),
            // The customer's contacts, as the context call and the 360 page count them: our replies and calls out are not the
            // customer getting in touch (a replied tweet would count twice).
            Count("contacts_7d", "Contacts the customer made (inbound) in the last 7 days.",
                at => { var since = at.NowUtc.AddDays(-7); return c => c.Interactions.Count(i => i.Direction == Direction.Inbound && i.StartedAt >= since); }),
            Count("contacts_30d", "Contacts the customer made (inbound) in the last 30 days.",
                at => { var since = at.NowUtc.AddDays(-30); return c => c.Interactions.Count(i => i.Direction == Direction.Inbound && i.StartedAt >= since); }),
            Count("contacts_90d", "Contacts the customer made (inbound) in the last 90 days.",
                at => { var since = at.NowUtc.AddDays(-90); return c => c.Interactions.Count(i => i.Direction == Direction.Inbound && i.StartedAt >= since); }),
            Count("repeat_contacts_30d", "Repeat contacts in the last 30 days.",
                at => { var since = at.NowUtc.AddDays(-30); return c => c.Interactions.Count(i => i.IsRepeat && i.StartedAt >= since); }),
            Count("channel_switches_30d", "Contacts in the last 30 days that switched channel within their case.",
                at => { var since = at.NowUtc.AddDays(-30); return c => c.Interactions.Count(i => i.ChannelSwitch && i.StartedAt >= since); }),
            Count("open_cases", "Cases still open: unresolved, and not yet closed for want of a contact (after 30 days unless Interactions:CloseCasesAfterDays says otherwise).",
                at => { var since = at.CasesOpenSince; return c => c.Cases.Count(k => k.Status == CaseStatus.Open && k.LastContactAt >= since); }),
        };
        foreach (var channel in Enum.GetValues<Channel>())
        {
            var name = "consent_" + channel.ToKey().Replace('-', '_');
            fields.Add(new(name, SegmentValueType.Boolean, $"Whether the customer agreed to proactive contact by {channel.ToKey()}.",
                (op, value, _) => Consent(channel, op, value)));
        }
        return fields;
    }

    private static SegmentField Text(string name, Expression<Func<Customer, string?>> selector, string description) =>
        new(name, SegmentValueType.Text, description, (op, value, _) =>
        {
            var column = selector.Body;
            var text = Value(value.Text);
            var present = Expression.NotEqual(column, Expression.Constant(null, typeof(string)));
            Expression body = op switch
            {
                ComparisonOperator.Equal => Expression.Equal(column, text),
                ComparisonOperator.NotEqual => Expression.AndAlso(present, Expression.NotEqual(column, text)),
                ComparisonOperator.Contains => Expression.AndAlso(present, Expression.Call(column, StringContains, text)),
                _ => throw Unsupported(name, op),
            };
            return Expression.Lambda<Func<Customer, bool>>(body, selector.Parameters);
        });

    private static SegmentField Number(string name, Expression<Func<Customer, double>> selector, string description) =>
        new(name, SegmentValueType.Number, description, (op, value, _) =>
            Expression.Lambda<Func<Customer, bool>>(Compare(name, selector.Body, op, Value((double)value.Number)), selector.Parameters));

    private static SegmentField Count(string name, string description, Func<SegmentTime, Expression<Func<Customer, int>>> selector) =>
        new(name, SegmentValueType.WholeNumber, description, (op, value, at) =>
        {
            var count = selector(at);
            return Expression.Lambda<Func<Customer, bool>>(Compare(name, count.Body, op, Value((int)value.Number)), count.Parameters);
        });

    private static Expression<Func<Customer, bool>> BirthYear(ComparisonOperator op, SegmentLiteral value, SegmentTime at)
    {
        Expression<Func<Customer, int?>> birthYear = c => c.BirthYear;
        var present = Expression.NotEqual(birthYear.Body, Expression.Constant(null, typeof(int?)));
        var year = Expression.Property(birthYear.Body, nameof(Nullable<>.Value));
        return Expression.Lambda<Func<Customer, bool>>(
            Expression.AndAlso(present, Compare("birth_year", year, op, Value((int)value.Number))), birthYear.Parameters);
    }

    private static Expression<Func<Customer, bool>> Age(ComparisonOperator op, SegmentLiteral value, SegmentTime at)
    {
        Expression<Func<Customer, int?>> birthYear = c => c.BirthYear;
        var present = Expression.NotEqual(birthYear.Body, Expression.Constant(null, typeof(int?)));
        var age = Expression.Subtract(Value(at.NowUtc.Year), Expression.Property(birthYear.Body, nameof(Nullable<>.Value)));
        return Expression.Lambda<Func<Customer, bool>>(
            Expression.AndAlso(present, Compare("age", age, op, Value((int)value.Number))), birthYear.Parameters);
    }

    /// <summary>
    /// Whole days since an instant T, d = max(0, floor((now - T) / 1 day)), expressed through "T is later than x" alone,
    /// so the database compares the stored instant with a precomputed boundary instead of doing date arithmetic per row:
    /// for N &gt; 0, d &lt; N exactly when T &gt; now - N days; for N &lt;= 0, never. An instant still ahead counts 0 days,
    /// as the 360 page's tenure does: a customer_since a few hours ahead through a time zone is a new customer, not one
    /// of -1 days that tenure_days = 0 and tenure_days &gt;= 0 missed.
    /// </summary>
    private static SegmentField DaysSince(string name, string description,
        Func<DateTime, Expression<Func<Customer, bool>>> laterThan, Expression<Func<Customer, bool>>? exists) =>
        new(name, SegmentValueType.WholeNumber, description, (op, value, at) =>
        {
            var n = (int)value.Number;
            Expression<Func<Customer, bool>> Within(long days) => days <= 0 ? Never : laterThan(DaysBefore(at.NowUtc, days));
            var withinN = Within(n);
            var withinNPlusOne = Within(n + 1L);
            var result = op switch
            {
                ComparisonOperator.Less => withinN,
                ComparisonOperator.LessOrEqual => withinNPlusOne,
                ComparisonOperator.Greater => Exists(exists, Not(withinNPlusOne)),
                ComparisonOperator.GreaterOrEqual => Exists(exists, Not(withinN)),
                ComparisonOperator.Equal => And(withinNPlusOne, Not(withinN)),
                ComparisonOperator.NotEqual => Exists(exists, Or(Not(withinNPlusOne), withinN)),
                _ => throw Unsupported(name, op),
            };
            return result;
        });

    /// <summary>False for every customer; a parameter, so the statement stays one the engine can plan and cache.</summary>
    private static Expression<Func<Customer, bool>> Never
    {
        get
        {
            var parameter = Expression.Parameter(typeof(Customer), "c");
            return Expression.Lambda<Func<Customer, bool>>(Value(false), parameter);
        }
    }

    private static Expression<Func<Customer, bool>> Exists(Expression<Func<Customer, bool>>? exists, Expression<Func<Customer, bool>> predicate) =>
        exists is null ? predicate : And(exists, predicate);

    private static DateTime DaysBefore(DateTime now, long days)
    {
        // Absurd day counts (tenure_days < 99999999) clamp to the calendar's ends instead of failing.
        var ticks = now.Ticks - (Math.Clamp(days, -4_000_000L, 4_000_000L) * TimeSpan.TicksPerDay);
        return new DateTime(Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
    }

    private static Expression<Func<Customer, bool>> PreferredChannel(ComparisonOperator op, SegmentLiteral value, SegmentTime at)
    {
        ValueNames.TryParse(value.Text, out Channel parsed);
        Expression<Func<Customer, Channel?>> preferred = c => c.PreferredChannel;
        var channel = Value<Channel?>(parsed);
        var present = Expression.NotEqual(preferred.Body, Expression.Constant(null, typeof(Channel?)));
        Expression body = op switch
        {
            ComparisonOperator.Equal => Expression.Equal(preferred.Body, channel),
            ComparisonOperator.NotEqual => Expression.AndAlso(present, Expression.NotEqual(preferred.Body, channel)),
            _ => throw Unsupported("preferred_channel", op),
        };
        return Expression.Lambda<Func<Customer, bool>>(body, preferred.Parameters);
    }

    private static Expression<Func<Customer, bool>> Products(ComparisonOperator op, SegmentLiteral value, SegmentTime at)
    {
        if (op != ComparisonOperator.Has)
        {
            throw Unsupported("products", op);
        }
        // Fencing both sides with commas matches whole items: "tv" is not found in "smart-tv".
        var item = "," + value.Text.Trim() + ",";
        return c => ("," + c.Products + ",").Contains(item);
    }

    private static Expression<Func<Customer, bool>> Consent(Channel channel, ComparisonOperator op, SegmentLiteral value)
    {
        Expression<Func<Customer, bool>> granted = c => c.Consents.Any(k => k.Channel == channel && k.Granted);
        var wantGranted = op switch
        {
            ComparisonOperator.Equal => value.Boolean,
            ComparisonOperator.NotEqual => !value.Boolean,
            _ => throw Unsupported("consent", op),
        };
        return wantGranted ? granted : Not(granted);
    }

    private static Expression Compare(string name, Expression left, ComparisonOperator op, Expression right) => op switch
    {
        ComparisonOperator.Equal => Expression.Equal(left, right),
        ComparisonOperator.NotEqual => Expression.NotEqual(left, right),
        ComparisonOperator.Less => Expression.LessThan(left, right),
        ComparisonOperator.LessOrEqual => Expression.LessThanOrEqual(left, right),
        ComparisonOperator.Greater => Expression.GreaterThan(left, right),
        ComparisonOperator.GreaterOrEqual => Expression.GreaterThanOrEqual(left, right),
        _ => throw Unsupported(name, op),
    };

    /// <summary>
    /// A value read from a closure-like holder: EF Core sends it as a query parameter, never as SQL text,
    /// and one cached query plan serves every value.
    /// </summary>
    internal static Expression Value<T>(T value) =>
        Expression.Field(Expression.Constant(new StrongBox<T>(value)), nameof(StrongBox<>.Value));

    internal static Expression<Func<Customer, bool>> And(Expression<Func<Customer, bool>> left, Expression<Func<Customer, bool>> right) =>
        Expression.Lambda<Func<Customer, bool>>(Expression.AndAlso(left.Body, Rebind(right, left.Parameters[0])), left.Parameters);

    internal static Expression<Func<Customer, bool>> Or(Expression<Func<Customer, bool>> left, Expression<Func<Customer, bool>> right) =>
        Expression.Lambda<Func<Customer, bool>>(Expression.OrElse(left.Body, Rebind(right, left.Parameters[0])), left.Parameters);

    internal static Expression<Func<Customer, bool>> Not(Expression<Func<Customer, bool>> operand) =>
        Expression.Lambda<Func<Customer, bool>>(Expression.Not(operand.Body), operand.Parameters);

    private static Expression Rebind(Expression<Func<Customer, bool>> lambda, ParameterExpression parameter) =>
        new ParameterSwap(lambda.Parameters[0], parameter).Visit(lambda.Body);

    private static readonly System.Reflection.MethodInfo StringContains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;

    private static InvalidOperationException Unsupported(string name, ComparisonOperator op) =>
        new($"The parser let '{op}' through for {name}; this is a bug in the segment rule checker.");

    private sealed class ParameterSwap(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
