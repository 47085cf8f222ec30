using System.Text.Json;
using System.Text.Json.Serialization;
using Touchpoint.Interactions;

namespace Touchpoint.Import;

/// <summary>JSON settings of the import and export files: snake_case names, enums by name, nulls left out.</summary>
public static class ImportJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNameCaseInsensitive = true,
            AllowTrailingCommas = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            // As a CSV header with a column twice: which of the two values a line meant is unknowable.
            AllowDuplicateProperties = false,
            // Files, not HTML: "+44 7700 900123" and "Müller" as written, not "\u002B44" and "M\u00FCller".
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        // Numbers and times are read as CSV cells are: the same formats (a time as "2026-03-02 09:00" too), the same
        // messages naming the value ("'ten' is not a whole number"), and NaN or a time without a date refused the same way.
        options.Converters.Add(new CellJsonConverter<DateTime>(Cells.Instant, (w, v) => w.WriteStringValue(v)));
        options.Converters.Add(new CellJsonConverter<int>(Cells.Int, (w, v) => w.WriteNumberValue(v)));
        options.Converters.Add(new CellJsonConverter<double>(Cells.Double, (w, v) => w.WriteNumberValue(v)));
        options.Converters.Add(new TextJsonConverter());
        options.Converters.Add(new ChannelJsonConverter());
        options.Converters.Add(new NamedEnumJsonConverter<Direction>());
        options.Converters.Add(new NamedEnumJsonConverter<Outcome>());
        options.Converters.Add(new NamedEnumJsonConverter<MessageAuthor>());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Accepts the names people use for a channel ("twitter", "voice"); the serializer adds line and position to errors.</summary>
    private sealed class ChannelJsonConverter : JsonConverter<Channel>
    {
        public override Channel Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(reader.GetString());

        public override void Write(Utf8JsonWriter writer, Channel value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());

        public override Channel ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(reader.GetString());

        public override void WriteAsPropertyName(Utf8JsonWriter writer, Channel value, JsonSerializerOptions options) => writer.WritePropertyName(value.ToString());

        private static Channel Parse(string? text)
        {
            try
            {
                return Cells.Channel("channel", text ?? "");
            }
            catch (RecordFieldException e)
            {
                throw new JsonException(e.Message);
            }
        }
    }

    /// <summary>A number or string read by its CSV cell parser; the serializer adds the property path, line and position.</summary>
    private sealed class CellJsonConverter<T>(Func<string, string, T> parse, Action<Utf8JsonWriter, T> write) : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                JsonTokenType.StartObject => "{…}",
                JsonTokenType.StartArray => "[…]",
                _ => reader.TokenType.ToString().ToLowerInvariant(),
            };
            try
            {
                return parse("", text);
            }
            catch (RecordFieldException e)
            {
                throw new JsonException(e.Message);
            }
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => write(writer, value);
    }

    private sealed class NamedEnumJsonConverter<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            try
            {
                return Cells.Enum<T>(typeof(T).Name.ToLowerInvariant(), reader.TokenType == JsonTokenType.String ? reader.GetString()! : "?");
            }
            catch (RecordFieldException e)
            {
                throw new JsonException(e.Message);
            }
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}
