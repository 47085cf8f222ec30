using System.Text.Json;

namespace Touchpoint.Import;

/// <summary>
/// The column of a field named in a rule error ("talk_seconds", "messages[0].text") within one JSON Lines line: the
/// 1-based byte position of its key's opening quote, counted in the line's UTF-8 bytes as the parser's own error
/// positions are. A field inside an array or object that the line lacks falls back to its nearest enclosing part
/// ("messages[0].text" to where that message starts); a top-level field the line lacks has no column.
/// </summary>
internal static class JsonLineColumns
{
    /// <summary>
    /// A lookup over one line. It holds only the line's bytes: the line is scanned again only when a column is asked
    /// for, which happens for rejected rows alone, so reading millions of good lines costs nothing more.
    /// </summary>
    public static Func<string, int?> Of<TRecord>(byte[] line) => field => Find<TRecord>(line, field);

    private static int? Find<TRecord>(byte[] line, string field)
    {
        Dictionary<string, long> positions;
        try
        {
            positions = KeyPositions(line, RecordProperties<TRecord>.Names);
        }
        catch (JsonException)
        {
            // The line was read before, so this does not happen; a column is a help, never worth failing the import for.
            return null;
        }
        var path = field.ToLowerInvariant();
        while (true)
        {
            if (positions.TryGetValue(path, out var at))
            {
                return (int)at + 1;
            }
            var parent = path.LastIndexOfAny(['.', '[']);
            if (parent <= 0)
            {
                return null;
            }
            path = path[..parent];
        }
    }

    /// <summary>
    /// Where each key ("queue", "messages[0].text") and array item ("messages[0]") starts, by lower-case path, first
    /// one kept. Top-level keys are kept only when the reader reads them (its names match ignoring case); a key it
    /// ignores, such as a CSV alias, never takes the column of the field it looks like.
    /// </summary>
    private static Dictionary<string, long> KeyPositions(byte[] line, HashSet<string> properties)
    {
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(line, new JsonReaderOptions
        {
            AllowTrailingCommas = ImportJson.Options.AllowTrailingCommas,
            CommentHandling = ImportJson.Options.ReadCommentHandling,
        });
        // Per open object or array: its path and, for an array, the index of its next item.
        var open = new Stack<(string Path, int NextItem)>();
        var valuePath = "";
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    var name = reader.GetString()!.ToLowerInvariant();
                    if (open.Count == 1 && !properties.Contains(name))
                    {
                        reader.Skip();
                        continue;
                    }
                    valuePath = open.Peek().Path.Length == 0 ? name : $"{open.Peek().Path}.{name}";
                    positions.TryAdd(valuePath, reader.TokenStartIndex);
                    continue;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    open.Pop();
                    continue;
                case JsonTokenType.Comment:
                    continue;
            }
            if (open.TryPeek(out var parent) && parent.NextItem >= 0)
            {
                open.Pop();
                open.Push((parent.Path, parent.NextItem + 1));
                valuePath = $"{parent.Path}[{parent.NextItem}]";
                positions.TryAdd(valuePath, reader.TokenStartIndex);
            }
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                open.Push((valuePath, reader.TokenType == JsonTokenType.StartArray ? 0 : -1));
            }
        }
        return positions;
    }

    /// <summary>The JSON property names the reader maps for <typeparamref name="TRecord"/>, as it matches them (ignoring case).</summary>
    private static class RecordProperties<TRecord>
    {
        public static readonly HashSet<string> Names =
            ImportJson.Options.GetTypeInfo(typeof(TRecord)).Properties.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }
}
