using Touchpoint.Import;

namespace Touchpoint.Storage;

/// <summary>
/// Rules for text every input checks the same way: no NUL character (PostgreSQL cannot hold one in text and fails the
/// whole write; SQLite could), and an email address has an '@'.
/// </summary>
public static class StoredText
{
    /// <summary>
    /// <paramref name="text"/> cut to at most <paramref name="length"/> UTF-16 units, one fewer where the cut would split
    /// an emoji (a surrogate pair): half of one is no character, name folding throws on it and an answer shows U+FFFD.
    /// </summary>
    public static string Cut(string text, int length) =>
        text.Length <= length ? text : text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)];

    /// <summary>Adds "is not an email address" when <paramref name="value"/> is given without an '@'.</summary>
    public static void CheckEmail(List<FieldError> errors, string field, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value) && !value.Contains('@', StringComparison.Ordinal))
        {
            errors.Add(new(field, "is not an email address"));
        }
    }

    /// <summary>
    /// A phone number needs some digits: "n/a" or "unknown" would all be one empty key, and every customer giving one
    /// would resolve to the first.
    /// </summary>
    public static void CheckPhone(List<FieldError> errors, string field, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value) && value.Count(char.IsAsciiDigit) < 5)
        {
            errors.Add(new(field, "has too few digits for a phone number"));
        }
    }

    /// <summary>
    /// A handle needs more than its "@": "@" alone (a form's empty placeholder) would be one empty key, and every contact
    /// giving it would resolve to the first, and teach that profile its email and phone.
    /// </summary>
    public static void CheckHandle(List<FieldError> errors, string field, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value) && value.Trim().TrimStart('@').Length == 0)
        {
            errors.Add(new(field, "has no handle after the @"));
        }
    }

    /// <summary>Adds "contains a NUL character" for each field whose value does.</summary>
    public static void CheckNoNul(List<FieldError> errors, params ReadOnlySpan<(string Field, string? Value)> fields)
    {
        foreach (var (field, value) in fields)
        {
            if (value is not null && value.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add(new(field, "contains a NUL character"));
            }
        }
    }
}
