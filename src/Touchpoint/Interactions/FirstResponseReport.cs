using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Metrics;
using Touchpoint.Storage;

namespace Touchpoint.Interactions;

/// <summary>
/// First response per queue (for twcs: per brand) and channel. Sample sizes: <see cref="CustomerContacts"/> inbound
/// contacts, of which <see cref="Answered"/> have a first response; median, p90 and the share within the channel's
/// SLA are over the answered ones.
/// </summary>
public sealed record FirstResponseRow(string Queue, Channel Channel, long CustomerContacts, long Answered, double? MedianSeconds,
    double? P90Seconds, int? SlaSeconds, long WithinSla, double? ShareWithinSla)
{
    public double AnsweredShare => CustomerContacts == 0 ? 0 : (double)Answered / CustomerContacts;

    /// <summary>Within-SLA share with its 95 % interval; null when the channel has no SLA.</summary>
    public Proportion? SlaShare => SlaSeconds is null ? null : new Proportion(WithinSla, Answered);

    /// <summary>Fewer answered contacts than <see cref="Proportion.SmallSample"/>: shown, but flagged.</summary>
    public bool IsSmallSample => Answered < Proportion.SmallSample;
}

/// <summary>Which inbound contacts the report covers: <see cref="From"/> and <see cref="To"/> are UTC days, both included.</summary>
public sealed record FirstResponseQuery(Channel? Channel = null, string? CaseExternalIdPrefix = null, DateOnly? From = null, DateOnly? To = null);

/// <summary>
/// Computes first-response figures from stored interactions. Percentiles are exact (all answered times are
/// read, in one streamed query of three columns) with linear interpolation between ranks, as pandas and
/// Excel's PERCENTILE.INC do.
/// </summary>
public sealed class FirstResponseReport(DatabaseTarget target, IOptions<InteractionOptions> options)
{
    public const string NoQueue = "(no queue)";

    public async Task<IReadOnlyList<FirstResponseRow>> ComputeAsync(FirstResponseQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = StorageServices.CreateDb(target);
        var rows = db.Interactions.AsNoTracking().Where(i => i.Direction == Direction.Inbound);
        if (query.Channel is { } channel)
        {
            rows = rows.Where(i => i.Channel == channel);
        }
        if (query.CaseExternalIdPrefix is { Length: > 0 } prefix)
        {
            rows = rows.Where(i => i.CaseExternalId != null && i.CaseExternalId.StartsWith(prefix));
        }
        rows = rows.StartedOnDays(query.From, query.To);
        var groups = new Dictionary<(string Queue, Channel Channel), (long Contacts, List<int> Times)>();
        await foreach (var r in rows.Select(i => new { i.Queue, i.Channel, i.FirstResponseSeconds }).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var key = (r.Queue ?? NoQueue, r.Channel);
            if (!groups.TryGetValue(key, out var g))
            {
                g = (0, []);
            }
            g.Contacts++;
            if (r.FirstResponseSeconds is { } s)
            {
                g.Times.Add(s);
            }
            groups[key] = g;
        }
        return groups.Select(g => Summarize(g.Key.Queue, g.Key.Channel, g.Value.Contacts, g.Value.Times, options.Value.SlaFor(g.Key.Channel)))
            .OrderByDescending(r => r.CustomerContacts).ThenBy(r => r.Queue, StringComparer.Ordinal).ToList();
    }

    public static FirstResponseRow Summarize(string queue, Channel channel, long contacts, List<int> times, int? slaSeconds)
    {
        times.Sort();
        var within = slaSeconds is { } sla ? times.Count(t => t <= sla) : 0;
        return new FirstResponseRow(queue, channel, contacts, times.Count, Percentile(times, 0.5), Percentile(times, 0.9), slaSeconds, within,
            slaSeconds is null || times.Count == 0 ? null : (double)within / times.Count);
    }

    /// <summary>Linear interpolation between closest ranks over sorted values (pandas' default); null when empty.</summary>
    public static double? Percentile(IReadOnlyList<int> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return null;
        }
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (rank - low) * (sorted[high] - sorted[low]);
    }
}
