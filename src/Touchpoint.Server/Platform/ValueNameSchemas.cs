using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Touchpoint.Interactions;
using Touchpoint.Server.Interactions;

namespace Touchpoint.Server.Platform;

/// <summary>
/// The OpenAPI schemas of the values <see cref="ValueNameJsonConverter{T}"/> reads: a converter of its own hides the
/// names from the document generator (the schema came out empty), so they are written here, as the names answers
/// carry, with the other spellings a request may use in the description. Text and times, read by converters of their
/// own as well, get their string types back here.
/// </summary>
public static class ValueNameSchemas
{
    public static void AddValueNameSchemas(this OpenApiOptions options)
    {
        options.AddSchemaTransformer(TransformSchemaAsync);
        // A query parameter with a TryParse of its own is described as a plain string, without going through the above.
        options.AddOperationTransformer(async (operation, context, cancellationToken) =>
        {
            foreach (var parameter in context.Description.ParameterDescriptions)
            {
                if ((Nullable.GetUnderlyingType(parameter.Type) ?? parameter.Type) == typeof(ChannelName)
                    && operation.Parameters?.FirstOrDefault(p => p.Name == parameter.Name) is OpenApiParameter described)
                {
                    described.Schema = await context.GetOrCreateSchemaAsync(typeof(Channel), cancellationToken: cancellationToken);
                }
            }
        });
    }

    private static async Task TransformSchemaAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        // Text and times are read by converters of their own too (a number as an id's digits, any offset as UTC), which
        // left their schemas empty ({}) or without a type: they are strings, null where the property may be.
        if (type == typeof(string) || Nullable.GetUnderlyingType(type) == typeof(DateTime) || type == typeof(DateTime))
        {
            var nullable = Nullable.GetUnderlyingType(type) is not null || context.JsonPropertyInfo is { IsSetNullable: true };
            schema.Type = JsonSchemaType.String | (nullable ? JsonSchemaType.Null : 0);
            if (type != typeof(string))
            {
                schema.Format = "date-time";
            }
            return;
        }
        if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Enumerable && context.JsonTypeInfo.ElementType == typeof(string) && schema.Items is null)
        {
            schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
            return;
        }
        if (Describe(Nullable.GetUnderlyingType(type) ?? type) is { } description)
        {
            schema.Type = JsonSchemaType.String;
            schema.Enum = Enum.GetNames(Nullable.GetUnderlyingType(type) ?? type).Select(n => (JsonNode)JsonValue.Create(n)).ToList();
            schema.Description = description;
        }
        // A list of them lost its items with the schema ("channels": {"type": "array"}).
        else if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Enumerable && context.JsonTypeInfo.ElementType is { } element
                 && Describe(element) is not null && schema.Items is null)
        {
            schema.Items = await context.GetOrCreateSchemaAsync(element, cancellationToken: cancellationToken);
        }
    }

    private static string? Describe(Type type) =>
        type == typeof(Channel) ? Describe<Channel>()
        : type == typeof(Direction) ? Describe<Direction>()
        : type == typeof(Outcome) ? Describe<Outcome>()
        : type == typeof(MessageAuthor) ? Describe<MessageAuthor>()
        : null;

    private static string Describe<T>() where T : struct, Enum =>
        $"Answers carry one of the names listed; requests may write {ValueNames.Accepted<T>()}.";
}
