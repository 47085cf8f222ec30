using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;

namespace Touchpoint.Platform;

/// <summary>What to read of the audit log: equal actor, action prefix ("user." is every change to users), equal target; entries before an id.</summary>
public sealed record AuditQuery(string? Actor = null, string? Action = null, string? Target = null, long? Before = null, int Take = 50);

/// <summary>A page of the audit log, newest first; <see cref="NextBefore"/> asks for the older entries, null on the last page.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, long? NextBefore);

/// <summary>
/// Reads the audit log for administrators: who did what to which record. Pages by id (keyset), so reading far back
/// costs what the first page costs and an entry written meanwhile neither repeats nor skips one.
/// </summary>
public sealed class AuditTrail(TouchpointDb db)
{
    public const int MaxTake = 200;

    public async Task<AuditPage> PageAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var take = Math.Clamp(query.Take, 1, MaxTake);
        if (new[] { query.Actor, query.Action, query.Target }.Any(f => f?.Contains('\0', StringComparison.Ordinal) == true))
        {
            // No entry holds a NUL (none can be stored), and PostgreSQL fails a query that compares one.
            return new AuditPage([], null);
        }
        var entries = db.AuditLog.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            var actor = query.Actor.Trim();
            entries = entries.Where(a => a.Actor == actor);
        }
        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            var action = query.Action.Trim();
            entries = entries.Where(a => a.Action.StartsWith(action));
        }
        if (!string.IsNullOrWhiteSpace(query.Target))
        {
            var target = query.Target.Trim();
            entries = entries.Where(a => a.Target == target);
        }
        if (query.Before is { } before)
        {
            entries = entries.Where(a => a.Id < before);
        }
        // One more than asked tells whether older entries exist.
        var items = await entries.OrderByDescending(a => a.Id).Take(take + 1).ToListAsync(cancellationToken);
        var more = items.Count > take;
        if (more)
        {
            items.RemoveAt(take);
        }
        return new AuditPage(items, more ? items[^1].Id : null);
    }
}
