using System.Linq.Expressions;
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
    int PageSize = 50,
    ListSort<InteractionSortKey>? Sort = null,
    IReadOnlyList<Channel>? ChannelOrder = null);

/// <summary>The columns the interaction list sorts by; their camelCase names are what <c>sort=</c> takes.</summary>
public enum InteractionSortKey
{
    StartedAt,
    Channel,
    HandleSeconds,
    CustomerName,
    AgentName,
    Queue,
}

/// <summary>
/// A page of interactions and how many the filters match: <see cref="Total"/> exactly up to
/// <see cref="InteractionSearch.CountLimit"/>; past it <see cref="TotalIsCapped"/> is set and <see cref="Total"/> is the
/// limit ("more than 10,000"), so no page counts all history.
/// </summary>
public sealed record InteractionPage(IReadOnlyList<InteractionSummary> Items, int Page, int PageSize, bool HasMore, int Total = 0, bool TotalIsCapped = false)
{
    /// <summary>The number of pages when the total is exact; null when it is capped.</summary>
    public int? PageCount => TotalIsCapped ? null : Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
}

public sealed record AgentOption(long Id, string Name);

/// <summary>
/// The interaction list with filters. Newest-first paging walks the started_at index (or (agent_id, started_at) when an
/// agent is chosen) and stops after one page, so it stays fast on hundreds of thousands of rows.
/// </summary>
public sealed class InteractionSearch(TouchpointDb db)
{
    public const int MaxPageSize = 200;

    /// <summary>Counting stops here: past it a count reads a large part of history for a number nobody pages through.</summary>
    public const int CountLimit = 10_000;

    /// <summary>Newest first: the order the list had before it could be sorted.</summary>
    public static readonly ListSort<InteractionSortKey> DefaultSort = new(InteractionSortKey.StartedAt, true);

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
        var rows = await Sorted(interactions, query.Sort ?? DefaultSort, query.ChannelOrder)
            .Skip(Paging.Offset(page, pageSize)).Take(pageSize + 1)
            .ToSummaries()
            .ToListAsync(cancellationToken);
        var hasMore = rows.Count > pageSize;
        // One more than the limit tells "exactly 10,000" from "more".
        var counted = await interactions.Select(i => i.Id).Take(CountLimit + 1).CountAsync(cancellationToken);
        return new InteractionPage(hasMore ? rows[..pageSize] : rows, page, pageSize, hasMore, Math.Min(counted, CountLimit), counted > CountLimit);
    }

    /// <summary>
    /// The interactions in <paramref name="sort"/>'s order. Ties are broken by time and then id in the same direction, so
    /// every page follows from the one before (no row shown twice or skipped) and a descending list is the ascending one
    /// reversed; the customer's and the agent's id keep two people of one name apart. Contacts without an agent or a
    /// queue come last either way (the databases disagree where NULL sorts). Channels sort in
    /// <paramref name="channelOrder"/> (the order of their labels in the reader's language), else by stored name.
    /// </summary>
    internal static IOrderedQueryable<Interaction> Sorted(IQueryable<Interaction> interactions, ListSort<InteractionSortKey> sort,
        IReadOnlyList<Channel>? channelOrder = null)
    {
        var d = sort.Descending;
        var ordered = sort.Key switch
        {
            InteractionSortKey.StartedAt => interactions.SortBy(i => i.StartedAt, d),
            InteractionSortKey.Channel => (channelOrder is null ? interactions.SortBy(i => i.Channel, d) : interactions.SortBy(ChannelRank(channelOrder), d))
                .ThenSortBy(i => i.StartedAt, d),
            // As the list shows it, added as bigint (see ToSummaries). No index: every index on interactions slows imports.
            InteractionSortKey.HandleSeconds => interactions.SortBy(i => (long)i.TalkSeconds + i.HoldSeconds + i.WrapSeconds, d).ThenSortBy(i => i.StartedAt, d),
            InteractionSortKey.CustomerName => interactions.SortBy(i => i.Customer!.Name, d).ThenSortBy(i => i.CustomerId, d).ThenSortBy(i => i.StartedAt, d),
            InteractionSortKey.AgentName => interactions.OrderBy(i => i.AgentId == null).ThenSortBy(i => i.Agent!.Name, d).ThenSortBy(i => i.AgentId, d)
                .ThenSortBy(i => i.StartedAt, d),
            // Blanks last both ways: ascending "queue IS NULL" first, descending "queue IS NOT NULL" descending.
            InteractionSortKey.Queue => (d ? interactions.OrderByDescending(i => i.Queue != null) : interactions.OrderBy(i => i.Queue == null))
                .ThenSortBy(i => i.Queue, d).ThenSortBy(i => i.StartedAt, d),
        };
        return ordered.ThenSortBy(i => i.Id, d);
    }

    /// <summary>
    /// A channel's place in <paramref name="order"/> as the database computes it (CASE channel WHEN 'Sms' THEN 0 ...):
    /// channels are stored by name, which sorts "Sms" before "Social" in every language.
    /// </summary>
    private static Expression<Func<Interaction, int>> ChannelRank(IReadOnlyList<Channel> order)
    {
        var row = Expression.Parameter(typeof(Interaction), "i");
        var channel = Expression.Property(row, nameof(Interaction.Channel));
        Expression rank = Expression.Constant(order.Count);
        for (var n = order.Count - 1; n >= 0; n--)
        {
            rank = Expression.Condition(Expression.Equal(channel, Expression.Constant(order[n])), Expression.Constant(n), rank);
        }
        return Expression.Lambda<Func<Interaction, int>>(rank, row);
    }

    /// <summary>The agents to choose from, by name.</summary>
    public Task<List<AgentOption>> AgentsAsync(CancellationToken cancellationToken = default) =>
        db.Agents.AsNoTracking().OrderBy(a => a.Name).ThenBy(a => a.Id).Select(a => new AgentOption(a.Id, a.Name)).ToListAsync(cancellationToken);
}
