using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;
using static Touchpoint.Storage.Bulk.BulkTable;

namespace Touchpoint.Interactions;

/// <summary>
/// Derives, per customer, what the source systems do not say: which interactions form one case, repeat
/// contacts (same customer and reason, or same case, within the window), channel switches inside a case,
/// first-contact resolution, and first response against the channel's SLA. Deterministic and idempotent:
/// recomputing a customer whose data did not change writes nothing.
/// </summary>
public sealed class InteractionDerivations(DatabaseTarget target, InteractionOptions options)
{
    private const int CustomersPerChunk = 2_000;
    private const string AutoPrefix = "auto:";

    internal static readonly BulkTable CasesTable = new("cases",
    [
        Text("external_id"), Long("customer_id"), Text("reason"), Text("subject"), Text("status"), Timestamp("opened_at"),
        Timestamp("last_contact_at"), Timestamp("resolved_at"), Int("contact_count"), Int("channel_count"), Int("channel_switches"),
        Int("transfers"), Text("first_channel"), Int("first_response_seconds"), Int("resolution_seconds"), Bool("first_contact_resolved"),
    ], ["customer_id", "external_id"]);

    private static readonly BulkTable DerivedColumns = new("interactions",
        [Long("case_id"), Bool("is_repeat"), Bool("first_contact_resolved"), Bool("channel_switch"), Bool("sla_met")], []);

    /// <summary>Recomputes the given customers; returns how many cases they have afterwards.</summary>
    public async Task<long> RecomputeAsync(IEnumerable<long> customerIds, CancellationToken cancellationToken)
    {
        long cases = 0;
        foreach (var chunk in customerIds.Distinct().Order().Chunk(CustomersPerChunk))
        {
            cases += await RecomputeChunkAsync(chunk, cancellationToken);
        }
        return cases;
    }

    private sealed record Facts(long Id, long CustomerId, string ExternalId, string? CaseExternalId, long? CaseId, Channel Channel, Direction Direction,
        DateTime StartedAt, DateTime? EndedAt, int? FirstResponseSeconds, int Transfers, string? Reason, string? Subject, Outcome Outcome,
        bool IsRepeat, bool FirstContactResolved, bool ChannelSwitch, bool? SlaMet);

    private sealed record StoredCase(long Id, long CustomerId, string ExternalId, object?[] Values);

    private async Task<long> RecomputeChunkAsync(long[] customerIds, CancellationToken cancellationToken)
    {
        List<Facts> interactions;
        List<StoredCase> storedCases;
        await using (var db = StorageServices.CreateDb(target))
        {
            // Chunks are sorted, so one index range scan on (customer_id, started_at) reads them; rows of customers
            // inside the range but not in the chunk are dropped below.
            var (first, last) = (customerIds[0], customerIds[^1]);
            var wanted = customerIds.ToHashSet();
            interactions = (await db.Interactions.AsNoTracking()
                .Where(i => i.CustomerId >= first && i.CustomerId <= last)
                .OrderBy(i => i.CustomerId).ThenBy(i => i.StartedAt).ThenBy(i => i.Id)
                .Select(i => new Facts(i.Id, i.CustomerId, i.ExternalId, i.CaseExternalId, i.CaseId, i.Channel, i.Direction, i.StartedAt, i.EndedAt,
                    i.FirstResponseSeconds, i.Transfers, i.Reason, i.Subject, i.Outcome, i.IsRepeat, i.FirstContactResolved, i.ChannelSwitch, i.SlaMet))
                .ToListAsync(cancellationToken)).Where(i => wanted.Contains(i.CustomerId)).ToList();
            var rawCases = (await db.Cases.AsNoTracking().Where(c => c.CustomerId >= first && c.CustomerId <= last).ToListAsync(cancellationToken))
                .Where(c => wanted.Contains(c.CustomerId)).ToList();
            storedCases = rawCases.Select(c => new StoredCase(c.Id, c.CustomerId, c.ExternalId, CaseValues(c))).ToList();
        }

        var derived = new List<(Facts Facts, string CaseKey, bool IsRepeat, bool ChannelSwitch, bool? SlaMet)>(interactions.Count);
        foreach (var customer in interactions.GroupBy(i => i.CustomerId))
        {
            var lastByReason = new Dictionary<string, (DateTime At, string CaseKey)>(StringComparer.Ordinal);
            var lastByCase = new Dictionary<string, (DateTime At, Channel Channel)>(StringComparer.Ordinal);
            foreach (var i in customer)
            {
                var reason = i.Reason?.Trim().ToLowerInvariant();
                var sameReason = reason is not null && lastByReason.TryGetValue(reason, out var prev) && i.StartedAt - prev.At <= options.RepeatWindow
                    ? prev.CaseKey
                    : null;
                var caseKey = i.CaseExternalId ?? sameReason ?? AutoPrefix + i.ExternalId;
                var inCase = lastByCase.TryGetValue(caseKey, out var previousInCase);
                var isRepeat = sameReason is not null || (inCase && i.StartedAt - previousInCase.At <= options.RepeatWindow);
                var channelSwitch = inCase && previousInCase.Channel != i.Channel;
                bool? slaMet = i.Direction == Direction.Inbound && i.FirstResponseSeconds is { } frs && options.SlaFor(i.Channel) is { } sla
                    ? frs <= sla
                    : null;
                derived.Add((i, caseKey, isRepeat, channelSwitch, slaMet));
                if (reason is not null)
                {
                    lastByReason[reason] = (i.StartedAt, caseKey);
                }
                lastByCase[caseKey] = (i.StartedAt, i.Channel);
            }
        }

        // Case aggregates, keyed by (customer, case external id).
        var computedCases = derived
            .GroupBy(d => (d.Facts.CustomerId, d.CaseKey))
            .ToDictionary(g => g.Key, g => ComputeCase(g.Key.CustomerId, g.Key.CaseKey, g.ToList()));
        var storedByKey = storedCases.ToDictionary(c => (c.CustomerId, c.ExternalId));

        await using var store = await BulkStore.BeginAsync(target, cancellationToken);
        var caseIds = new Dictionary<(long, string), long>();
        var inserts = new List<((long, string) Key, object?[] Values)>();
        var updates = new List<object?[]>();
        foreach (var (key, values) in computedCases)
        {
            if (storedByKey.TryGetValue(key, out var stored))
            {
                caseIds[key] = stored.Id;
                if (!stored.Values.SequenceEqual(values))
                {
                    updates.Add([stored.Id, .. values]);
                }
            }
            else
            {
                inserts.Add((key, values));
            }
        }
        var newIds = await store.InsertAsync(CasesTable, inserts.Select(i => i.Values).ToList(), cancellationToken);
        for (var n = 0; n < inserts.Count; n++)
        {
            caseIds[inserts[n].Key] = newIds[n] ?? throw new InvalidOperationException(
                $"Case {inserts[n].Key.Item2} of customer {inserts[n].Key.Item1} was created by another writer during derivation; run the derivation again.");
        }
        await store.UpdateAsync(CasesTable, updates, cancellationToken);

        var caseFcr = computedCases.ToDictionary(c => c.Key, c => (bool)c.Value[^1]!);
        var firstInCase = new HashSet<long>(derived.GroupBy(d => (d.Facts.CustomerId, d.CaseKey)).Select(g => g.First().Facts.Id));
        var interactionUpdates = new List<object?[]>();
        foreach (var d in derived)
        {
            var key = (d.Facts.CustomerId, d.CaseKey);
            var caseId = caseIds[key];
            var fcr = firstInCase.Contains(d.Facts.Id) && caseFcr[key];
            if (d.Facts.CaseId != caseId || d.Facts.IsRepeat != d.IsRepeat || d.Facts.FirstContactResolved != fcr
                || d.Facts.ChannelSwitch != d.ChannelSwitch || d.Facts.SlaMet != d.SlaMet)
            {
                interactionUpdates.Add([d.Facts.Id, caseId, d.IsRepeat, fcr, d.ChannelSwitch, d.SlaMet]);
            }
        }
        await store.UpdateAsync(DerivedColumns, interactionUpdates, cancellationToken);

        // Cases no interaction points to any more (after a merge or a re-threading) go away.
        var orphans = storedCases.Where(c => !computedCases.ContainsKey((c.CustomerId, c.ExternalId))).Select(c => c.Id).ToList();
        await store.DeleteAsync("cases", orphans, cancellationToken);
        await store.CommitAsync(cancellationToken);
        return computedCases.Count;
    }

    private static object?[] ComputeCase(long customerId, string externalId, List<(Facts Facts, string CaseKey, bool IsRepeat, bool ChannelSwitch, bool? SlaMet)> items)
    {
        var first = items[0].Facts;
        var last = items[^1].Facts;
        var resolved = last.Outcome == Outcome.Resolved;
        DateTime? resolvedAt = resolved ? last.EndedAt ?? last.StartedAt : null;
        var firstResponse = items.Select(i => i.Facts).FirstOrDefault(f => f.Direction == Direction.Inbound)?.FirstResponseSeconds;
        return
        [
            externalId, customerId,
            items.Select(i => i.Facts.Reason).FirstOrDefault(r => r is not null),
            items.Select(i => i.Facts.Subject).FirstOrDefault(s => s is not null),
            (resolved ? CaseStatus.Resolved : CaseStatus.Open).ToString(),
            first.StartedAt, last.StartedAt, resolvedAt,
            items.Count,
            items.Select(i => i.Facts.Channel).Distinct().Count(),
            items.Count(i => i.ChannelSwitch),
            items.Sum(i => i.Facts.Transfers),
            first.Channel.ToString(),
            firstResponse,
            resolvedAt is { } at ? (int?)Math.Max(0, (int)(at - first.StartedAt).TotalSeconds) : null,
            items.Count == 1 && resolved,
        ];
    }

    private static object?[] CaseValues(Case c) =>
    [
        c.ExternalId, c.CustomerId, c.Reason, c.Subject, c.Status.ToString(), c.OpenedAt, c.LastContactAt, c.ResolvedAt, c.ContactCount,
        c.ChannelCount, c.ChannelSwitches, c.Transfers, c.FirstChannel.ToString(), c.FirstResponseSeconds, c.ResolutionSeconds, c.FirstContactResolved,
    ];
}
