using System.Text;
using Touchpoint.Customers;
using Touchpoint.Interactions;

namespace Touchpoint.Import;

public enum ImportFormat
{
    Csv,
    JsonLines,
}

/// <summary>Opens import files by path and format; the server and the CLI read files only through here.</summary>
public static class ImportFiles
{
    /// <summary>The format named by <paramref name="format"/> ("csv", "jsonl", "json"), else by the file's extension.</summary>
    public static ImportFormat FormatOf(string path, string? format = null)
    {
        var name = (format ?? Path.GetExtension(path).TrimStart('.')).Trim().ToLowerInvariant();
        return name switch
        {
            "csv" => ImportFormat.Csv,
            "jsonl" or "json" or "ndjson" => ImportFormat.JsonLines,
            _ => throw new ArgumentException(format is null
                ? $"Cannot tell the format of '{path}' from its extension: use .csv or .jsonl, or --format csv|jsonl."
                : $"Unknown format '{format}': use csv or jsonl."),
        };
    }

    public static IEnumerable<ImportRow<InteractionInput>> ReadInteractions(string path, ImportFormat format) =>
        ReadFile(path, text => ReadInteractions(text, format));

    public static IEnumerable<ImportRow<CustomerInput>> ReadCustomers(string path, ImportFormat format) =>
        ReadFile(path, text => ReadCustomers(text, format));

    public static IEnumerable<ImportRow<InteractionInput>> ReadInteractions(TextReader text, ImportFormat format) => format switch
    {
        ImportFormat.Csv => CsvRecordReader.Read(text, InteractionRecord.Fields, r => r.ToInput()),
        ImportFormat.JsonLines => JsonLinesRecordReader.Read<InteractionRecord, InteractionInput>(text, r => r.ToInput()),
    };

    public static IEnumerable<ImportRow<CustomerInput>> ReadCustomers(TextReader text, ImportFormat format) => format switch
    {
        ImportFormat.Csv => CsvRecordReader.Read(text, CustomerRecord.Fields, r => r.ToInput()),
        ImportFormat.JsonLines => JsonLinesRecordReader.Read<CustomerRecord, CustomerInput>(text, r => r.ToInput()),
    };

    /// <summary>
    /// What bytes that are not UTF-8 (a Latin-1 or Windows-1252 export, say) decode to. The usual U+FFFD would be stored
    /// without a word ("Jos\uFFFD"); this noncharacter, which no text file holds, lets the readers reject the row at its
    /// line and column instead.
    /// </summary>
    public const char NotUtf8 = '\uFDD0';

    public const string NotUtf8Reason = "holds bytes that are not UTF-8 (save the file as UTF-8)";

    private static readonly Encoding MarkingUtf8 = Encoding.GetEncoding("utf-8", EncoderFallback.ExceptionFallback,
        new DecoderReplacementFallback(NotUtf8.ToString()));

    /// <summary>A reader of an import file: UTF-8 (or UTF-16/32 with a byte order mark), bytes that are not UTF-8 marked with <see cref="NotUtf8"/>.</summary>
    public static StreamReader OpenText(Stream stream) =>
        new(stream, MarkingUtf8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);

    /// <summary>Checks the file now, so a missing file fails before anything starts; reads it lazily.</summary>
    public static IEnumerable<T> ReadFile<T>(string path, Func<TextReader, IEnumerable<T>> read)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"File not found: {Path.GetFullPath(path)}", path);
        }
        return Iterate(path, read);

        static IEnumerable<T> Iterate(string path, Func<TextReader, IEnumerable<T>> read)
        {
            using var text = OpenText(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));
            foreach (var row in read(text))
            {
                yield return row;
            }
        }
    }
}
