using System.Text.Json;
using System.Text.Json.Serialization;
using Touchpoint.Interactions;

namespace Touchpoint.Server.Platform;

/// <summary>
/// Reads a channel, direction, outcome or message author in every spelling an import file takes ("voice",
/// "self-service", "follow_up", any case; see <see cref="ValueNames"/>), so a source system sends the API what it
/// writes in its files. Writes the name as before ("SelfService"), which answers and the OpenAPI document show.
/// </summary>
public sealed class ValueNameJsonConverter<T> : JsonConverter<T> where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(ref reader);

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(ref reader);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WritePropertyName(value.ToString());

    private static T Parse(ref Utf8JsonReader reader)
    {
        var text = reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName ? reader.GetString() : null;
        return ValueNames.TryParse(text, out T value)
            ? value
            : throw new ValueNameJsonException(text is null
                ? $"is not one of {ValueNames.Accepted<T>()}"
                : $"'{text}' is not one of {ValueNames.Accepted<T>()}");
    }
}

/// <summary>A value <see cref="ValueNameJsonConverter{T}"/> could not read; its message is the reason for the field at its path.</summary>
public sealed class ValueNameJsonException(string message) : JsonException(message);
