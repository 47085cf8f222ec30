using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;
using static Touchpoint.Storage.Bulk.BulkTable;

namespace Touchpoint.Interactions;

/// <summary>What derivation needs of one contact.</summary>
internal readonly record struct Contact(string ExternalId, string? CaseExternalId, Channel Channel, Direction Direction, DateTime StartedAt,
    DateTime? EndedAt, int? FirstResponseSeconds, int Transfers, string? Reason, string? Subject, Outcome Outcome);

/// <summary>What derivation says about one contact.</summary>
internal readonly record struct DerivedFacts(string CaseKey, bool IsRepeat, bool ChannelSwitch, bool? SlaMet, bool FirstContactResolved);

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

    /// <summary>
    /// Derives one customer's timeline (contacts in time order). Returns the facts per contact, in the same
    /// order, and each case's column values (as <see cref="CasesTable"/> lists them) by case external id.
    /// </summary>
    internal static (DerivedFacts[] Facts, Dictionary<string, object?[]> Cases) Derive(long customerId, IReadOnlyList<Contact> timeline, InteractionOptions options)
    {
        var facts = new DerivedFacts[timeline.Count];
        var lastByReason = new Dictionary<string, (DateTime At, string CaseKey)>(StringComparer.Ordinal);
        var lastByCase = new Dictionary<string, (DateTime At, Channel Channel)>(StringComparer.Ordinal);
        var members = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var n = 0; n < timeline.Count; n++)
        {
            var i = timeline[n];
            var reason = i.Reason?.Trim().ToLowerInvariant();
            var sameReason = reason is not null && lastByReason.TryGetValue(reason, out var prev) && i.StartedAt - prev.At <= options.RepeatWindow
                ? prev.CaseKey
                : null;
            var caseKey = i.CaseExternalId ?? sameReason ?? AutoPrefix + i.ExternalId;
            var inCase = lastByCase.TryGetValue(caseKey, out var previousInCase);
            var isRepeat = sameReason is not null || (inCase && i.StartedAt - previousInCase.At <= options.RepeatWindow);
            bool? slaMet = i.Direction == Direction.Inbound && i.FirstResponseSeconds is { } frs && options.SlaFor(i.Channel) is { } sla
                ? frs <= sla
                : null;
            facts[n] = new DerivedFacts(caseKey, isRepeat, inCase && previousInCase.Channel != i.Channel, slaMet, false);
            if (reason is not null)
            {
                lastByReason[reason] = (i.StartedAt, caseKey);
            }
            lastByCase[caseKey] = (i.StartedAt, i.Channel);
            if (!members.TryGetValue(caseKey, out var list))
            {
                members[caseKey] = list = [];
            }
            list.Add(n);
        }

        var cases = new Dictionary<string, object?[]>(members.Count, StringComparer.Ordinal);
        foreach (var (key, indexes) in members)
        {
            var values = CaseValues(customerId, key, indexes, timeline, facts);
            cases[key] = values;
            if ((bool)values[^1]!)
            {
                facts[indexes[0]] = facts[indexes[0]] with { FirstContactResolved = true };
            }
        }
        return (facts, cases);
    }

    private static object?[] CaseValues(long customerId, string externalId, List<int> indexes, IReadOnlyList<Contact> timeline, DerivedFacts[] facts)
    {
        var first = timeline[indexes[0]];
        var last = timeline[indexes[^1]];
        var resolved = last.Outcome == Outcome.Resolved;
        DateTime? resolvedAt = resolved ? last.EndedAt ?? last.StartedAt : null;
        int? firstResponse = null;
        string? reason = null, subject = null;
        var channels = new HashSet<Channel>();
        int switches = 0, transfers = 0;
        var sawInbound = false;
        foreach (var n in indexes)
        {
            var c = timeline[n];
            if (!sawInbound && c.Direction == Direction.Inbound)
            {
                sawInbound = true;
                firstResponse = c.FirstResponseSeconds;
            }
            reason ??= c.Reason;
            subject ??= c.Subject;
            channels.Add(c.Channel);
            switches += facts[n].ChannelSwitch ? 1 : 0;
            transfers += c.Transfers;
        }
        return
        [
            externalId, customerId, reason, subject,
            (resolved ? CaseStatus.Resolved : CaseStatus.Open).ToString(),
            first.StartedAt, last.StartedAt, resolvedAt,
            indexes.Count, channels.Count, switches, transfers,
            first.Channel.ToString(),
            firstResponse,
            resolvedAt is { } at ? (int?)Math.Max(0, (int)(at - first.StartedAt).TotalSeconds) : null,
            indexes.Count == 1 && resolved,
        ];
    }

    /// <summary>Recomputes the given customers from what is stored; returns how many cases they have afterwards.</summary>
    public async Task<long> RecomputeAsync(IEnumerable<long> customerIds, CancellationToken cancellationToken)
    {
        long cases = 0;
        foreach (var chunk in customerIds.Distinct().Order().Chunk(CustomersPerChunk))
        {
            cases += await RecomputeChunkAsync(chunk, cancellationToken);
        }
        return cases;
    }

    private sealed record Stored(long Id, long CustomerId, long? CaseId, bool IsRepeat, bool FirstContactResolved, bool ChannelSwitch, bool? SlaMet, Contact Contact);

    private sealed record StoredCase(long Id, long CustomerId, string ExternalId, object?[] Values);

    private async Task<long> RecomputeChunkAsync(long[] customerIds, CancellationToken cancellationToken)
    {
        // Lock first, read second: what is read cannot change until this transaction commits.
        await using var store = await BulkStore.BeginAsync(target, cancellationToken);
        await store.LockCustomersAsync(customerIds, cancellationToken);
        List<Stored> interactions;
        List<StoredCase> storedCases;
        await using (var db = StorageServices.CreateDb(target))
        {
            // Chunks are sorted: when they are dense (a bulk import), one index range scan on (customer_id, started_at)
            // reads them and rows of customers in the range but not in the chunk are dropped; sparse chunks use IN.
            var (first, last) = (customerIds[0], customerIds[^1]);
            var dense = last - first + 1 <= 2L * customerIds.Length;
            var wanted = customerIds.ToHashSet();
            var interactionRows = dense
                ? db.Interactions.Where(i => i.CustomerId >= first && i.CustomerId <= last)
                : db.Interactions.Where(i => customerIds.Contains(i.CustomerId));
            interactions = (await interactionRows.AsNoTracking()
                .OrderBy(i => i.CustomerId).ThenBy(i => i.StartedAt).ThenBy(i => i.Id)
                .Select(i => new Stored(i.Id, i.CustomerId, i.CaseId, i.IsRepeat, i.FirstContactResolved, i.ChannelSwitch, i.SlaMet,
                    new Contact(i.ExternalId, i.CaseExternalId, i.Channel, i.Direction, i.StartedAt, i.EndedAt, i.FirstResponseSeconds, i.Transfers,
                        i.Reason, i.Subject, i.Outcome)))
                .ToListAsync(cancellationToken)).Where(i => wanted.Contains(i.CustomerId)).ToList();
            var caseRows = dense
                ? db.Cases.Where(c => c.CustomerId >= first && c.CustomerId <= last)
                : db.Cases.Where(c => customerIds.Contains(c.CustomerId));
            var rawCases = (await caseRows.AsNoTracking().ToListAsync(cancellationToken)).Where(c => wanted.Contains(c.CustomerId)).ToList();
            storedCases = rawCases.Select(c => new StoredCase(c.Id, c.CustomerId, c.ExternalId, StoredCaseValues(c))).ToList();
        }

        var derived = new List<(Stored Row, DerivedFacts Facts)>(interactions.Count);
        var computedCases = new Dictionary<(long CustomerId, string Key), object?[]>();
        foreach (var customer in interactions.GroupBy(i => i.CustomerId))
        {
            var rows = customer.ToList();
            var (facts, cases) = Derive(customer.Key, rows.Select(r => r.Contact).ToList(), options);
            for (var n = 0; n < rows.Count; n++)
            {
                derived.Add((rows[n], facts[n]));
            }
            foreach (var (key, values) in cases)
            {
                computedCases[(customer.Key, key)] = values;
            }
        }
        var storedByKey = storedCases.ToDictionary(c => (c.CustomerId, c.ExternalId));

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
        foreach (var (key, id) in await InsertCasesAsync(target, store, inserts.Select(i => i.Key).ToList(), inserts.Select(i => i.Values).ToList(), cancellationToken))
        {
            caseIds[key] = id;
        }
        await store.UpdateAsync(CasesTable, updates, cancellationToken);

        var interactionUpdates = new List<object?[]>();
        foreach (var (row, f) in derived)
        {
            var caseId = caseIds[(row.CustomerId, f.CaseKey)];
            if (row.CaseId != caseId || row.IsRepeat != f.IsRepeat || row.FirstContactResolved != f.FirstContactResolved
                || row.ChannelSwitch != f.ChannelSwitch || row.SlaMet != f.SlaMet)
            {
                interactionUpdates.Add([row.Id, caseId, f.IsRepeat, f.FirstContactResolved, f.ChannelSwitch, f.SlaMet]);
            }
        }
        await store.UpdateAsync(DerivedColumns, interactionUpdates, cancellationToken);

        // Cases no interaction points to any more (after a merge or a re-threading) go away.
        var orphans = storedCases.Where(c => !computedCases.ContainsKey((c.CustomerId, c.ExternalId))).Select(c => c.Id).ToList();
        await store.DeleteAsync("cases", orphans, cancellationToken);
        await store.CommitAsync(cancellationToken);
        return computedCases.Count;
    }

    /// <summary>Inserts cases, and finds the ids of those that already exist (earlier batches, earlier runs, another writer).</summary>
    internal static async Task<Dictionary<(long, string), long>> InsertCasesAsync(DatabaseTarget target, IBulkStore store, List<(long CustomerId, string Key)> keys, List<object?[]> rows,
        CancellationToken cancellationToken)
    {
        var ids = new Dictionary<(long, string), long>(keys.Count);
        var inserted = await store.InsertAsync(InteractionDerivations.CasesTable, rows, cancellationToken);
        var missing = new List<(long CustomerId, string Key)>();
        for (var n = 0; n < keys.Count; n++)
        {
            if (inserted[n] is { } id)
            {
                ids[keys[n]] = id;
            }
            else
            {
                missing.Add(keys[n]);
            }
        }
        if (missing.Count > 0)
        {
            await using var db = StorageServices.CreateDb(target);
            var wanted = missing.ToHashSet();
            foreach (var chunk in missing.Select(k => k.Key).Distinct().Chunk(2000))
            {
                var found = await db.Cases.AsNoTracking().Where(c => chunk.Contains(c.ExternalId))
                    .Select(c => new { c.Id, c.CustomerId, c.ExternalId }).ToListAsync(cancellationToken);
                foreach (var c in found.Where(c => wanted.Contains((c.CustomerId, c.ExternalId))))
                {
                    ids[(c.CustomerId, c.ExternalId)] = c.Id;
                }
            }
        }
        return ids;
    }

    private static object?[] StoredCaseValues(Case c) =>
    [
        c.ExternalId, c.CustomerId, c.Reason, c.Subject, c.Status.ToString(), c.OpenedAt, c.LastContactAt, c.ResolvedAt, c.ContactCount,
        c.ChannelCount, c.ChannelSwitches, c.Transfers, c.FirstChannel.ToString(), c.FirstResponseSeconds, c.ResolutionSeconds, c.FirstContactResolved,
    ];
}
