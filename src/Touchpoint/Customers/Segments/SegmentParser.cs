using System.Globalization;
using Touchpoint.Interactions;

namespace Touchpoint.Customers.Segments;

/// <summary>
/// Recursive-descent parser for segment rules. Grammar (keywords case-insensitive):
/// <code>
/// rule       = or
/// or         = and { "or" and }
/// and        = unary { "and" unary }
/// unary      = "not" unary | primary
/// primary    = "(" or ")" | comparison
/// comparison = field ( op value | ["not"] "in" "(" value { "," value } ")" | "has" value | "contains" value | (nothing, for a true/false field) )
/// op         = "=" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;=" ("==" and "&lt;&gt;" are accepted too)
/// value      = "text in double quotes" | number | true | false
/// </code>
/// A syntax error stops parsing; field and type errors are collected so one pass reports all of them.
/// Text comparisons are exact (case-sensitive) so both engines agree and indexes stay usable; keywords and field names are not.
/// </summary>
internal sealed class SegmentParser
{
    private const int MaxDepth = 64;

    private readonly List<Token> _tokens;
    private readonly List<SegmentRuleError> _errors = [];
    private int _position;
    private int _depth;

    private SegmentParser(List<Token> tokens) => _tokens = tokens;

    public static (SegmentNode? Root, IReadOnlyList<SegmentRuleError> Errors) Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, [new SegmentRuleError(1, "The rule is empty at column 1; write a condition such as plan = \"premium\"", SegmentRuleErrorKind.Empty)]);
        }
        var (tokens, lexError) = SegmentLexer.Tokenize(text);
        if (lexError is not null)
        {
            return (null, OnLines(text, [lexError]));
        }
        var parser = new SegmentParser(tokens);
        SegmentNode? root = null;
        try
        {
            root = parser.ParseOr();
            if (parser.Current.Kind != TokenKind.End)
            {
                var token = parser.Current;
                if (token.Kind == TokenKind.Comma && parser.Previous is { Kind: TokenKind.Number } whole && parser.Peek(1) is { Kind: TokenKind.Number } fraction
                    && whole.Line == token.Line && fraction.Line == token.Line && whole.Column + whole.Text.Length == token.Column && token.Column + 1 == fraction.Column)
                {
                    // "revenue > 1,5": a decimal comma, not a list (lists are in parentheses after in).
                    var written = whole.Text + "," + fraction.Text;
                    throw Fail(whole, $"'{written}' is not a number at column {whole.Column}", SegmentRuleErrorKind.NotANumber, written);
                }
                throw token.Kind is TokenKind.CloseParen
                    ? Fail(token, $"Unexpected ')' at column {token.Column}; there is no '(' for it to close", SegmentRuleErrorKind.UnmatchedCloseParen)
                    : Fail(token, $"Expected 'and' or 'or' before {token.Display} at column {token.Column}", SegmentRuleErrorKind.ExpectedAndOr, token.Display);
            }
        }
        catch (SyntaxError error)
        {
            parser._errors.Add(error.Error);
            root = null;
        }
        var errors = OnLines(text, parser._errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        return (errors.Count == 0 ? root : null, errors);
    }

    /// <summary>Errors in a rule on several lines name the line first: "column 3" alone would send the reader to the first one.</summary>
    private static List<SegmentRuleError> OnLines(string text, List<SegmentRuleError> errors) =>
        text.Contains('\n', StringComparison.Ordinal)
            ? errors.Select(e => e with { Message = string.Create(CultureInfo.InvariantCulture, $"Line {e.Line}: {e.Message}") }).ToList()
            : errors;

    private Token Current => _tokens[_position];

    private Token Previous => _tokens[_position - 1];

    private Token Advance() => _tokens[_position++];

    private bool Accept(TokenKind kind)
    {
        if (Current.Kind != kind)
        {
            return false;
        }
        _position++;
        return true;
    }

    private SegmentNode ParseOr()
    {
        var left = ParseAnd();
        while (Accept(TokenKind.Or))
        {
            left = new OrNode(left, ParseAnd());
        }
        return left;
    }

    private SegmentNode ParseAnd()
    {
        var left = ParseUnary();
        while (Accept(TokenKind.And))
        {
            left = new AndNode(left, ParseUnary());
        }
        return left;
    }

    private SegmentNode ParseUnary()
    {
        if (Current.Kind == TokenKind.Not)
        {
            var not = Advance();
            Enter(not);
            var operand = ParseUnary();
            _depth--;
            return new NotNode(operand, not.Column);
        }
        return ParsePrimary();
    }

    private SegmentNode ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.OpenParen:
            {
                Advance();
                Enter(token);
                var inner = ParseOr();
                _depth--;
                if (!Accept(TokenKind.CloseParen))
                {
                    var open = token.Column.ToString(CultureInfo.InvariantCulture);
                    throw Current.Kind == TokenKind.End
                        ? Fail(Current, $"Expected ')' to close the '(' at column {open}, found end of rule at column {Current.Column}",
                            SegmentRuleErrorKind.UnclosedParenAtEnd, open)
                        : Fail(Current, $"Expected ')' to close the '(' at column {open}, found {Current.Display} at column {Current.Column}",
                            SegmentRuleErrorKind.UnclosedParen, open, Current.Display);
                }
                return inner;
            }
            case TokenKind.Identifier:
                return ParseComparison();
            case TokenKind.End when _position == 0:
                throw Fail(token, $"The rule is empty at column {token.Column}", SegmentRuleErrorKind.Empty);
            case TokenKind.End:
                throw Fail(token, $"Expected a condition after {Previous.Display} at column {token.Column}, but the rule ends there",
                    SegmentRuleErrorKind.ExpectedConditionAtEnd, Previous.Display);
            default:
                throw Fail(token, $"Expected a field name at column {token.Column}, found {token.Display}", SegmentRuleErrorKind.ExpectedField, token.Display);
        }
    }

    private ComparisonNode ParseComparison()
    {
        var name = Advance();
        var field = SegmentField.Find(name.Text);
        if (field is null)
        {
            var suggestion = SegmentField.Suggest(name.Text);
            _errors.Add(suggestion is null
                ? new SegmentRuleError(name.Column, $"Unknown field '{name.Text}' at column {name.Column}; see the list of fields rules can use",
                    SegmentRuleErrorKind.UnknownField, name.Text) { Line = name.Line }
                : new SegmentRuleError(name.Column, $"Unknown field '{name.Text}' at column {name.Column}; did you mean '{suggestion}'?",
                    SegmentRuleErrorKind.UnknownFieldDidYouMean, name.Text, suggestion) { Line = name.Line });
        }

        var opToken = Current;
        ComparisonOperator op;
        List<SegmentLiteral> values;
        switch (opToken.Kind)
        {
            case TokenKind.Equal or TokenKind.NotEqual or TokenKind.Less or TokenKind.LessOrEqual or TokenKind.Greater or TokenKind.GreaterOrEqual
                or TokenKind.Has or TokenKind.Contains:
                Advance();
                op = opToken.Kind switch
                {
                    TokenKind.Equal => ComparisonOperator.Equal,
                    TokenKind.NotEqual => ComparisonOperator.NotEqual,
                    TokenKind.Less => ComparisonOperator.Less,
                    TokenKind.LessOrEqual => ComparisonOperator.LessOrEqual,
                    TokenKind.Greater => ComparisonOperator.Greater,
                    TokenKind.GreaterOrEqual => ComparisonOperator.GreaterOrEqual,
                    TokenKind.Has => ComparisonOperator.Has,
                    _ => ComparisonOperator.Contains,
                };
                values = [ParseValue(opToken)];
                break;
            case TokenKind.In:
                Advance();
                op = ComparisonOperator.In;
                values = ParseList(opToken);
                break;
            case TokenKind.Not when Peek(1).Kind == TokenKind.In:
                Advance();
                var inToken = Advance();
                op = ComparisonOperator.NotIn;
                values = ParseList(inToken);
                break;
            default:
                if (field?.Type == SegmentValueType.Boolean)
                {
                    // A bare true/false field reads as a condition of its own: "consent_email and plan = ...".
                    return new ComparisonNode(field, ComparisonOperator.Equal, [new SegmentLiteral(LiteralKind.Boolean, "true", 0, true, name.Column, name.Line)], name.Column);
                }
                throw opToken.Kind == TokenKind.End
                    ? Fail(opToken, $"Expected a comparison (=, !=, <, <=, >, >=, in, not in, has, contains) after '{name.Text}' at column {opToken.Column}, found end of rule",
                        SegmentRuleErrorKind.ExpectedComparisonAtEnd, name.Text)
                    : Fail(opToken, $"Expected a comparison (=, !=, <, <=, >, >=, in, not in, has, contains) after '{name.Text}' at column {opToken.Column}, found {opToken.Display}",
                        SegmentRuleErrorKind.ExpectedComparison, name.Text, opToken.Display);
        }

        if (field is null)
        {
            return new ComparisonNode(PlaceholderField, op, values, name.Column);
        }
        Check(field, op, opToken, values);
        return new ComparisonNode(field, op, values, name.Column);
    }

    /// <summary>Stands in for an unknown field so parsing can go on and report later errors too; never evaluated.</summary>
    private static SegmentField PlaceholderField => SegmentField.All[0];

    private Token Peek(int offset) => _tokens[Math.Min(_position + offset, _tokens.Count - 1)];

    private List<SegmentLiteral> ParseList(Token inToken)
    {
        if (!Accept(TokenKind.OpenParen))
        {
            throw Fail(Current, $"Expected '(' after 'in' at column {Current.Column}, e.g. in (\"a\", \"b\")", SegmentRuleErrorKind.ExpectedList);
        }
        var values = new List<SegmentLiteral> { ParseValue(Previous) };
        while (Accept(TokenKind.Comma))
        {
            values.Add(ParseValue(Previous));
        }
        if (!Accept(TokenKind.CloseParen))
        {
            throw Current.Kind == TokenKind.End
                ? Fail(Current, $"Expected ',' or ')' in the list after '{inToken.Text}' at column {Current.Column}, found end of rule",
                    SegmentRuleErrorKind.ExpectedListSeparatorAtEnd)
                : Fail(Current, $"Expected ',' or ')' in the list after '{inToken.Text}' at column {Current.Column}, found {Current.Display}",
                    SegmentRuleErrorKind.ExpectedListSeparator, Current.Display);
        }
        return values;
    }

    private SegmentLiteral ParseValue(Token after)
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.String:
                Advance();
                return new SegmentLiteral(LiteralKind.String, token.Text, 0, false, token.Column, token.Line);
            case TokenKind.Number:
                Advance();
                return new SegmentLiteral(LiteralKind.Number, token.Text, token.Number, false, token.Column, token.Line);
            case TokenKind.True or TokenKind.False:
                Advance();
                return new SegmentLiteral(LiteralKind.Boolean, token.Text.ToLowerInvariant(), 0, token.Kind == TokenKind.True, token.Column, token.Line);
            case TokenKind.Identifier:
                throw Fail(token, $"Expected a value after {after.Display} at column {token.Column}; text goes in double quotes, e.g. \"{token.Text}\"",
                    SegmentRuleErrorKind.ExpectedQuotedValue, after.Display, token.Text);
            default:
                throw Fail(token, $"Expected a value after {after.Display} at column {token.Column}", SegmentRuleErrorKind.ExpectedValue, after.Display);
        }
    }

    private void Check(SegmentField field, ComparisonOperator op, Token opToken, List<SegmentLiteral> values)
    {
        if (!field.Operators.Contains(op))
        {
            var allowed = string.Join(", ", field.Operators.Select(OperatorText));
            var kind = field.Type switch
            {
                SegmentValueType.Text => "text",
                SegmentValueType.Number or SegmentValueType.WholeNumber => "a number",
                SegmentValueType.Boolean => "true or false",
                SegmentValueType.Channel => "a channel",
                SegmentValueType.ProductList => "a list of products",
            };
            _errors.Add(new SegmentRuleError(opToken.Column,
                $"'{OperatorText(op)}' does not apply to {field.Name} ({kind}) at column {opToken.Column}; use {allowed}",
                SegmentRuleErrorKind.OperatorNotApplicable, OperatorText(op), field.Name, allowed) { Line = opToken.Line });
            return;
        }
        foreach (var value in values)
        {
            if (CheckValue(field, value) is var (kind, message))
            {
                var arguments = kind switch
                {
                    SegmentRuleErrorKind.UnknownChannel => [value.ToString(), ChannelKeys],
                    SegmentRuleErrorKind.ProductCodeInvalid => [value.ToString()],
                    _ => new[] { field.Name, value.ToString() },
                };
                _errors.Add(new SegmentRuleError(value.Column, $"{message} at column {value.Column}", kind, arguments) { Line = value.Line });
            }
        }
    }

    private static readonly string ChannelKeys = string.Join(", ", Enum.GetValues<Channel>().Select(c => c.ToKey()));

    private static (SegmentRuleErrorKind Kind, string Message)? CheckValue(SegmentField field, SegmentLiteral value) => field.Type switch
    {
        SegmentValueType.Text when value.Kind != LiteralKind.String =>
            (SegmentRuleErrorKind.TextExpected, $"{field.Name} compares with text in double quotes, not {value}"),
        SegmentValueType.Number when value.Kind != LiteralKind.Number => (SegmentRuleErrorKind.NumberExpected, $"{field.Name} compares with a number, not {value}"),
        SegmentValueType.Number when value.Number is > 1e15m or < -1e15m => (SegmentRuleErrorKind.NumberTooLarge, $"{value} is too large for {field.Name}"),
        SegmentValueType.WholeNumber when value.Kind != LiteralKind.Number =>
            (SegmentRuleErrorKind.NumberExpected, $"{field.Name} compares with a number, not {value}"),
        SegmentValueType.WholeNumber when value.Number != decimal.Truncate(value.Number) =>
            (SegmentRuleErrorKind.WholeNumberExpected, $"{field.Name} compares with a whole number, not {value}"),
        SegmentValueType.WholeNumber when value.Number is > int.MaxValue / 2 or < int.MinValue / 2 =>
            (SegmentRuleErrorKind.NumberTooLarge, $"{value} is too large for {field.Name}"),
        SegmentValueType.Boolean when value.Kind != LiteralKind.Boolean =>
            (SegmentRuleErrorKind.BooleanExpected, $"{field.Name} compares with true or false, not {value}"),
        SegmentValueType.Channel when value.Kind != LiteralKind.String =>
            (SegmentRuleErrorKind.ChannelExpected, $"{field.Name} compares with a channel name in double quotes, not {value}"),
        SegmentValueType.Channel when !ValueNames.TryParse<Channel>(value.Text, out _) =>
            (SegmentRuleErrorKind.UnknownChannel, $"Unknown channel {value}; channels are {ChannelKeys}"),
        SegmentValueType.ProductList when value.Kind != LiteralKind.String =>
            (SegmentRuleErrorKind.ProductCodeExpected, $"{field.Name} has product codes in double quotes, not {value}"),
        SegmentValueType.ProductList when value.Text.Contains(',', StringComparison.Ordinal) || value.Text.Trim().Length == 0 =>
            (SegmentRuleErrorKind.ProductCodeInvalid, $"A product code is one non-empty item without commas, not {value}"),
        _ => null,
    };

    internal static string OperatorText(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "!=",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Greater => ">",
        ComparisonOperator.GreaterOrEqual => ">=",
        ComparisonOperator.In => "in",
        ComparisonOperator.NotIn => "not in",
        ComparisonOperator.Has => "has",
        ComparisonOperator.Contains => "contains",
    };

    private void Enter(Token token)
    {
        if (++_depth > MaxDepth)
        {
            throw Fail(token, string.Create(CultureInfo.InvariantCulture, $"The rule nests deeper than {MaxDepth} levels at column {token.Column}"),
                SegmentRuleErrorKind.TooDeep, MaxDepth.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static SyntaxError Fail(Token token, string message, SegmentRuleErrorKind kind, params string[] arguments) =>
        new(new SegmentRuleError(token.Column, message, kind, arguments) { Line = token.Line });

    private sealed class SyntaxError(SegmentRuleError error) : Exception(error.Message)
    {
        public SegmentRuleError Error { get; } = error;
    }
}
