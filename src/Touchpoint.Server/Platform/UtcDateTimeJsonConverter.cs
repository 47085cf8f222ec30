using System.Text.Json;
using System.Text.Json.Serialization;

namespace Touchpoint.Server.Platform;

/// <summary>
/// Reads every time in a body as a UTC instant: with an offset converted, without one taken as UTC, as the import files
/// read them. System.Text.Json reads "…+02:00" as DateTimeKind.Local in the server's own time zone and "…Z" as Utc; two
/// such values compare by their clock readings, not their instants, so on a server outside UTC a contact "ended before it
/// started" (or one that did passed) depending on how each time was written.
/// </summary>
public sealed class UtcDateTimeJsonConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // No message: the serializer then says "could not be converted to System.DateTime" with the path, which the
        // problem handler turns into words.
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTime(out var value))
        {
            throw new JsonException();
        }
        return value.Kind switch
        {
            DateTimeKind.Utc => value,
            // The offset as written, not the local reading the serializer made of it (ambiguous in a daylight-saving change).
            DateTimeKind.Local => reader.TryGetDateTimeOffset(out var at) ? at.UtcDateTime : throw new JsonException(),
            _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
        };
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
