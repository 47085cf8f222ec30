using System.Text;
using System.Text.Json;

namespace Touchpoint.Import;

/// <summary>
/// Streams a JSON Lines file (one object per line) into import rows. A line that is not valid JSON or holds a
/// value of the wrong type becomes an error with its 1-based line and the 1-based byte position in the line.
/// </summary>
public static class JsonLinesRecordReader
{
    public static IEnumerable<ImportRow<TInput>> Read<TRecord, TInput>(TextReader text, Func<TRecord, TInput> build)
        where TRecord : class
        where TInput : class
    {
        long line = 0;
        while (text.ReadLine() is { } json)
        {
            line++;
            if (string.IsNullOrWhiteSpace(json))
            {
                continue;
            }
            TRecord? record = null;
            ImportRow<TInput>? error = null;
            try
            {
                record = JsonSerializer.Deserialize<TRecord>(Encoding.UTF8.GetBytes(json), ImportJson.Options);
                if (record is null)
                {
                    error = new ImportRow<TInput>(line, null, "the line is not a JSON object", 1);
                }
            }
            catch (JsonException e)
            {
                error = new ImportRow<TInput>(line, null, Reason(e), e.BytePositionInLine is { } p ? (int)p + 1 : null);
            }
            if (error is not null)
            {
                yield return error;
                continue;
            }
            ImportRow<TInput> row;
            try
            {
                row = new ImportRow<TInput>(line, build(record!));
            }
            catch (RecordFieldException e)
            {
                row = new ImportRow<TInput>(line, null, $"{e.Field}: {e.Message}");
            }
            yield return row;
        }
    }

    /// <summary>The serializer's message without the location suffix, which the row carries as line and column.</summary>
    private static string Reason(JsonException e)
    {
        var message = e.Message;
        var at = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (at < 0)
        {
            at = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }
        message = at >= 0 ? message[..at] : message;
        var field = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : null;
        return field is null ? message : $"{field}: {message}";
    }
}
