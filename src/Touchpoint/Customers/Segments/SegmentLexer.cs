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

/// <summary>One token of a rule; <see cref="Line"/> and <see cref="Column"/> (within the line) are 1-based so errors can point at it.</summary>
internal sealed record Token(TokenKind Kind, string Text, int Line, int Column, decimal Number = 0)
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
        // Where each line starts: a rule written on several lines (the editor is a text area) is pointed into by line and column.
        var lineStarts = new List<int> { 0 };
        for (var n = 0; n < text.Length; n++)
        {
            if (text[n] == '\n')
            {
                lineStarts.Add(n + 1);
            }
        }
        (int Line, int Column) Locate(int index)
        {
            var found = lineStarts.BinarySearch(index);
            var line = found >= 0 ? found : ~found - 1;
            return (line + 1, index - lineStarts[line] + 1);
        }
        SegmentRuleError Error(int index, Func<int, string> message, SegmentRuleErrorKind kind, params string[] arguments)
        {
            var (line, column) = Locate(index);
            return new SegmentRuleError(column, message(column), kind, arguments) { Line = line };
        }
        Token Make(TokenKind kind, string tokenText, int index, decimal number = 0)
        {
            var (line, column) = Locate(index);
            return new Token(kind, tokenText, line, column, number);
        }

        // Not even inside quotes: PostgreSQL fails a query (or a saved rule) that holds one.
        if (text.IndexOf('\0', StringComparison.Ordinal) is var nul and >= 0)
        {
            return (tokens, Error(nul, column => $"Unexpected character U+0000 at column {column}", SegmentRuleErrorKind.UnexpectedCharacter, "U+0000"));
        }
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var start = i;
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                var word = text[start..i];
                tokens.Add(Make(Keywords.TryGetValue(word, out var keyword) ? keyword : TokenKind.Identifier, word, start));
            }
            else if (char.IsAsciiDigit(c) || (c is '-' or '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                i++;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }
                var literal = text[start..i];
                if (!decimal.TryParse(literal, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                {
                    return (tokens, Error(start, column => $"'{literal}' is not a number at column {column}", SegmentRuleErrorKind.NotANumber, literal));
                }
                if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
                {
                    var end = i;
                    while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '_' or '.' or '+' or '-'))
                    {
                        end++;
                    }
                    var word = text[i..end];
                    // "3and" is a number and a keyword run together; "1e3", "0x10" and "1_000" are numbers written another way.
                    if (!Keywords.ContainsKey(word) || word.Equals("true", StringComparison.OrdinalIgnoreCase) || word.Equals("false", StringComparison.OrdinalIgnoreCase))
                    {
                        var written = text[start..end];
                        return (tokens, Error(start, column => $"'{written}' is not a number at column {column}", SegmentRuleErrorKind.NotANumber, written));
                    }
                    return (tokens, Error(i, column => $"Expected a space after the number '{literal}' at column {column}", SegmentRuleErrorKind.NumberNeedsSpace, literal));
                }
                tokens.Add(Make(TokenKind.Number, literal, start, number));
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
                    return (tokens, Error(start, column => $"The text starting at column {column} has no closing '\"'", SegmentRuleErrorKind.UnclosedText));
                }
                tokens.Add(Make(TokenKind.String, value.ToString(), start));
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
                    return (tokens, Error(start, column => $"Text values go in double quotes (\"...\"), not single quotes, at column {column}", SegmentRuleErrorKind.SingleQuotes));
                }
                if (length == 0)
                {
                    return (tokens, Error(start, column => $"Unexpected character '{c}' at column {column}", SegmentRuleErrorKind.UnexpectedCharacter, c.ToString()));
                }
                tokens.Add(Make(kind, text.Substring(i, length), start));
                i += length;
            }
        }
        tokens.Add(Make(TokenKind.End, "", text.Length));
        return (tokens, null);
    }

    private static char Next(string text, int i) => i + 1 < text.Length ? text[i + 1] : '\0';
}
