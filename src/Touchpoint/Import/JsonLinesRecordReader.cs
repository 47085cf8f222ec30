using System.Text;
using System.Text.Json;

namespace Touchpoint.Import;

/// <summary>
/// Streams a JSON Lines file (one object per line) into import rows. A line that is not valid JSON or holds a
/// value of the wrong type becomes an error with its 1-based line and the 1-based byte position in the line; a
/// row that reads but breaks a field rule is given the byte position of that field's key (see <see cref="JsonLineColumns"/>).
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
            // Files joined with cat keep each one's byte order mark at the start of a line: not part of the JSON.
            json = json.TrimStart('\uFEFF');
            if (string.IsNullOrWhiteSpace(json))
            {
                continue;
            }
            if (json.IndexOf(ImportFiles.NotUtf8, StringComparison.Ordinal) is var bad and >= 0)
            {
                yield return new ImportRow<TInput>(line, null, $"the line {ImportFiles.NotUtf8Reason}", Encoding.UTF8.GetByteCount(json.AsSpan(0, bad)) + 1);
                continue;
            }
            var bytes = Encoding.UTF8.GetBytes(json);
            TRecord? record = null;
            ImportRow<TInput>? error = null;
            try
            {
                record = JsonSerializer.Deserialize<TRecord>(bytes, ImportJson.Options);
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
            // Where each field's key is in the line is worked out only for a row that is rejected: most rows never ask.
            var columnOf = JsonLineColumns.Of<TRecord>(bytes);
            ImportRow<TInput> row;
            try
            {
                row = new ImportRow<TInput>(line, build(record!), ColumnOf: columnOf);
            }
            catch (RecordFieldException e)
            {
                row = new ImportRow<TInput>(line, null, $"{e.Field}: {e.Message}", columnOf(e.Field));
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
        // The serializer names .NET types ("could not be converted to System.Nullable`1[...]"); say what the line should hold.
        const string NotConverted = "The JSON value could not be converted to ";
        if (message.StartsWith(NotConverted, StringComparison.Ordinal))
        {
            message = Expected(message[NotConverted.Length..].TrimEnd('.'));
        }
        else if (message.StartsWith("Duplicate property ", StringComparison.Ordinal))
        {
            message = "is given twice";
        }
        return field is null
            ? message == "is not a JSON object" ? "the line is not a JSON object" : message
            : $"{field}: {message}";
    }

    private static string Expected(string type) => type switch
    {
        _ when type.Contains("List`1[Touchpoint.Import.MessageRecord]", StringComparison.Ordinal) => "is not a JSON array of {\"author\", \"at\", \"text\"} objects",
        _ when type.Contains("List`1[System.String]", StringComparison.Ordinal) => "is not a JSON array of strings",
        _ when type.Contains("Dictionary`2", StringComparison.Ordinal) || type.EndsWith("Record", StringComparison.Ordinal) => "is not a JSON object",
        _ when type.Contains("System.String", StringComparison.Ordinal) => "is not a string",
        _ when type.Contains("System.Boolean", StringComparison.Ordinal) => "is not true or false",
        _ when type.Contains("Touchpoint.Interactions.Channel", StringComparison.Ordinal) => "is not a channel (phone, email, chat, sms, social, self-service, in-app, bot)",
        _ when type.Contains("System.TimeOnly", StringComparison.Ordinal) => "is not a time of day (use HH:mm)",
        _ => $"is not a {type[(type.LastIndexOf('.') + 1)..].TrimEnd(']')}",
    };
}
