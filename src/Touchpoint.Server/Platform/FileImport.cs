using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using Touchpoint.Import;

namespace Touchpoint.Server.Platform;

public sealed record FileRejection(long Line, int? Column, string Reason);

/// <summary>What a file import did: each row counted once; every rejected row with its line (and column when known).</summary>
public sealed record FileImportResult(long Imported, long Duplicates, long Rejected, long CustomersCreated, long IdentitiesAdded, double Seconds,
    IReadOnlyList<FileRejection> Rejections);

/// <summary>
/// Imports a file sent as the request body. The body is spooled to a temporary file first: the readers stream
/// synchronously, Kestrel bodies are read asynchronously, and a file also bounds memory for uploads of any size.
/// </summary>
public static class FileImport
{
    /// <summary>The body's types: only types a cross-site HTML form cannot send (with the cookie, text/plain would be a CSRF hole).</summary>
    public static readonly string[] BodyTypes = ["text/csv", "application/x-ndjson"];

    /// <summary>
    /// POST {group}/import: a manager sends a whole file of any size as the body. Its type is checked by a filter, which
    /// runs after authorization: left to routing (<c>Accepts</c>), a caller without credentials was answered 415, not 401.
    /// </summary>
    public static RouteHandlerBuilder MapFileImport(this RouteGroupBuilder group, Delegate handler) =>
        group.MapPost("/import", handler).RequireAuthorization(Authentication.Policies.Manager)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute())
            .AddEndpointFilter(async (context, next) =>
            {
                var type = context.HttpContext.Request.ContentType?.Split(';')[0].Trim();
                return BodyTypes.Contains(type, StringComparer.OrdinalIgnoreCase)
                    ? await next(context)
                    : TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                        detail: $"Send the file as text/csv or application/x-ndjson (Content-Type was '{context.HttpContext.Request.ContentType}').");
            })
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The whole file, in the CLI's import format.",
                    Content = BodyTypes.ToDictionary(t => t, _ => new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } }),
                };
                operation.Responses ??= new OpenApiResponses();
                operation.Responses.TryAdd("415", new OpenApiResponse { Description = "The body is not text/csv or application/x-ndjson." });
                return Task.CompletedTask;
            });

    public static async Task<Results<Ok<FileImportResult>, ValidationProblem>> RunAsync(HttpRequest request, string? format,
        Func<string, ImportFormat, Task<ImportSummary>> import, CancellationToken cancellationToken)
    {
        ImportFormat parsed;
        try
        {
            parsed = FormatOf(request.ContentType, format);
        }
        catch (ArgumentException e)
        {
            return ApiProblems.Invalid("format", e.Message);
        }
        var path = Path.Combine(Path.GetTempPath(), $"touchpoint-upload-{Guid.NewGuid():N}");
        try
        {
            // Customer data: readable by this user only.
            var create = new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16, Options = FileOptions.Asynchronous,
            };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            await using (var file = new FileStream(path, create))
            {
                await request.Body.CopyToAsync(file, cancellationToken);
            }
            var summary = await import(path, parsed);
            return TypedResults.Ok(new FileImportResult(summary.Imported, summary.Duplicates, summary.Rejected, summary.CustomersCreated, summary.IdentitiesAdded,
                Math.Round(summary.Elapsed.TotalSeconds, 3), summary.Rejections.Select(r => new FileRejection(r.Line, r.Column, r.Reason)).ToList()));
        }
        finally
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Never hide the import's own outcome behind a failed clean-up; the temp folder is swept by the OS.
            }
        }
    }

    /// <summary>?format=csv|jsonl wins; else the Content-Type, one of <see cref="BodyTypes"/> (the endpoint filter refused any other).</summary>
    private static ImportFormat FormatOf(string? contentType, string? format) =>
        !string.IsNullOrWhiteSpace(format) ? ImportFiles.FormatOf("body", format)
        : contentType?.Split(';')[0].Trim().Equals("text/csv", StringComparison.OrdinalIgnoreCase) == true ? ImportFormat.Csv
        : ImportFormat.JsonLines;
}
