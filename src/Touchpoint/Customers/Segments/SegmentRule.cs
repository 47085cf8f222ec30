using System.Linq.Expressions;

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
    /// Membership as a predicate: the rule, evaluated at <paramref name="nowUtc"/>, over customers that were not merged
    /// into another profile (a merged profile's history lives on the survivor, which is the one that belongs).
    /// </summary>
    public Expression<Func<Customer, bool>> ToExpression(DateTime nowUtc)
    {
        var now = nowUtc.Kind switch
        {
            DateTimeKind.Utc => nowUtc,
            DateTimeKind.Local => nowUtc.ToUniversalTime(),
            _ => DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc),
        };
        Expression<Func<Customer, bool>> notMerged = c => c.MergedIntoId == null;
        return SegmentField.And(notMerged, Build(Root, now));
    }

    private static Expression<Func<Customer, bool>> Build(SegmentNode node, DateTime now) => node switch
    {
        AndNode and => SegmentField.And(Build(and.Left, now), Build(and.Right, now)),
        OrNode or => SegmentField.Or(Build(or.Left, now), Build(or.Right, now)),
        NotNode not => SegmentField.Not(Build(not.Operand, now)),
        ComparisonNode comparison => BuildComparison(comparison, now),
        _ => throw new InvalidOperationException($"Unknown rule node {node.GetType().Name}."),
    };

    private static Expression<Func<Customer, bool>> BuildComparison(ComparisonNode node, DateTime now) => node.Operator switch
    {
        ComparisonOperator.In => node.Values
            .Select(v => node.Field.Build(ComparisonOperator.Equal, v, now))
            .Aggregate(SegmentField.Or),
        ComparisonOperator.NotIn => node.Values
            .Select(v => node.Field.Build(ComparisonOperator.NotEqual, v, now))
            .Aggregate(SegmentField.And),
        _ => node.Field.Build(node.Operator, node.Values[0], now),
    };

    /// <summary>How an operator is written in a rule.</summary>
    public static string OperatorText(ComparisonOperator op) => SegmentParser.OperatorText(op);

    public override string ToString() => Text;
}

public static class SegmentQueryExtensions
{
    /// <summary>The customers that belong to the segment at <paramref name="nowUtc"/>; filtered in the database.</summary>
    public static IQueryable<Customer> InSegment(this IQueryable<Customer> customers, SegmentRule rule, DateTime nowUtc) =>
        customers.Where(rule.ToExpression(nowUtc));
}
