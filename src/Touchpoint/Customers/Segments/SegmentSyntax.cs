namespace Touchpoint.Customers.Segments;

/// <summary>What is wrong with a rule and where: <see cref="Column"/> is 1-based; <see cref="Message"/> is a full sentence that names the column.</summary>
public sealed record SegmentRuleError(int Column, string Message);

public enum ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    In,
    NotIn,
    Has,
    Contains,
}

/// <summary>A node of a parsed rule; <see cref="Column"/> is where it starts in the rule text.</summary>
public abstract record SegmentNode(int Column);

public sealed record AndNode(SegmentNode Left, SegmentNode Right) : SegmentNode(Left.Column);

public sealed record OrNode(SegmentNode Left, SegmentNode Right) : SegmentNode(Left.Column);

public sealed record NotNode(SegmentNode Operand, int NotColumn) : SegmentNode(NotColumn);

/// <summary><c>field op value</c>, <c>field in (values)</c> or a bare boolean field (which means <c>field = true</c>).</summary>
public sealed record ComparisonNode(SegmentField Field, ComparisonOperator Operator, IReadOnlyList<SegmentLiteral> Values, int FieldColumn)
    : SegmentNode(FieldColumn);

public enum LiteralKind
{
    String,
    Number,
    Boolean,
}

public sealed record SegmentLiteral(LiteralKind Kind, string Text, decimal Number, bool Boolean, int Column)
{
    public override string ToString() => Kind == LiteralKind.String ? "\"" + Text + "\"" : Text;
}
