namespace Touchpoint.Customers.Segments;

/// <summary>
/// What is wrong with a rule and where: <see cref="Line"/> and <see cref="Column"/> (within the line) are 1-based; <see cref="Message"/>
/// is a full English sentence that names the column, and the line first when the rule has several (what the API answers). <see cref="Kind"/> and <see cref="Arguments"/> (the tokens, fields and values the
/// message quotes, as the rule writes them) let the web UI say the same in its own language.
/// </summary>
public sealed record SegmentRuleError(int Column, string Message, SegmentRuleErrorKind Kind, IReadOnlyList<string> Arguments)
{
    public SegmentRuleError(int column, string message, SegmentRuleErrorKind kind, params string[] arguments)
        : this(column, message, kind, (IReadOnlyList<string>)arguments)
    {
    }

    /// <summary>The line of a rule written on several lines; 1 otherwise.</summary>
    public int Line { get; init; } = 1;

    /// <summary>Equal when everything is, the arguments item by item (a record would compare the list's reference).</summary>
    public bool Equals(SegmentRuleError? other) =>
        other is not null && Line == other.Line && Column == other.Column && Message == other.Message && Kind == other.Kind
        && Arguments.SequenceEqual(other.Arguments);

    public override int GetHashCode() => HashCode.Combine(Line, Column, Message, Kind);
}

/// <summary>
/// The kinds of rule error; the comment lists each one's <see cref="SegmentRuleError.Arguments"/>. "Found" arguments are a
/// token as an error quotes it ('plan', "text"); kinds ending in AtEnd are the same error where the rule ends instead.
/// </summary>
public enum SegmentRuleErrorKind
{
    /// <summary>No arguments.</summary>
    Empty,
    /// <summary>The literal.</summary>
    NotANumber,
    /// <summary>The number.</summary>
    NumberNeedsSpace,
    /// <summary>No arguments.</summary>
    UnclosedText,
    /// <summary>No arguments.</summary>
    SingleQuotes,
    /// <summary>The character.</summary>
    UnexpectedCharacter,
    /// <summary>No arguments.</summary>
    UnmatchedCloseParen,
    /// <summary>Found.</summary>
    ExpectedAndOr,
    /// <summary>The column of the '(', found.</summary>
    UnclosedParen,
    /// <summary>The column of the '('.</summary>
    UnclosedParenAtEnd,
    /// <summary>The token before the end.</summary>
    ExpectedConditionAtEnd,
    /// <summary>Found.</summary>
    ExpectedField,
    /// <summary>The field as written.</summary>
    UnknownField,
    /// <summary>The field as written, the suggested field.</summary>
    UnknownFieldDidYouMean,
    /// <summary>The field, found.</summary>
    ExpectedComparison,
    /// <summary>The field.</summary>
    ExpectedComparisonAtEnd,
    /// <summary>No arguments.</summary>
    ExpectedList,
    /// <summary>Found.</summary>
    ExpectedListSeparator,
    /// <summary>No arguments.</summary>
    ExpectedListSeparatorAtEnd,
    /// <summary>The token before (such as '=').</summary>
    ExpectedValue,
    /// <summary>The token before, the word written without quotes.</summary>
    ExpectedQuotedValue,
    /// <summary>The deepest nesting allowed.</summary>
    TooDeep,
    /// <summary>The operator, the field, the operators the field allows.</summary>
    OperatorNotApplicable,
    /// <summary>The field, the value.</summary>
    TextExpected,
    /// <summary>The field, the value.</summary>
    NumberExpected,
    /// <summary>The field, the value.</summary>
    WholeNumberExpected,
    /// <summary>The field, the value.</summary>
    NumberTooLarge,
    /// <summary>The field, the value.</summary>
    BooleanExpected,
    /// <summary>The field, the value.</summary>
    ChannelExpected,
    /// <summary>The value, the channel names.</summary>
    UnknownChannel,
    /// <summary>The field, the value.</summary>
    ProductCodeExpected,
    /// <summary>The value.</summary>
    ProductCodeInvalid,
}

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

public sealed record SegmentLiteral(LiteralKind Kind, string Text, decimal Number, bool Boolean, int Column, int Line = 1)
{
    public override string ToString() => Kind == LiteralKind.String ? "\"" + Text + "\"" : Text;
}
