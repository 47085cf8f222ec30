using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Touchpoint.Import;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint.Server.Platform;

/// <summary>RFC 7807 answers for bad input: which field, and what is wrong with it.</summary>
public static class ApiProblems
{
    /// <summary>A 400 listing each field error; field names follow the JSON body (camelCase).</summary>
    public static ValidationProblem Invalid(IEnumerable<FieldError> errors, string? detail = null) =>
        TypedResults.ValidationProblem(ByJsonField(errors), detail: detail ?? "The request has invalid fields.");

    /// <summary>Field errors keyed by the JSON body's field names, as problem details' <c>errors</c> holds them.</summary>
    public static Dictionary<string, string[]> ByJsonField(IEnumerable<FieldError> errors) =>
        errors.GroupBy(e => JsonField(e.Field)).ToDictionary(g => g.Key, g => g.Select(e => e.Reason).ToArray());

    public static ValidationProblem Invalid(string field, string reason) => Invalid([new FieldError(field, reason)]);

    /// <summary>
    /// Reads a list's <c>sort</c> parameter: absent means the list's default order (null); a value that names no column is a
    /// 400 naming the field and listing what it takes.
    /// </summary>
    public static bool TryReadSort<TKey>(string? sort, out ListSort<TKey>? order, [NotNullWhen(false)] out ValidationProblem? problem)
        where TKey : struct, Enum
    {
        (order, problem) = (null, null);
        if (sort is null)
        {
            return true;
        }
        if (ListSort<TKey>.TryParse(sort, out var parsed))
        {
            order = parsed;
            return true;
        }
        problem = Invalid("sort", $"'{sort}' is not one of {string.Join(", ", ListSort<TKey>.Accepted)}");
        return false;
    }

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
            // "could not be converted to System.Nullable`1[System.TimeOnly]": say instead what the field takes.
            var field = json.Path is { Length: > 2 } path ? path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path[1..] : null;
            // A channel, direction, outcome or author that is none of the spellings taken: the converter's words list them.
            var reason = json is ValueNameJsonException ? json.Message
                : NotConverted().Match(json.Message) is { Success: true } wrong ? $"is not {ExpectedJson(wrong.Groups["type"].Value, field)}"
                : null;
            if (field is null && reason is not null && json is not ValueNameJsonException)
            {
                // The body itself is of the wrong shape ("[]" for one item, an object for a batch).
                details.Detail = json.Message.Contains("could not be converted to System.Collections.Generic.List`1", StringComparison.Ordinal)
                    ? "The body must be a JSON array of items (see /openapi/v1.json)."
                    : "The body must be a JSON object (see /openapi/v1.json).";
            }
            else if (field is not null && reason is not null)
            {
                details.Detail = $"{field}: {reason}";
                details.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [reason] };
            }
            else if (MissingRequired().Match(json.Message) is { Success: true } missing)
            {
                // "JSON deserialization for type 'Touchpoint.…' was missing required properties including: 'channel'.": each by
                // its path ("[1].channel" in a batch), as a field a validation names.
                var within = json.Path is { Length: > 1 } at ? at[1..].TrimStart('.') : "";
                var errors = missing.Groups["name"].Captures.Select(c => within.Length == 0 ? c.Value : $"{within}.{c.Value}")
                    .Distinct().ToDictionary(name => name, _ => new[] { "is required" });
                details.Detail = string.Join("; ", errors.Keys.Select(name => $"{name}: is required"));
                details.Extensions["errors"] = errors;
            }
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
        "ChannelName" => $"one of {ValueNames.Accepted<Channel>()}",
        var other => $"a valid {other}",
    };

    /// <summary>What a JSON value of .NET type <paramref name="type"/> ("System.Nullable`1[Touchpoint.Interactions.Channel]") must be.</summary>
    private static string ExpectedJson(string type, string? field = null)
    {
        var name = type.StartsWith("System.Nullable`1[", StringComparison.Ordinal) ? type["System.Nullable`1[".Length..^1] : type;
        var known = typeof(Channel).Assembly.GetType(name) ?? typeof(ApiProblems).Assembly.GetType(name);
        if (known is { IsEnum: true } named)
        {
            return $"one of {string.Join(", ", Enum.GetNames(named))}";
        }
        // A record's constructor parameter: the serializer names the record ("MergeRequest"), not the field's type.
        if (known is { IsClass: true } && field?.Split('.')[^1].Split('[')[0] is { Length: > 0 } member
            && known.GetProperty(member, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase) is { } property)
        {
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            return ExpectedJson(propertyType.FullName ?? propertyType.Name);
        }
        return name switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            "System.String" => "a string",
            "System.DateTime" or "System.DateTimeOffset" => "a date and time (ISO 8601, e.g. 2026-03-02T09:00:00Z)",
            "System.DateOnly" => "a date (yyyy-mm-dd)",
            "System.TimeOnly" => "a time of day (HH:mm)",
            _ when name.StartsWith("System.Collections.Generic.List`1", StringComparison.Ordinal)
                   || name.StartsWith("System.Collections.Generic.IReadOnlyList`1", StringComparison.Ordinal) => "an array",
            _ => "an object",
        };
    }

    [GeneratedRegex(@"was missing required properties including: (?:'(?<name>[^']+)'(?:, )?)+")]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"^The JSON value could not be converted to (?<type>\S+)\.")]
    private static partial Regex NotConverted();

    [GeneratedRegex("""^Failed to bind parameter "(?<type>.+) (?<name>[^ ]+)" from "(?<value>.*)"\.$""")]
    private static partial Regex UnboundParameter();
}
