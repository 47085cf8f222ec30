using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Touchpoint.Import;

/// <summary>
/// Streams an RFC 4180 CSV file with a header row into import rows, one record at a time. A row that cannot
/// be read becomes an error naming the 1-based line the record starts on and the 1-based column of the bad field;
/// quoted fields may hold commas and line breaks.
/// </summary>
public static class CsvRecordReader
{
    /// <param name="formulaGuard">Take off the apostrophe our exports put before a formula character (<see cref="CsvCells"/>):
    /// our own formats; not files other tools wrote, such as twcs, where a tweet may begin "'@".</param>
    public static IEnumerable<ImportRow<TInput>> Read<TRecord, TInput>(TextReader text, IReadOnlyList<RecordField<TRecord>> fields,
        Func<TRecord, TInput> build, bool formulaGuard = true)
        where TRecord : new()
        where TInput : class
    {
        var badColumn = false;
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            BadDataFound = _ => badColumn = true,
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
            HeaderValidated = null,
            // Blank lines are read as (empty) records, so every line is in one record and each record's lines are counted
            // from the one before (the parser's own count is one too many for a quote left open at the end of the file).
            IgnoreBlankLines = false,
        };
        using var csv = new CsvReader(text, config);
        long lastLine = 0;
        do
        {
            if (!csv.Read())
            {
                yield break;
            }
            lastLine += Lines(csv.Parser.RawRecord);
        }
        while (IsEmpty(csv.Parser));
        csv.ReadHeader();
        var header = csv.HeaderRecord ?? [];
        var byKey = new Dictionary<string, RecordField<TRecord>>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            foreach (var name in field.Aliases.Prepend(field.Name))
            {
                byKey.TryAdd(RecordField<TRecord>.Key(name), field);
            }
        }
        // Unknown columns are skipped, so files from other systems can carry extra data.
        var columns = header.Select(h => byKey.GetValueOrDefault(RecordField<TRecord>.Key(h))).ToArray();
        // Two columns for one field (say "email" and "email_address"): which one a row meant is unknowable.
        for (var c = 0; c < columns.Length; c++)
        {
            if (columns[c] is { } field && Array.IndexOf(columns, field) is var first && first < c)
            {
                yield return new ImportRow<TInput>(1, null, $"the header has two columns for {field.Name}: {header[first]} (column {first + 1}) and {header[c]} (column {c + 1})", c + 1);
                yield break;
            }
        }
        var required = fields[0];
        if (!columns.Contains(required))
        {
            // A spreadsheet saved with semicolons (many European locales) or tabs reads as one column.
            // UTF-16 read as UTF-8: a NUL beside every letter of the header.
            if (header.Any(h => h.Contains('\0', StringComparison.Ordinal)))
            {
                yield return new ImportRow<TInput>(1, null, "the file seems to be UTF-16 without a byte order mark: save it as UTF-8", 1);
                yield break;
            }
            var separator = header.Length == 1 ? SeparatorOf(header[0]) : null;
            yield return new ImportRow<TInput>(1, null, separator is null
                ? $"the header has no {required.Name} column (columns: {string.Join(", ", header)})"
                : $"the header has no {required.Name} column: its fields seem separated by {separator}, and CSV files here use commas (save as \"CSV UTF-8 (comma delimited)\")", 1);
            yield break;
        }

        // "messages[0].text" is in the messages column; fields no column holds give no column.
        Func<string, int?> columnOf = name =>
        {
            var end = name.IndexOfAny(['[', '.']);
            var key = end < 0 ? name : name[..end];
            var index = Array.FindIndex(columns, f => f is not null && f.Name == key);
            return index < 0 ? null : index + 1;
        };

        while (true)
        {
            if (!csv.Read())
            {
                yield break;
            }
            var line = lastLine + 1;
            lastLine += Lines(csv.Parser.RawRecord);
            // A quote opened and not closed reads the lines after it, up to the next quote or the end of the file, into
            // this row: they are not imported, and the rejection says so rather than leave them out of every count.
            var runsOn = lastLine > line ? $" (the row runs on to line {lastLine}: a quote opened and not closed? lines {line + 1} to {lastLine} are read as part of it)" : "";
            var count = csv.Parser.Count;
            if (IsEmpty(csv.Parser))
            {
                // A blank line, or a row of empty fields (",,,," as spreadsheets write below the data): nothing to import.
                continue;
            }
            if (RepeatsHeader(csv.Parser, header, columns, byKey))
            {
                yield return new ImportRow<TInput>(line, null, "the row repeats the header (two files joined into one?): not imported", 1);
                continue;
            }
            if (count > header.Length)
            {
                yield return new ImportRow<TInput>(line, null, $"the row has {count} fields but the header has {header.Length} (a comma in an unquoted field?){runsOn}", header.Length + 1);
                continue;
            }
            // A row pasted from a spreadsheet into a comma file: one field holding the whole row, else "channel: is required".
            if (count == 1 && header.Length > 1 && SeparatorOf(csv.Parser[0]) is { } other)
            {
                yield return new ImportRow<TInput>(line, null, $"the row has 1 field but the header has {header.Length}: its fields seem separated by {other}, and the header's by commas", 1);
                continue;
            }
            var record = new TRecord();
            ImportRow<TInput>? error = null;
            for (var c = 0; c < count && error is null; c++)
            {
                badColumn = false;
                var value = csv.Parser[c];
                if (badColumn)
                {
                    error = new ImportRow<TInput>(line, null, $"{header[c]}: a quote inside an unquoted field, or a quoted field that is not closed{runsOn}", c + 1);
                    break;
                }
                if (columns[c] is not { } field || string.IsNullOrWhiteSpace(value))
                {
                    continue;
                }
                if (formulaGuard)
                {
                    value = CsvCells.WithoutFormulaGuard(value);
                }
                if (value.Contains(ImportFiles.NotUtf8, StringComparison.Ordinal))
                {
                    error = new ImportRow<TInput>(line, null, $"{field.Name}: {ImportFiles.NotUtf8Reason}", c + 1);
                    break;
                }
                try
                {
                    field.Parse(record, value);
                }
                catch (FormatException e)
                {
                    error = new ImportRow<TInput>(line, null, $"{field.Name}: {e.Message}", c + 1);
                }
            }
            if (error is not null)
            {
                yield return error;
                continue;
            }
            ImportRow<TInput> row;
            try
            {
                row = new ImportRow<TInput>(line, build(record), ColumnOf: columnOf);
            }
            catch (RecordFieldException e)
            {
                row = new ImportRow<TInput>(line, null, $"{e.Field}: {e.Message}", columnOf(e.Field));
            }
            yield return row;
        }
    }

    /// <summary>What seems to separate the fields of a line read as one field: semicolons (many European locales) or tabs.</summary>
    private static string? SeparatorOf(string field) =>
        field.Contains(';', StringComparison.Ordinal) ? "semicolons" : field.Contains('\t', StringComparison.Ordinal) ? "tabs" : null;

    /// <summary>
    /// How many lines a record takes: one, and one more per line break inside it (CR LF, CR and LF each count once, as the
    /// parser counts them), not counting the break that ends it.
    /// </summary>
    private static long Lines(string rawRecord)
    {
        var body = rawRecord.AsSpan().TrimEnd("\r\n");
        var breaks = 0;
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '\n' || (body[i] == '\r' && (i + 1 == body.Length || body[i + 1] != '\n')))
            {
                breaks++;
            }
        }
        return 1 + breaks;
    }

    /// <summary>
    /// Whether the row is a header again, as `cat a.csv b.csv` leaves the second file's (byte order mark and all): each cell
    /// names its column's field, in any of its spellings. It used to become a record ("\uFEFFexternal_id", named "name").
    /// </summary>
    private static bool RepeatsHeader<TRecord>(IParser parser, string[] header, RecordField<TRecord>?[] columns, Dictionary<string, RecordField<TRecord>> byKey)
    {
        // A quoted record is read field by field below: reading it here would report a bad quote before its column is known.
        if (parser.Count != header.Length || parser.RawRecord.Contains('"', StringComparison.Ordinal))
        {
            return false;
        }
        for (var c = 0; c < header.Length; c++)
        {
            var key = RecordField<TRecord>.Key(parser[c].TrimStart('\uFEFF'));
            if (key != RecordField<TRecord>.Key(header[c]) && (columns[c] is null || byKey.GetValueOrDefault(key) != columns[c]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Whether the record holds nothing but separators, quotes and spaces. Read from the raw text: reading the fields
    /// would report a badly quoted one before the row is read field by field, which then could not name its column.
    /// </summary>
    private static bool IsEmpty(IParser parser) =>
        parser.RawRecord.AsSpan().IndexOfAnyExcept(", \t\r\n\"") < 0;
}
