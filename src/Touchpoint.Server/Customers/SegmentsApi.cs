using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Customers;
using Touchpoint.Customers.Segments;
using Touchpoint.Server.Platform;
using Touchpoint.Storage;

namespace Touchpoint.Server.Customers;

public sealed record SegmentDto(long Id, string Name, string Kind, string Rule, string? Description, DateTime CreatedAt);

/// <summary>Body of POST and PUT; <see cref="Kind"/> is "segment" or "persona" (POST: default "segment"; PUT: left out, it stays).</summary>
public sealed record SegmentRequest(string? Name, string? Kind, string? Rule, string? Description);

public sealed record RuleCheckRequest(string? Rule);

/// <summary>A rule that parses, and how many customers it selects right now.</summary>
public sealed record RuleCheckDto(string Rule, int Members);

/// <summary>Where a rule is wrong: <see cref="Column"/> within <see cref="Line"/> (1 unless the rule spans several lines).</summary>
public sealed record RuleErrorDto(int Column, string Message, int Line = 1);

public sealed record SegmentMemberDto(long Id, string ExternalId, string Name, string? Plan, string AccountType, string? City, string? Country);

/// <summary>A name a rule may use, for editors and help text.</summary>
public sealed record SegmentFieldDto(string Name, string Type, string Description, IReadOnlyList<string> Operators);

public sealed record SegmentMembersPage(long SegmentId, int Total, int Page, int PageSize, IReadOnlyList<SegmentMemberDto> Items);

public static class SegmentsApi
{
    public const int MaxPageSize = 200;

    public static RouteGroupBuilder MapSegmentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/segments").WithTags("Segments").RequireAuthorization();
        group.MapGet("/", List);
        group.MapGet("/{id:long}", Get);
        // Everyone signed in may use saved segments; managers decide which exist.
        group.MapPost("/", Create).RequireAuthorization(Authentication.Policies.Manager);
        group.MapPut("/{id:long}", Update).RequireAuthorization(Authentication.Policies.Manager);
        group.MapDelete("/{id:long}", Delete).RequireAuthorization(Authentication.Policies.Manager);
        group.MapPost("/validate", Validate);
        group.MapGet("/fields", Fields);
        group.MapGet("/{id:long}/customers", Members);
        return group;
    }

    public static async Task<Results<Ok<List<SegmentDto>>, ValidationProblem>> List(SegmentService segments, string? kind, CancellationToken cancellationToken)
    {
        SegmentKind? filter = null;
        if (kind is not null)
        {
            if (!TryParseKind(kind, out var parsed))
            {
                return KindProblem(kind);
            }
            filter = parsed;
        }
        var list = await segments.ListAsync(filter, cancellationToken);
        return TypedResults.Ok(list.Select(s => s.ToDto()).ToList());
    }

    public static async Task<Results<Ok<SegmentDto>, NotFound>> Get(SegmentService segments, long id, CancellationToken cancellationToken) =>
        await segments.FindAsync(id, cancellationToken) is { } segment ? TypedResults.Ok(segment.ToDto()) : TypedResults.NotFound();

    public static async Task<Results<Created<SegmentDto>, ValidationProblem>> Create(SegmentService segments, SegmentRequest request, CancellationToken cancellationToken)
    {
        if (!TryParseKind(request.Kind ?? "segment", out var kind))
        {
            return KindProblem(request.Kind!);
        }
        var result = await segments.CreateAsync(new SegmentDraft(request.Name ?? "", kind, request.Rule ?? "", request.Description), cancellationToken);
        return result.Segment is { } segment
            ? TypedResults.Created($"/api/segments/{segment.Id}", segment.ToDto())
            : Problem(result.Errors);
    }

    public static async Task<Results<Ok<SegmentDto>, NotFound, ValidationProblem>> Update(SegmentService segments, long id, SegmentRequest request,
        CancellationToken cancellationToken)
    {
        SegmentKind kind;
        if (request.Kind is null)
        {
            // Left out, the kind stays: a client changing a persona's rule did not mean to make it a segment.
            if (await segments.FindAsync(id, cancellationToken) is not { } stored)
            {
                return TypedResults.NotFound();
            }
            kind = stored.Kind;
        }
        else if (!TryParseKind(request.Kind, out kind))
        {
            return KindProblem(request.Kind);
        }
        var result = await segments.UpdateAsync(id, new SegmentDraft(request.Name ?? "", kind, request.Rule ?? "", request.Description), cancellationToken);
        return result switch
        {
            null => TypedResults.NotFound(),
            { Segment: { } segment } => TypedResults.Ok(segment.ToDto()),
            _ => Problem(result.Errors),
        };
    }

    public static async Task<Results<NoContent, NotFound>> Delete(SegmentService segments, long id, CancellationToken cancellationToken) =>
        await segments.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>Checks a rule while someone types it: 200 with the member count, or 400 with each error and its column.</summary>
    public static async Task<Results<Ok<RuleCheckDto>, ValidationProblem>> Validate(SegmentService segments, RuleCheckRequest request, CancellationToken cancellationToken)
    {
        if ((request.Rule?.Length ?? 0) > SegmentService.MaxRuleLength)
        {
            return Problem([new SegmentDraftError("rule", $"is longer than {SegmentService.MaxRuleLength} characters")]);
        }
        var parsed = SegmentRule.Parse(request.Rule);
        if (parsed.Rule is not { } rule)
        {
            return Problem(parsed.Errors.Select(SegmentDraftError.Rule).ToList());
        }
        return TypedResults.Ok(new RuleCheckDto(rule.Text, await segments.CountMembersAsync(rule, cancellationToken)));
    }

    public static Ok<List<SegmentFieldDto>> Fields() =>
        TypedResults.Ok(SegmentField.All
            .Select(f => new SegmentFieldDto(f.Name, f.Type.ToString().ToLowerInvariant(), f.Description, f.Operators.Select(SegmentRule.OperatorText).ToList()))
            .ToList());

    public static async Task<Results<Ok<SegmentMembersPage>, NotFound, ValidationProblem>> Members(SegmentService segments, long id,
        int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var segment = await segments.FindAsync(id, cancellationToken);
        if (segment is null)
        {
            return TypedResults.NotFound();
        }
        var parsed = SegmentRule.Parse(segment.Rule);
        if (parsed.Rule is not { } rule)
        {
            return Problem(parsed.Errors.Select(e => SegmentDraftError.Rule(e) with { Message = "The saved rule no longer parses: " + e.Message }).ToList());
        }
        var number = Math.Max(1, page ?? 1);
        var size = Math.Clamp(pageSize ?? 50, 1, MaxPageSize);
        var members = segments.Members(rule);
        var total = await members.CountAsync(cancellationToken);
        var items = await members
            .OrderBy(c => c.Name).ThenBy(c => c.Id)
            .Skip(Paging.Offset(number, size)).Take(size)
            .Select(c => new SegmentMemberDto(c.Id, c.ExternalId, c.Name, c.Plan, c.AccountType, c.City, c.Country))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new SegmentMembersPage(id, total, number, size, items));
    }

    public static SegmentDto ToDto(this Segment segment) =>
        new(segment.Id, segment.Name, segment.Kind.ToString().ToLowerInvariant(), segment.Rule, segment.Description, segment.CreatedAt);

    private static bool TryParseKind(string text, out SegmentKind kind) =>
        Enum.TryParse(text, ignoreCase: true, out kind) && Enum.IsDefined(kind) && !int.TryParse(text, out _);

    private static ValidationProblem KindProblem(string kind) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["kind"] = [$"'{kind}' is not a kind; use segment or persona"] });

    /// <summary>
    /// 400 with the reasons per field; rule errors also travel with their columns so an editor can underline them,
    /// and the first one's column sits at the top level for simple clients.
    /// </summary>
    private static ValidationProblem Problem(IReadOnlyList<SegmentDraftError> errors)
    {
        var byField = errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        var ruleErrors = errors.Where(e => e.Column is not null).Select(e => new RuleErrorDto(e.Column!.Value, e.Message, e.RuleError?.Line ?? 1)).ToList();
        var extensions = new Dictionary<string, object?>();
        if (ruleErrors.Count > 0)
        {
            extensions["line"] = ruleErrors[0].Line;
            extensions["column"] = ruleErrors[0].Column;
            extensions["ruleErrors"] = ruleErrors;
        }
        return TypedResults.ValidationProblem(byField, detail: errors[0].Field + ": " + errors[0].Message, extensions: extensions);
    }
}
