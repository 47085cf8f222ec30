using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Touchpoint.Server.Platform;

/// <summary>
/// Endpoint metadata of a list that takes <c>sort=</c>: the values it accepts and its order without one. The handler reads
/// the parameter as a string (so a wrong value is a 400 that lists these), and the OpenAPI document lists them as the
/// parameter's enum.
/// </summary>
public sealed record SortParameter(IReadOnlyList<string> Accepted, string Default)
{
    public static void Describe(OpenApiOptions options) => options.AddOperationTransformer((operation, context, _) =>
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<SortParameter>().FirstOrDefault() is { } sort
            && operation.Parameters?.FirstOrDefault(p => p.Name == "sort") is OpenApiParameter parameter)
        {
            parameter.Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. sort.Accepted.Select(a => (JsonNode)JsonValue.Create(a))],
            };
            parameter.Description = $"The column to sort by; a leading \"-\" sorts descending. Without it: {sort.Default}. "
                + "Ties are broken in the same direction down to the id, so pages never repeat or skip a row.";
        }
        return Task.CompletedTask;
    });
}
