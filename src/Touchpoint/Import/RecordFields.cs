using System.Globalization;
using System.Text.RegularExpressions;
using Touchpoint.Interactions;

namespace Touchpoint.Import;

/// <summary>
/// One column of a file format: its name (and the other names people use for it), how a CSV cell becomes a
/// value of the record and how the value is written back. JSON Lines uses the same names as property names.
/// </summary>
public sealed record RecordField<TRecord>(string Name, Action<TRecord, string> Parse, Func<TRecord, string?> Format, params string[] Aliases)
{
    /// <summary>Header names are matched ignoring case, spaces, dashes and underscores.</summary>
    public static string Key(string header) => new(header.Trim().Where(c => c is not ('_' or '-' or ' ')).Select(char.ToLowerInvariant).ToArray());
}

/// <summary>A value that could not be read, naming the field it came from.</summary>
public sealed class RecordFieldException(string field, string message) : FormatException(message)
{
    public string Field { get; } = field;
}

/// <summary>Parsing and formatting of cell values, culture-invariant, instants in UTC.</summary>
public static partial class Cells
{
    public static int Int(string field, string value) =>
        int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new RecordFieldException(field, $"'{value}' is not a whole number");

    public static double Double(string field, string value) =>
        // "NaN", "Infinity" and "1e400" parse, but no database column or JSON answer can hold them.
        double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n)
            ? n
            : throw new RecordFieldException(field, $"'{value}' is not a number");

    public static DateTime Instant(string field, string value) =>
        IsoDate().IsMatch(value.Trim()) && DateTime.TryParse(value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc)
            : throw new RecordFieldException(field, $"'{value}' is not a date and time (use ISO 8601, e.g. 2026-03-02T09:00:00Z)");

    /// <summary>
    /// An ISO 8601 date first: DateTime.TryParse alone reads "03/04/2026" as 4 March (US order) and a bare "12:30" as
    /// that time today, both stored without a word.
    /// </summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(?:[Tt ]|$)", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();

    public static TimeOnly Time(string field, string value) =>
        TimeOnly.TryParse(value.Trim(), CultureInfo.InvariantCulture, out var t)
            ? t
            : throw new RecordFieldException(field, $"'{value}' is not a time of day (use HH:mm)");

    public static bool Bool(string field, string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" or "yes" or "y" or "1" => true,
        "false" or "no" or "n" or "0" => false,
        _ => throw new RecordFieldException(field, $"'{value}' is not true or false"),
    };

    public static Channel Channel(string field, string value) =>
        ValueNames.TryParse(value, out Channel c)
            ? c
            : throw new RecordFieldException(field, $"'{value}' is not a channel (phone, email, chat, sms, social, self-service, in-app, bot)");

    public static T Enum<T>(string field, string value) where T : struct, System.Enum =>
        ValueNames.TryParse(value, out T v)
            ? v
            : throw new RecordFieldException(field, $"'{value}' is not one of {string.Join(", ", System.Enum.GetNames<T>().Select(Kebab))}");

    /// <summary>"FollowUp" → "follow-up", as the files spell it.</summary>
    private static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? $"-{char.ToLowerInvariant(c)}" : char.ToLowerInvariant(c).ToString()));

    public static string? Format(int? value) => value?.ToString(CultureInfo.InvariantCulture);
    public static string? Format(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);
    public static string? Format(DateTime? value) => value is { } t
        ? (t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime()).ToString("O", CultureInfo.InvariantCulture)
        : null;
    public static string? Format(TimeOnly? value) => value?.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
