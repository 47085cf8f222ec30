using System.Linq.Expressions;
using Touchpoint.Interactions;

namespace Touchpoint.Customers.Segments;

/// <summary>The outcome of <see cref="SegmentRule.Parse"/>: the rule, or every error found with its column.</summary>
public sealed record SegmentParseResult(SegmentRule? Rule, IReadOnlyList<SegmentRuleError> Errors)
{
    public bool Succeeded => Rule is not null;
}

/// <summary>
/// A checked segment rule such as <c>plan = "premium" and tenure_days &lt; 90 and contacts_30d &gt;= 3</c>,
/// turned into a predicate the database evaluates: values travel as query parameters, never as SQL text.
/// </summary>
public sealed class SegmentRule
{
    private SegmentRule(string text, SegmentNode root)
    {
        Text = text;
        Root = root;
    }

    public string Text { get; }
    public SegmentNode Root { get; }

    public static SegmentParseResult Parse(string? text)
    {
        var (root, errors) = SegmentParser.Parse(text ?? "");
        return root is null ? new SegmentParseResult(null, errors) : new SegmentParseResult(new SegmentRule(text!, root), []);
    }

    /// <summary>Parses a rule known to be valid (a default or a stored one); a bad rule throws with its first error.</summary>
    public static SegmentRule ParseValid(string text) =>
        Parse(text) is { Rule: { } rule } ? rule : throw new FormatException(Parse(text).Errors[0].Message);

    /// <summary>
    /// Membership as a predicate: the rule, evaluated <paramref name="at"/>, over customers that were not merged
    /// into another profile (a merged profile's history lives on the survivor, which is the one that belongs).
    /// </summary>
    public Expression<Func<Customer, bool>> ToExpression(SegmentTime at)
    {
        Expression<Func<Customer, bool>> notMerged = c => c.MergedIntoId == null;
        return SegmentField.And(notMerged, Build(Root, at));
    }

    private static Expression<Func<Customer, bool>> Build(SegmentNode node, SegmentTime at) => node switch
    {
        AndNode and => SegmentField.And(Build(and.Left, at), Build(and.Right, at)),
        OrNode or => SegmentField.Or(Build(or.Left, at), Build(or.Right, at)),
        NotNode not => SegmentField.Not(Build(not.Operand, at)),
        ComparisonNode comparison => BuildComparison(comparison, at),
        _ => throw new InvalidOperationException($"Unknown rule node {node.GetType().Name}."),
    };

    private static Expression<Func<Customer, bool>> BuildComparison(ComparisonNode node, SegmentTime at) => node.Operator switch
    {
        ComparisonOperator.In => Balanced(Distinct(node.Values).Select(v => node.Field.Build(ComparisonOperator.Equal, v, at)).ToList(), SegmentField.Or),
        ComparisonOperator.NotIn => Balanced(Distinct(node.Values).Select(v => node.Field.Build(ComparisonOperator.NotEqual, v, at)).ToList(), SegmentField.And),
        _ => node.Field.Build(node.Operator, node.Values[0], at),
    };

    /// <summary>A list's values once each (1 and 1.0 are one number), so a long list repeats no work.</summary>
    private static IEnumerable<SegmentLiteral> Distinct(IReadOnlyList<SegmentLiteral> values) =>
        values.DistinctBy(v => (v.Kind, v.Kind == LiteralKind.Number ? v.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) : v.Text));

    /// <summary>
    /// The terms of a list joined as a balanced tree, not a chain: a chain of a thousand (contacts_30d in (0,1,2,…)) nests
    /// the SQL a thousand deep, past SQLite's limit on expression depth (1000), and the statement failed.
    /// </summary>
    private static Expression<Func<Customer, bool>> Balanced(IReadOnlyList<Expression<Func<Customer, bool>>> terms,
        Func<Expression<Func<Customer, bool>>, Expression<Func<Customer, bool>>, Expression<Func<Customer, bool>>> combine)
    {
        return Join(0, terms.Count);

        Expression<Func<Customer, bool>> Join(int start, int count) =>
            count == 1 ? terms[start] : combine(Join(start, count / 2), Join(start + count / 2, count - count / 2));
    }

    /// <summary>How an operator is written in a rule.</summary>
    public static string OperatorText(ComparisonOperator op) => SegmentParser.OperatorText(op);

    public override string ToString() => Text;
}

public static class SegmentQueryExtensions
{
    /// <summary>The customers that belong to the segment <paramref name="at"/>; filtered in the database.</summary>
    public static IQueryable<Customer> InSegment(this IQueryable<Customer> customers, SegmentRule rule, SegmentTime at) =>
        customers.Where(rule.ToExpression(at));
}

/// <summary>
/// When a rule is evaluated, and the settings its time-relative fields depend on (open_cases: how long an unresolved
/// case stays open without a contact).
/// </summary>
public readonly record struct SegmentTime
{
    public SegmentTime(DateTime now, InteractionOptions options)
    {
        NowUtc = now.Kind switch
        {
            DateTimeKind.Utc => now,
            DateTimeKind.Local => now.ToUniversalTime(),
            _ => DateTime.SpecifyKind(now, DateTimeKind.Utc),
        };
        CasesOpenSince = options.CasesOpenSince(NowUtc);
    }

    public DateTime NowUtc { get; }

    /// <summary>The oldest last contact an open case may have (see <see cref="InteractionOptions.CaseStatusAt"/>).</summary>
    public DateTime CasesOpenSince { get; }
}
