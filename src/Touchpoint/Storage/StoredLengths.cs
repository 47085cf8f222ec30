using Touchpoint.Import;

namespace Touchpoint.Storage;

/// <summary>
/// The longest text a bounded column holds (TouchpointDb's HasMaxLength). Inputs check them before storing:
/// PostgreSQL refuses a longer value (a 500, and a whole batch or file lost), SQLite would keep it.
/// </summary>
public static class StoredLengths
{
    public const int ExternalId = 128;
    /// <summary>A case's own id: "auto:" and an interaction's external id fit.</summary>
    public const int CaseExternalId = 140;
    public const int CustomerName = 200;
    public const int Products = 500;
    public const int IdentityValue = 256;
    public const int Reason = 100;
    public const int Queue = 100;

    /// <summary>Adds "is longer than N characters" for <paramref name="field"/> when <paramref name="value"/> is.</summary>
    public static void Check(List<FieldError> errors, string field, string? value, int max)
    {
        if (value is not null && value.Length > max)
        {
            errors.Add(new(field, $"is longer than {max} characters"));
        }
    }
}
