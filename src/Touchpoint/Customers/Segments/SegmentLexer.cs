using System.Globalization;
using System.Text;

namespace Touchpoint.Customers.Segments;

internal enum TokenKind
{
    Identifier,
    String,
    Number,
    True,
    False,
    And,
    Or,
    Not,
    In,
    Has,
    Contains,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    OpenParen,
    CloseParen,
    Comma,
    End,
}

/// <summary>One token of a rule; <see cref="Column"/> is 1-based so errors can point at it.</summary>
internal sealed record Token(TokenKind Kind, string Text, int Column, decimal Number = 0)
{
    /// <summary>How the token reads in an error message.</summary>
    public string Display => Kind switch
    {
        TokenKind.End => "end of rule",
        TokenKind.String => "\"" + Text + "\"",
        _ => "'" + Text + "'",
    };
}

/// <summary>Splits a rule into tokens; keywords are case-insensitive, strings are double-quoted with \" and \\ escapes.</summary>
internal static class SegmentLexer
{
    private static readonly Dictionary<string, TokenKind> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["and"] = TokenKind.And,
        ["or"] = TokenKind.Or,
        ["not"] = TokenKind.Not,
        ["in"] = TokenKind.In,
        ["has"] = TokenKind.Has,
        ["contains"] = TokenKind.Contains,
        ["true"] = TokenKind.True,
        ["false"] = TokenKind.False,
    };

    public static (List<Token> Tokens, SegmentRuleError? Error) Tokenize(string text)
    {
        var tokens = new List<Token>();
        // Not even inside quotes: PostgreSQL fails a query (or a saved rule) that holds one.
        if (text.IndexOf('\0', StringComparison.Ordinal) is var nul and >= 0)
        {
            return (tokens, new SegmentRuleError(nul + 1, $"Unexpected character U+0000 at column {nul + 1}", SegmentRuleErrorKind.UnexpectedCharacter, "U+0000"));
        }
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var column = i + 1;
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                var word = text[start..i];
                tokens.Add(new Token(Keywords.TryGetValue(word, out var keyword) ? keyword : TokenKind.Identifier, word, column));
            }
            else if (char.IsAsciiDigit(c) || (c is '-' or '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                var start = i;
                i++;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }
                var literal = text[start..i];
                if (!decimal.TryParse(literal, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                {
                    return (tokens, new SegmentRuleError(column, $"'{literal}' is not a number at column {column}", SegmentRuleErrorKind.NotANumber, literal));
                }
                if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
                {
                    return (tokens, new SegmentRuleError(i + 1, $"Expected a space after the number '{literal}' at column {i + 1}", SegmentRuleErrorKind.NumberNeedsSpace, literal));
                }
                tokens.Add(new Token(TokenKind.Number, literal, column, number));
            }
            else if (c == '"')
            {
                var value = new StringBuilder();
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
                    {
                        value.Append(text[i + 1]);
                        i += 2;
                    }
                    else if (text[i] == '"')
                    {
                        closed = true;
                        i++;
                        break;
                    }
                    else
                    {
                        value.Append(text[i]);
                        i++;
                    }
                }
                if (!closed)
                {
                    return (tokens, new SegmentRuleError(column, $"The text starting at column {column} has no closing '\"'", SegmentRuleErrorKind.UnclosedText));
                }
                tokens.Add(new Token(TokenKind.String, value.ToString(), column));
            }
            else
            {
                var (kind, length) = c switch
                {
                    '=' when Next(text, i) == '=' => (TokenKind.Equal, 2),
                    '=' => (TokenKind.Equal, 1),
                    '!' when Next(text, i) == '=' => (TokenKind.NotEqual, 2),
                    '<' when Next(text, i) == '>' => (TokenKind.NotEqual, 2),
                    '<' when Next(text, i) == '=' => (TokenKind.LessOrEqual, 2),
                    '<' => (TokenKind.Less, 1),
                    '>' when Next(text, i) == '=' => (TokenKind.GreaterOrEqual, 2),
                    '>' => (TokenKind.Greater, 1),
                    '(' => (TokenKind.OpenParen, 1),
                    ')' => (TokenKind.CloseParen, 1),
                    ',' => (TokenKind.Comma, 1),
                    '\'' => (TokenKind.End, -1),
                    _ => (TokenKind.End, 0),
                };
                if (length == -1)
                {
                    return (tokens, new SegmentRuleError(column, $"Text values go in double quotes (\"...\"), not single quotes, at column {column}", SegmentRuleErrorKind.SingleQuotes));
                }
                if (length == 0)
                {
                    return (tokens, new SegmentRuleError(column, $"Unexpected character '{c}' at column {column}", SegmentRuleErrorKind.UnexpectedCharacter, c.ToString()));
                }
                tokens.Add(new Token(kind, text.Substring(i, length), column));
                i += length;
            }
        }
        tokens.Add(new Token(TokenKind.End, "", text.Length + 1));
        return (tokens, null);
    }

    private static char Next(string text, int i) => i + 1 < text.Length ? text[i + 1] : '\0';
}
