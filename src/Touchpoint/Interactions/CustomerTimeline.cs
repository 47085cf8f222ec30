using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;

namespace Touchpoint.Interactions;

/// <summary>A page of a customer's timeline, newest first; <see cref="HasMore"/> says whether older contacts exist.</summary>
public sealed record TimelinePage(IReadOnlyList<InteractionSummary> Items, int Page, int PageSize, bool HasMore);

/// <summary>Contacts of one calendar month (UTC) per channel.</summary>
public sealed record MonthlyContacts(DateOnly Month, IReadOnlyDictionary<Channel, int> ByChannel)
{
    public int Total => ByChannel.Values.Sum();
}

/// <summary>
/// Reads one customer's interactions across every channel for the 360 page and the API. Both queries are range
/// scans of the (customer_id, started_at) index. (Not to be confused with the internal CustomerTimelines, which
/// loads timelines for derivation.)
/// </summary>
public sealed class CustomerTimeline(TouchpointDb db, TimeProvider time)
{
    public const int MaxPageSize = 200;

    public async Task<TimelinePage> PageAsync(long customerId, int page = 1, int pageSize = 25, CancellationToken cancellationToken = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        page = Math.Max(1, page);
        // One extra row tells whether there is an older page without counting the whole history.
        var rows = await db.Interactions.AsNoTracking()
            .Where(i => i.CustomerId == customerId)
            .OrderByDescending(i => i.StartedAt).ThenByDescending(i => i.Id)
            .Skip(Paging.Offset(page, pageSize)).Take(pageSize + 1)
            .ToSummaries()
            .ToListAsync(cancellationToken);
        var hasMore = rows.Count > pageSize;
        return new TimelinePage(hasMore ? rows[..pageSize] : rows, page, pageSize, hasMore);
    }

    /// <summary>Contacts per calendar month and channel over the last <paramref name="months"/> months, oldest first, empty months included.</summary>
    public async Task<IReadOnlyList<MonthlyContacts>> MonthlyAsync(long customerId, int months = 24, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var first = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1 - months);
        // Grouping by month in SQL differs per provider; one customer's contacts are few, so they are grouped here.
        var contacts = await db.Interactions.AsNoTracking()
            .Where(i => i.CustomerId == customerId && i.StartedAt >= first)
            .Select(i => new { i.StartedAt, i.Channel })
            .ToListAsync(cancellationToken);
        var counts = contacts
            .GroupBy(c => (Month: new DateOnly(c.StartedAt.Year, c.StartedAt.Month, 1), c.Channel))
            .ToDictionary(g => g.Key, g => g.Count());
        return Enumerable.Range(0, months)
            .Select(n => DateOnly.FromDateTime(first.AddMonths(n)))
            .Select(month => new MonthlyContacts(month, Enum.GetValues<Channel>()
                .Where(ch => counts.ContainsKey((month, ch)))
                .ToDictionary(ch => ch, ch => counts[(month, ch)])))
            .ToList();
    }
}
