using System.Globalization;

namespace Touchpoint.Import;

/// <summary>A field of an input and what is wrong with it.</summary>
public sealed record FieldError(string Field, string Reason);

/// <summary>Times a source gives for things that have happened (a contact, a survey answer).</summary>
public static class HappenedAt
{
    /// <summary>
    /// How far after this server's clock such a time may be: another system's clock or a time zone off by hours is
    /// let through; a year typed wrong (9999-12-31) would sit at the top of every timeline and never close its case.
    /// </summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromDays(1);

    /// <summary>
    /// The earliest such a time may be: a year typed short (0202, 0001-01-01) was stored as is, and sat at the end of
    /// every timeline and export. Long enough ago for any customer's first day.
    /// </summary>
    public static readonly DateTime Earliest = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static void Check(List<FieldError> errors, string field, DateTime? at, DateTime nowUtc)
    {
        if (at is not { } value || value == default)
        {
            return;
        }
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        if (utc > nowUtc + Tolerance)
        {
            // Invariant: in the machine's culture (the CLI's) "yyyy" may be another calendar's year (2569 in Thai).
            errors.Add(new(field, string.Create(CultureInfo.InvariantCulture,
                $"is in the future (more than a day after now, {nowUtc:yyyy-MM-dd HH:mm} UTC): it must say when it happened")));
        }
        else if (utc < Earliest)
        {
            errors.Add(new(field, string.Create(CultureInfo.InvariantCulture,
                $"is before 1900 ({utc:yyyy-MM-dd}): it must say when it happened (a year typed short?)")));
        }
    }
}

/// <summary>
/// One row read from a file or request: either a value or the reason it could not be read.
/// <paramref name="Line"/> is the 1-based line of the file (or index in the batch) the row started on;
/// <paramref name="ColumnOf"/>, when the file has columns, gives the 1-based column of a field named in a later error.
/// </summary>
public sealed record ImportRow<T>(long Line, T? Value, string? Error = null, int? Column = null, Func<string, int?>? ColumnOf = null)
    where T : class;

/// <summary>
/// A row not stored: its line (or batch index), why, the column when one is to blame, and the field errors behind the
/// reason when it is about fields (so an API can name them as its JSON does).
/// </summary>
public sealed record Rejection(long Line, string Reason, int? Column = null, IReadOnlyList<FieldError>? Errors = null)
{
    /// <summary>A rejection for field errors; the reason names each field as the files do ("talk_seconds must not be negative").</summary>
    public static Rejection For(long line, IReadOnlyList<FieldError> errors, int? column = null) =>
        new(line, string.Join("; ", errors.Select(e => $"{e.Field} {e.Reason}")), column, errors);
}

/// <summary>What an import or batch did: each input row is counted exactly once.</summary>
public sealed class ImportSummary
{
    public long Imported { get; set; }
    public long Duplicates { get; set; }
    public long Rejected => Rejections.Count;
    public List<Rejection> Rejections { get; } = [];
    public long CustomersCreated { get; set; }

    /// <summary>Identities (a phone beside a known email) that rows added to the profiles they resolved to.</summary>
    public long IdentitiesAdded { get; set; }
    /// <summary>
    /// How many cases the run added: those it opened, less those it removed (a contact that arrived late, in a later
    /// batch or in the final recompute, joined two cases into one).
    /// </summary>
    public long CasesDerived { get; set; }
    public TimeSpan Elapsed { get; set; }

    /// <summary>
    /// The row's value when it was read and passes <paramref name="validate"/>; otherwise records the rejection (line,
    /// column when known, reason) and returns null.
    /// </summary>
    public T? Accept<T>(ImportRow<T> row, Func<T, IReadOnlyList<FieldError>> validate) where T : class
    {
        if (row.Value is null)
        {
            Rejections.Add(new Rejection(row.Line, row.Error ?? "the row could not be read", row.Column));
            return null;
        }
        var errors = validate(row.Value);
        if (errors.Count > 0)
        {
            // The first error's field gives the column ("talk_seconds must not be negative" → its column); rules of the whole row have none.
            Rejections.Add(Rejection.For(row.Line, errors, row.ColumnOf?.Invoke(errors[0].Field)));
            return null;
        }
        return row.Value;
    }

    /// <summary>Records a read, valid row that the run cannot take, at the column of the first error's field.</summary>
    public void Reject<T>(ImportRow<T> row, IReadOnlyList<FieldError> errors) where T : class =>
        Rejections.Add(Rejection.For(row.Line, errors, row.ColumnOf?.Invoke(errors[0].Field)));
}

/// <summary>Reported while an import runs, for progress bars.</summary>
public readonly record struct ImportProgress(long RowsRead, long Imported, long Duplicates, long Rejected, string Phase);
