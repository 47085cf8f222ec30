using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Touchpoint.Import;

/// <summary>
/// Reads a text field given as a JSON number as its digits: systems that number their records send
/// <c>"customer_external_id": 12345</c>, which is the id "12345" as a CSV cell would give it (as a number field
/// takes "10" in quotes). A boolean, object or array is still not text.
/// </summary>
public sealed class TextJsonConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString()!,
        // The number exactly as written (no rounding through a double): 12345678901234567890 stays itself.
        JsonTokenType.Number => reader.HasValueSequence ? Encoding.UTF8.GetString(reader.ValueSequence) : Encoding.UTF8.GetString(reader.ValueSpan),
        // Without a message the serializer says what was expected, with the path, as for any other wrong type.
        _ => throw new JsonException(),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
