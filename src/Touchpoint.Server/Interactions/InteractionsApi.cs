using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Import;
using Touchpoint.Interactions;
using Touchpoint.Server.Platform;
using Touchpoint.Storage;

namespace Touchpoint.Server.Interactions;

public sealed record MessageDto(int Sequence, MessageAuthor Author, DateTime At, string Text);

public sealed record InteractionDto(long Id, string ExternalId, long CustomerId, string CustomerName, long? CaseId, string? CaseExternalId,
    Channel Channel, Direction Direction, DateTime StartedAt, DateTime? EndedAt, string? Agent, string? Queue, int? FirstResponseSeconds,
    int TalkSeconds, int HoldSeconds, int WrapSeconds, int Transfers, string? Reason, Outcome Outcome, string? Subject, bool IsRepeat,
    bool FirstContactResolved, bool ChannelSwitch, bool? SlaMet, IReadOnlyList<TranscriptMessage> Messages);

public sealed record CaseDto(long Id, string ExternalId, long CustomerId, string? Reason, string? Subject, CaseStatus Status, DateTime OpenedAt,
    DateTime LastContactAt, DateTime? ResolvedAt, int ContactCount, int ChannelCount, int ChannelSwitches, int Transfers, Channel FirstChannel,
    int? FirstResponseSeconds, int? ResolutionSeconds, bool FirstContactResolved, IReadOnlyList<InteractionSummary> Interactions);

/// <summary>
/// A channel in a query string, read in the spellings a body or an import file takes ("voice", "self-service", any
/// case). Bound as a plain enum it took only the exact name ("Phone"), and numbers or "Phone,Email" as some channel.
/// </summary>
public readonly record struct ChannelName(Channel Value)
{
    public static bool TryParse(string? text, out ChannelName name)
    {
        var known = ValueNames.TryParse(text, out Channel channel);
        name = new ChannelName(channel);
        return known;
    }
}

public static class InteractionsApi
{
    public static void MapInteractionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/interactions").WithTags("Interactions").RequireAuthorization();
        group.MapGet("/", List).WithMetadata(new SortParameter(ListSort<InteractionSortKey>.Accepted, InteractionSearch.DefaultSort.ToString()));
        group.MapGet("/{id:long}", Get);
        // Catch-all: source ids may hold '/' (e.g. "zendesk/4711"), sent as is or escaped.
        group.MapGet("/by-external-id/{**externalId}", GetByExternalId);
        group.MapPost("/", Ingest).RequireAuthorization(Authentication.Policies.Manager);
        group.MapPost("/batch", Batch).RequireAuthorization(Authentication.Policies.Manager);
        group.MapFileImport(Import);
        app.MapGet("/api/cases/{id:long}", GetCase).WithTags("Interactions").RequireAuthorization();
    }

    /// <summary>
    /// Interactions newest first unless <paramref name="sort"/> says otherwise, filtered by channel, UTC date range (inclusive),
    /// agent, queue and reason; <c>total</c> counts the matches up to 10,000 (<c>totalIsCapped</c> past that).
    /// </summary>
    /// <param name="sort">
    /// A column (startedAt, channel, handleSeconds, customerName, agentName, queue), with a leading "-" for descending; ties
    /// follow the time and then the id in the same direction.
    /// </param>
    public static async Task<Results<Ok<InteractionPage>, ValidationProblem>> List(InteractionSearch search, ChannelName? channel, DateOnly? from, DateOnly? to,
        long? agentId, string? queue, string? reason, int? page, int? pageSize, string? sort, CancellationToken cancellationToken)
    {
        if (pageSize is < 1 or > InteractionSearch.MaxPageSize)
        {
            return ApiProblems.Invalid("pageSize", $"must be between 1 and {InteractionSearch.MaxPageSize}");
        }
        if (!ApiProblems.TryReadSort(sort, out ListSort<InteractionSortKey>? order, out var invalid))
        {
            return invalid;
        }
        return TypedResults.Ok(await search.SearchAsync(
            new InteractionQuery(channel?.Value, from, to, agentId, queue, reason, Math.Max(1, page ?? 1), pageSize ?? 50, order), cancellationToken));
    }

    public static async Task<Results<Ok<InteractionDto>, NotFound>> Get(InteractionDetails details, long id, CancellationToken cancellationToken) =>
        await details.FindAsync(id, cancellationToken) is { } found ? TypedResults.Ok(ToDto(found)) : TypedResults.NotFound();

    public static async Task<Results<Ok<InteractionDto>, NotFound>> GetByExternalId(TouchpointDb db, InteractionDetails details, string externalId,
        CancellationToken cancellationToken) =>
        // The server decodes every escape in a path but %2F (an escaped '/'), which reaches the route value as is.
        await IdOfAsync(db, externalId.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase), cancellationToken) is { } id
        && await details.FindAsync(id, cancellationToken) is { } found
            ? TypedResults.Ok(ToDto(found))
            : TypedResults.NotFound();

    /// <summary>
    /// Stores one interaction, resolving (or creating) its customer and deriving its case and flags.
    /// Idempotent on externalId: sending it again answers 200 with the stored interaction and changes nothing.
    /// </summary>
    public static async Task<Results<Created<InteractionDto>, Ok<InteractionDto>, ValidationProblem>> Ingest(InteractionIngestor ingestor,
        TouchpointDb db, InteractionDetails details, TimeProvider time, InteractionInput input, CancellationToken cancellationToken)
    {
        var errors = input.Validate(time.GetUtcNow().UtcDateTime);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }
        var summary = await ingestor.IngestAsync([new ImportRow<InteractionInput>(0, input)], cancellationToken: cancellationToken);
        if (summary.Rejections is [var rejected, ..])
        {
            // Named by its field ("email" for another customer's address), as a validation error is; else the whole interaction.
            return rejected.Errors is { Count: > 0 } fields ? ApiProblems.Invalid(fields) : ApiProblems.Invalid("interaction", rejected.Reason);
        }
        var id = (await IdOfAsync(db, input.ExternalId.Trim(), cancellationToken))!.Value;
        var dto = ToDto((await details.FindAsync(id, cancellationToken))!);
        return summary.Imported == 1 ? TypedResults.Created($"/api/interactions/{id}", dto) : TypedResults.Ok(dto);
    }

    /// <summary>Up to 10,000 interactions in one request; valid items are stored, invalid ones are listed by index.</summary>
    public static Task<Results<Ok<BatchResult>, ValidationProblem>> Batch(InteractionIngestor ingestor, List<InteractionInput?> inputs,
        CancellationToken cancellationToken) =>
        Batches.RunAsync(inputs, rows => ingestor.IngestAsync(rows, cancellationToken: cancellationToken, rowName: index => $"at index {index}"));

    /// <summary>
    /// A whole file in the body (CSV with a header row, or JSON Lines), in the formats of docs/import-formats.md; any size.
    /// Answers the import summary with each rejected row's line, column and reason.
    /// </summary>
    public static Task<Results<Ok<FileImportResult>, ValidationProblem>> Import(HttpRequest request, InteractionIngestor ingestor, string? format,
        CancellationToken cancellationToken) =>
        FileImport.RunAsync(request, format, (path, f) => ingestor.IngestAsync(ImportFiles.ReadInteractions(path, f), cancellationToken: cancellationToken),
            cancellationToken);

    public static async Task<Results<Ok<CaseDto>, NotFound>> GetCase(InteractionDetails details, long id, CancellationToken cancellationToken)
    {
        if (await details.FindCaseAsync(id, cancellationToken) is not { } found)
        {
            return TypedResults.NotFound();
        }
        var c = found.Case;
        return TypedResults.Ok(new CaseDto(c.Id, c.ExternalId, c.CustomerId, c.Reason, c.Subject, found.Status, c.OpenedAt, c.LastContactAt, c.ResolvedAt,
            c.ContactCount, c.ChannelCount, c.ChannelSwitches, c.Transfers, c.FirstChannel, c.FirstResponseSeconds, c.ResolutionSeconds,
            c.FirstContactResolved, found.Interactions));
    }

    private static Task<long?> IdOfAsync(TouchpointDb db, string externalId, CancellationToken cancellationToken) =>
        db.Interactions.Where(i => i.ExternalId == externalId).Select(i => (long?)i.Id).FirstOrDefaultAsync(cancellationToken);

    private static InteractionDto ToDto(InteractionDetail d)
    {
        var i = d.Interaction;
        return new InteractionDto(i.Id, i.ExternalId, i.CustomerId, d.CustomerName, i.CaseId, d.Case?.ExternalId ?? i.CaseExternalId, i.Channel,
            i.Direction, i.StartedAt, i.EndedAt, d.Agent?.Name, i.Queue, i.FirstResponseSeconds, i.TalkSeconds, i.HoldSeconds, i.WrapSeconds,
            i.Transfers, i.Reason, i.Outcome, i.Subject, i.IsRepeat, i.FirstContactResolved, i.ChannelSwitch, i.SlaMet, d.Transcript);
    }
}
