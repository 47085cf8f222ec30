using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Import;
using Touchpoint.Interactions;
using Touchpoint.Server.Customers;
using Touchpoint.Server.Platform;
using Touchpoint.Storage;

namespace Touchpoint.Server.Interactions;

public sealed record MessageDto(int Sequence, MessageAuthor Author, DateTime At, string Text);

public sealed record InteractionDto(long Id, string ExternalId, long CustomerId, long? CaseId, string? CaseExternalId, Channel Channel,
    Direction Direction, DateTime StartedAt, DateTime? EndedAt, string? Agent, string? Queue, int? FirstResponseSeconds, int TalkSeconds,
    int HoldSeconds, int WrapSeconds, int Transfers, string? Reason, Outcome Outcome, string? Subject, bool IsRepeat, bool FirstContactResolved,
    bool ChannelSwitch, bool? SlaMet, IReadOnlyList<MessageDto> Messages);

public sealed record CaseInteractionDto(long Id, string ExternalId, Channel Channel, Direction Direction, DateTime StartedAt, string? Agent,
    Outcome Outcome, bool? SlaMet);

public sealed record CaseDto(long Id, string ExternalId, long CustomerId, string? Reason, string? Subject, CaseStatus Status, DateTime OpenedAt,
    DateTime LastContactAt, DateTime? ResolvedAt, int ContactCount, int ChannelCount, int ChannelSwitches, int Transfers, Channel FirstChannel,
    int? FirstResponseSeconds, int? ResolutionSeconds, bool FirstContactResolved, IReadOnlyList<CaseInteractionDto> Interactions);

public static class InteractionsApi
{
    public const int MaxBatch = 10_000;

    public static void MapInteractionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/interactions").WithTags("Interactions").RequireAuthorization();
        group.MapGet("/{id:long}", Get);
        group.MapGet("/by-external-id/{externalId}", GetByExternalId);
        group.MapPost("/", Ingest).RequireAuthorization(Authentication.Policies.Manager);
        group.MapPost("/batch", Batch).RequireAuthorization(Authentication.Policies.Manager);
        app.MapGet("/api/cases/{id:long}", GetCase).WithTags("Interactions").RequireAuthorization();
    }

    public static async Task<Results<Ok<InteractionDto>, NotFound>> Get(TouchpointDb db, long id, CancellationToken cancellationToken) =>
        await LoadAsync(db, db.Interactions.Where(i => i.Id == id), cancellationToken) is { } dto ? TypedResults.Ok(dto) : TypedResults.NotFound();

    public static async Task<Results<Ok<InteractionDto>, NotFound>> GetByExternalId(TouchpointDb db, string externalId, CancellationToken cancellationToken) =>
        await LoadAsync(db, db.Interactions.Where(i => i.ExternalId == externalId), cancellationToken) is { } dto
            ? TypedResults.Ok(dto)
            : TypedResults.NotFound();

    /// <summary>
    /// Stores one interaction, resolving (or creating) its customer and deriving its case and flags.
    /// Idempotent on externalId: sending it again answers 200 with the stored interaction and changes nothing.
    /// </summary>
    public static async Task<Results<Created<InteractionDto>, Ok<InteractionDto>, ValidationProblem>> Ingest(InteractionIngestor ingestor,
        TouchpointDb db, InteractionInput input, CancellationToken cancellationToken)
    {
        var errors = input.Validate();
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }
        var summary = await ingestor.IngestAsync([new ImportRow<InteractionInput>(0, input)], cancellationToken: cancellationToken);
        if (summary.Rejections.Count > 0)
        {
            return ApiProblems.Invalid("interaction", summary.Rejections[0].Reason);
        }
        var externalId = input.ExternalId.Trim();
        var dto = (await LoadAsync(db, db.Interactions.Where(i => i.ExternalId == externalId), cancellationToken))!;
        return summary.Imported == 1 ? TypedResults.Created($"/api/interactions/{dto.Id}", dto) : TypedResults.Ok(dto);
    }

    /// <summary>Up to 10,000 interactions in one request; valid items are stored, invalid ones are listed by index.</summary>
    public static async Task<Results<Ok<BatchResult>, ValidationProblem>> Batch(InteractionIngestor ingestor, List<InteractionInput?> inputs,
        CancellationToken cancellationToken)
    {
        if (inputs.Count > MaxBatch)
        {
            return ApiProblems.Invalid("items", $"a batch holds at most {MaxBatch} items; send {inputs.Count} in several requests");
        }
        var summary = await ingestor.IngestAsync(inputs.Select((input, n) => new ImportRow<InteractionInput>(n, input, input is null ? "is null" : null)),
            cancellationToken: cancellationToken);
        return TypedResults.Ok(CustomersApi.ToBatchResult(inputs.Count, summary));
    }

    public static async Task<Results<Ok<CaseDto>, NotFound>> GetCase(TouchpointDb db, long id, CancellationToken cancellationToken)
    {
        var c = await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (c is null)
        {
            return TypedResults.NotFound();
        }
        var interactions = await db.Interactions.AsNoTracking().Where(i => i.CaseId == id).OrderBy(i => i.StartedAt).ThenBy(i => i.Id)
            .Select(i => new CaseInteractionDto(i.Id, i.ExternalId, i.Channel, i.Direction, i.StartedAt, i.Agent == null ? null : i.Agent.Name, i.Outcome, i.SlaMet))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new CaseDto(c.Id, c.ExternalId, c.CustomerId, c.Reason, c.Subject, c.Status, c.OpenedAt, c.LastContactAt, c.ResolvedAt,
            c.ContactCount, c.ChannelCount, c.ChannelSwitches, c.Transfers, c.FirstChannel, c.FirstResponseSeconds, c.ResolutionSeconds,
            c.FirstContactResolved, interactions));
    }

    private static async Task<InteractionDto?> LoadAsync(TouchpointDb db, IQueryable<Interaction> query, CancellationToken cancellationToken)
    {
        var i = await query.AsNoTracking().Include(x => x.Agent).Include(x => x.Case).FirstOrDefaultAsync(cancellationToken);
        if (i is null)
        {
            return null;
        }
        var messages = await db.Messages.AsNoTracking().Where(m => m.InteractionId == i.Id).OrderBy(m => m.Sequence)
            .Select(m => new MessageDto(m.Sequence, m.Author, m.At, m.Text)).ToListAsync(cancellationToken);
        return new InteractionDto(i.Id, i.ExternalId, i.CustomerId, i.CaseId, i.Case?.ExternalId ?? i.CaseExternalId, i.Channel, i.Direction,
            i.StartedAt, i.EndedAt, i.Agent?.Name, i.Queue, i.FirstResponseSeconds, i.TalkSeconds, i.HoldSeconds, i.WrapSeconds, i.Transfers,
            i.Reason, i.Outcome, i.Subject, i.IsRepeat, i.FirstContactResolved, i.ChannelSwitch, i.SlaMet, messages);
    }
}
