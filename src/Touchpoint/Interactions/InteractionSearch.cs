using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;

namespace Touchpoint.Interactions;

/// <summary>Filters of the interaction list; dates are UTC days, <see cref="To"/> inclusive.</summary>
public sealed record InteractionQuery(
    Channel? Channel = null,
    DateOnly? From = null,
    DateOnly? To = null,
    long? AgentId = null,
    string? Queue = null,
    string? Reason = null,
    int Page = 1,
    int PageSize = 50);

/// <summary>A page of interactions, newest first; <see cref="HasMore"/> instead of a total, so paging never counts all history.</summary>
public sealed record InteractionPage(IReadOnlyList<InteractionSummary> Items, int Page, int PageSize, bool HasMore);

public sealed record AgentOption(long Id, string Name);

/// <summary>
/// The interaction list with filters. Newest-first paging walks the started_at index (or (agent_id, started_at) when an
/// agent is chosen) and stops after one page, so it stays fast on hundreds of thousands of rows.
/// </summary>
public sealed class InteractionSearch(TouchpointDb db)
{
    public const int MaxPageSize = 200;

    public async Task<InteractionPage> SearchAsync(InteractionQuery query, CancellationToken cancellationToken = default)
    {
        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var page = Math.Max(1, query.Page);
        var interactions = db.Interactions.AsNoTracking();
        if (query.Channel is { } channel)
        {
            interactions = interactions.Where(i => i.Channel == channel);
        }
        interactions = interactions.StartedOnDays(query.From, query.To);
        if (query.AgentId is { } agentId)
        {
            interactions = interactions.Where(i => i.AgentId == agentId);
        }
        // Queue and reason match whatever their case ("billing" finds "Billing"); both sides are folded by the database, so
        // alike on each engine.
        if (!string.IsNullOrWhiteSpace(query.Queue))
        {
            var queue = query.Queue.Trim();
            // No stored text holds a NUL, and PostgreSQL fails a query that sends one: such a filter matches nothing.
            interactions = queue.Contains('\0', StringComparison.Ordinal) ? interactions.Where(_ => false) : interactions.Where(i => i.Queue!.ToLower() == queue.ToLower());
        }
        if (!string.IsNullOrWhiteSpace(query.Reason))
        {
            var reason = query.Reason.Trim();
            interactions = reason.Contains('\0', StringComparison.Ordinal) ? interactions.Where(_ => false) : interactions.Where(i => i.Reason!.ToLower() == reason.ToLower());
        }
        var rows = await interactions
            .OrderByDescending(i => i.StartedAt).ThenByDescending(i => i.Id)
            .Skip(Paging.Offset(page, pageSize)).Take(pageSize + 1)
            .ToSummaries()
            .ToListAsync(cancellationToken);
        var hasMore = rows.Count > pageSize;
        return new InteractionPage(hasMore ? rows[..pageSize] : rows, page, pageSize, hasMore);
    }

    /// <summary>The agents to choose from, by name.</summary>
    public Task<List<AgentOption>> AgentsAsync(CancellationToken cancellationToken = default) =>
        db.Agents.AsNoTracking().OrderBy(a => a.Name).ThenBy(a => a.Id).Select(a => new AgentOption(a.Id, a.Name)).ToListAsync(cancellationToken);
}
