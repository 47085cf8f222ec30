using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Touchpoint.Import;

namespace Touchpoint.Server.Platform;

/// <summary>RFC 7807 answers for bad input: which field, and what is wrong with it.</summary>
public static class ApiProblems
{
    /// <summary>A 400 listing each field error; field names follow the JSON body (camelCase).</summary>
    public static ValidationProblem Invalid(IEnumerable<FieldError> errors, string? detail = null) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => JsonField(e.Field)).ToDictionary(g => g.Key, g => g.Select(e => e.Reason).ToArray()),
            detail: detail ?? "The request has invalid fields.");

    public static ValidationProblem Invalid(string field, string reason) => Invalid([new FieldError(field, reason)]);

    /// <summary>"customer_external_id" → "customerExternalId"; "messages[0].text" is kept as it is.</summary>
    public static string JsonField(string field)
    {
        if (!field.Contains('_', StringComparison.Ordinal))
        {
            return field;
        }
        var parts = field.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
    }
}

/// <summary>
/// Turns a body that cannot be read (malformed JSON, a wrong type, an unknown enum value) into a 400 problem that
/// says where: System.Text.Json reports the JSON path, line and byte position.
/// </summary>
public sealed partial class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }
        var json = bad.InnerException as JsonException;
        httpContext.Response.StatusCode = bad.StatusCode;
        var details = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = bad.StatusCode,
            Title = json is null ? "The request could not be read." : "The request body is not valid JSON for this endpoint.",
            Detail = json?.Message ?? bad.Message,
        };
        if (json is not null)
        {
            details.Extensions["path"] = json.Path;
            details.Extensions["line"] = json.LineNumber + 1;
            details.Extensions["position"] = json.BytePositionInLine + 1;
        }
        else if (UnboundParameter().Match(bad.Message) is { Success: true } unbound)
        {
            // ASP.NET Core's words name the .NET type ("Nullable<Channel> channel"); say which field and what it takes.
            var (name, value) = (unbound.Groups["name"].Value, unbound.Groups["value"].Value);
            var reason = $"'{value}' is not {Expected(unbound.Groups["type"].Value)}";
            details.Detail = $"{name}: {reason}";
            details.Extensions["errors"] = new Dictionary<string, string[]> { [name] = [reason] };
        }
        else if (bad.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal))
        {
            details.Detail = "The request has no body: send the JSON this endpoint takes (see /openapi/v1.json).";
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }

    private static string Expected(string type) => type.Replace("Nullable<", "", StringComparison.Ordinal).TrimEnd('>') switch
    {
        "int" or "long" => "a whole number",
        "DateOnly" => "a date (yyyy-mm-dd)",
        "DateTime" or "DateTimeOffset" => "a date and time (ISO 8601)",
        "bool" => "true or false",
        "Channel" => $"a channel ({string.Join(", ", Enum.GetNames<Touchpoint.Interactions.Channel>())})",
        var other => $"a valid {other}",
    };

    [GeneratedRegex("""^Failed to bind parameter "(?<type>.+) (?<name>[^ ]+)" from "(?<value>.*)"\.$""")]
    private static partial Regex UnboundParameter();
}
