using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Storage;

namespace Touchpoint.Interactions;

public sealed record TranscriptMessage(int Sequence, MessageAuthor Author, DateTime At, string Text);

/// <summary>One interaction with its transcript, the agent who handled it and the case it belongs to with the case's contacts.</summary>
public sealed record InteractionDetail(
    Interaction Interaction,
    string CustomerName,
    Agent? Agent,
    IReadOnlyList<TranscriptMessage> Transcript,
    Case? Case,
    IReadOnlyList<InteractionSummary> CaseInteractions,
    CaseStatus? CaseStatus);

/// <summary>A case with its contacts across channels, oldest first, and its status now (<see cref="InteractionOptions.CaseStatusAt"/>).</summary>
public sealed record CaseDetail(Case Case, IReadOnlyList<InteractionSummary> Interactions, CaseStatus Status);

/// <summary>Reads one interaction (or one case) for its page and the API.</summary>
public sealed class InteractionDetails(TouchpointDb db, TimeProvider time, IOptions<InteractionOptions> options)
{
    private readonly InteractionOptions _options = options.Value;

    private CaseStatus StatusNow(Case c) => _options.CaseStatusAt(c.Status, c.LastContactAt, time.GetUtcNow().UtcDateTime);

    public async Task<InteractionDetail?> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        var interaction = await db.Interactions.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (interaction is null)
        {
            return null;
        }
        var customerId = interaction.CustomerId;
        var customerName = await db.Customers.Where(c => c.Id == customerId).Select(c => c.Name).FirstAsync(cancellationToken);
        var agent = interaction.AgentId is { } agentId
            ? await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken)
            : null;
        var transcript = await db.Messages.AsNoTracking()
            .Where(m => m.InteractionId == id)
            .OrderBy(m => m.Sequence)
            .Select(m => new TranscriptMessage(m.Sequence, m.Author, m.At, m.Text))
            .ToListAsync(cancellationToken);
        Case? @case = null;
        List<InteractionSummary> caseInteractions = [];
        if (interaction.CaseId is { } caseId)
        {
            @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken);
            // The customer filter keeps this on one shard when interactions are distributed by customer.
            caseInteractions = await db.Interactions.AsNoTracking()
                .Where(i => i.CustomerId == customerId && i.CaseId == caseId)
                .OrderBy(i => i.StartedAt).ThenBy(i => i.Id)
                .ToSummaries()
                .ToListAsync(cancellationToken);
        }
        return new InteractionDetail(interaction, customerName, agent, transcript, @case, caseInteractions, @case is null ? null : StatusNow(@case));
    }

    public async Task<CaseDetail?> FindCaseAsync(long caseId, CancellationToken cancellationToken = default)
    {
        var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken);
        if (@case is null)
        {
            return null;
        }
        var customerId = @case.CustomerId;
        var interactions = await db.Interactions.AsNoTracking()
            .Where(i => i.CustomerId == customerId && i.CaseId == caseId)
            .OrderBy(i => i.StartedAt).ThenBy(i => i.Id)
            .ToSummaries()
            .ToListAsync(cancellationToken);
        return new CaseDetail(@case, interactions, StatusNow(@case));
    }
}
