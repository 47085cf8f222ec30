using Touchpoint.Import;

namespace Touchpoint.Storage;

/// <summary>What any stored text must be: PostgreSQL cannot hold a NUL character in text (it fails the whole write), SQLite could.</summary>
public static class StoredText
{
    /// <summary>The rule every input applies to an email address: it has an '@' (the identity column holds 256 characters).</summary>
    public static void CheckEmail(List<FieldError> errors, string field, string? value)
    {
        if (value is { Length: > 0 } email && !string.IsNullOrWhiteSpace(email) && !email.Contains('@', StringComparison.Ordinal))
        {
            errors.Add(new(field, "is not an email address"));
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
