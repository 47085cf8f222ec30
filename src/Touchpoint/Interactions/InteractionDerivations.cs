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

/// <summary>Where a derivation of one customer's timeline stands, so a later batch can continue it.</summary>
internal sealed class DerivationState
{
    public Dictionary<string, (DateTime At, string CaseKey)> LastByReason { get; } = new(StringComparer.Ordinal);

    /// <summary>The customer's own (inbound) contacts, by reason and by case: what makes a later inbound contact a repeat or a channel switch.</summary>
    public Dictionary<string, DateTime> LastInboundByReason { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, (DateTime At, Channel Channel)> LastInboundByCase { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<int>> Members { get; } = new(StringComparer.Ordinal);
    public List<DerivedFacts> Facts { get; } = [];
    public int Count => Facts.Count;
}

/// <summary>What a recomputation left: the customers' cases, how many of them it opened, and how many cases it removed.</summary>
public readonly record struct Recomputed(long Cases, long Opened, long Removed = 0);

/// <summary>
/// Derives, per customer, what the source systems do not say: which interactions form one case, repeat
/// contacts (an inbound contact after the same customer's inbound contact of the same reason or case, within the window), channel switches inside a case,
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

    /// <summary>
    /// Continues a derivation: derives the contacts of <paramref name="timeline"/> after the first
    /// <see cref="DerivationState.Count"/> (which must be unchanged and still first in time order). A left-to-right
    /// scan, so the facts of earlier contacts stay as they were, except first-contact resolution of the first inbound
    /// contact of a case that gained contacts. Returns the cases the new contacts belong to, each once, with its values
    /// and the index of its first inbound contact (the one first-contact resolution is told on; -1 for none).
    /// </summary>
    /// <remarks>
    /// Repeat contact, channel switch and first-contact resolution are about the customer contacting us: an outbound
    /// contact (an agent's reply or callback, a brand's tweet) is never a repeat or a switch, and a case the customer
    /// contacted once and that ended resolved is resolved on first contact whatever we sent them. Counting the replies made every answered twcs
    /// conversation a "repeat" and none of them first-contact resolved.
    /// </remarks>
    internal static List<(string Key, object?[] Values, int FirstInbound)> Extend(long customerId, DerivationState state, IReadOnlyList<Contact> timeline, InteractionOptions options)
    {
        var touched = new List<string>();
        var facts = state.Facts;
        var start = facts.Count;
        for (var n = start; n < timeline.Count; n++)
        {
            var i = timeline[n];
            var reason = i.Reason?.Trim().ToLowerInvariant();
            var sameReason = reason is not null && state.LastByReason.TryGetValue(reason, out var prev) && i.StartedAt - prev.At <= options.RepeatWindow
                ? prev.CaseKey
                : null;
            var caseKey = i.CaseExternalId ?? sameReason ?? AutoPrefix + i.ExternalId;
            var inbound = i.Direction == Direction.Inbound;
            var previousInCase = inbound && state.LastInboundByCase.TryGetValue(caseKey, out var p) ? p : ((DateTime At, Channel Channel)?)null;
            var isRepeat = inbound
                && ((reason is not null && state.LastInboundByReason.TryGetValue(reason, out var reasonAt) && i.StartedAt - reasonAt <= options.RepeatWindow)
                    || (previousInCase is { } before && i.StartedAt - before.At <= options.RepeatWindow));
            bool? slaMet = i.Direction == Direction.Inbound && i.FirstResponseSeconds is { } frs && options.SlaFor(i.Channel) is { } sla
                ? frs <= sla
                : null;
            // The customer came back on another channel than their previous contact of the case (our reply by email to a call is not them switching).
            facts.Add(new DerivedFacts(caseKey, isRepeat, previousInCase is { } last && last.Channel != i.Channel, slaMet, false));
            if (reason is not null)
            {
                state.LastByReason[reason] = (i.StartedAt, caseKey);
            }
            if (inbound)
            {
                if (reason is not null)
                {
                    state.LastInboundByReason[reason] = i.StartedAt;
                }
                state.LastInboundByCase[caseKey] = (i.StartedAt, i.Channel);
            }
            if (!state.Members.TryGetValue(caseKey, out var list))
            {
                state.Members[caseKey] = list = [];
            }
            // A case is touched once: members are added in order, so one already touched by this call ends at or after start.
            if (list.Count == 0 || list[^1] < start)
            {
                touched.Add(caseKey);
            }
            list.Add(n);
        }

        var cases = new List<(string Key, object?[] Values, int FirstInbound)>(touched.Count);
        foreach (var key in touched)
        {
            var indexes = state.Members[key];
            var values = CaseValues(customerId, key, indexes, timeline, facts, out var firstInbound);
            cases.Add((key, values, firstInbound));
            if (firstInbound >= 0)
            {
                facts[firstInbound] = facts[firstInbound] with { FirstContactResolved = (bool)values[^1]! };
            }
        }
        return cases;
    }

    private static object?[] CaseValues(long customerId, string externalId, List<int> indexes, IReadOnlyList<Contact> timeline, IReadOnlyList<DerivedFacts> facts,
        out int firstInbound)
    {
        firstInbound = -1;
        var inboundContacts = 0;
        var first = timeline[indexes[0]];
        var last = timeline[indexes[^1]];
        var resolved = last.Outcome == Outcome.Resolved;
        DateTime? resolvedAt = resolved ? last.EndedAt ?? last.StartedAt : null;
        int? firstResponse = null;
        string? reason = null, subject = null;
        var channels = 0u; // one bit per channel
        int switches = 0, transfers = 0;
        var sawInbound = false;
        foreach (var n in indexes)
        {
            var c = timeline[n];
            if (c.Direction == Direction.Inbound)
            {
                inboundContacts++;
                if (!sawInbound)
                {
                    sawInbound = true;
                    firstInbound = n;
                    firstResponse = c.FirstResponseSeconds;
                }
            }
            reason ??= c.Reason;
            subject ??= c.Subject;
            channels |= 1u << (int)c.Channel;
            switches += facts[n].ChannelSwitch ? 1 : 0;
            transfers += c.Transfers;
        }
        return
        [
            externalId, customerId, reason, subject,
            (resolved ? CaseStatus.Resolved : CaseStatus.Open).ToString(),
            first.StartedAt, last.StartedAt, resolvedAt,
            Boxes.Of(indexes.Count), Boxes.Of(System.Numerics.BitOperations.PopCount(channels)), Boxes.Of(switches), Boxes.Of(transfers),
            first.Channel.ToString(),
            Boxes.Of(firstResponse),
            Boxes.Of(resolvedAt is { } at ? (int?)Math.Max(0, (int)(at - first.StartedAt).TotalSeconds) : null),
            // The customer contacted us once about it, and it ended resolved.
            Boxes.Of(inboundContacts == 1 && resolved),
        ];
    }

    /// <summary>Recomputes the given customers from what is stored; says how many cases they have afterwards, and how many of those it opened.</summary>
    public async Task<Recomputed> RecomputeAsync(IEnumerable<long> customerIds, CancellationToken cancellationToken)
    {
        var total = new Recomputed(0, 0);
        foreach (var chunk in customerIds.Distinct().Order().Chunk(CustomersPerChunk))
        {
            var done = await RecomputeChunkAsync(chunk, cancellationToken);
            total = new Recomputed(total.Cases + done.Cases, total.Opened + done.Opened, total.Removed + done.Removed);
        }
        return total;
    }

    /// <summary>
    /// Derives the customers an import wrote without deriving and did not get to derive (it failed before its end);
    /// with <paramref name="markedBefore"/>, only those marked before then (a running import derives its own at its
    /// end). Returns how many customers it derived, and what <see cref="RecomputeAsync"/> says.
    /// </summary>
    public async Task<(int Customers, Recomputed Result)> RecomputePendingAsync(DateTime? markedBefore, CancellationToken cancellationToken)
    {
        var ids = await PendingDerivations.ListAsync(target, markedBefore, cancellationToken);
        return (ids.Count, ids.Count == 0 ? new Recomputed(0, 0) : await RecomputeAsync(ids, cancellationToken));
    }

    private async Task<Recomputed> RecomputeChunkAsync(long[] customerIds, CancellationToken cancellationToken)
    {
        // Lock first, read second: what is read cannot change until this transaction commits.
        await using var store = await BulkStore.BeginAsync(target, cancellationToken);
        await store.LockCustomersAsync(customerIds, cancellationToken);
        long sequence = 0;
        var timelines = await CustomerTimelines.LoadAsync(target, customerIds, () => ++sequence, cancellationToken);
        var changes = CustomerTimelines.Derive(timelines.Select(t => (t.Key, t.Value)).ToList(), options, newBatch: null,
            (_, entry, _) => throw new InvalidOperationException($"{entry.Contact.ExternalId} is not stored"));
        var (opened, removed) = await CustomerTimelines.StoreAsync(target, store, changes, InteractionIngestor.InteractionsTable, stale: null, cancellationToken);
        await PendingDerivations.ClearAsync(store, customerIds, cancellationToken);
        await store.CommitAsync(cancellationToken);
        return new Recomputed(timelines.Values.Sum(t => t.Cases.Count), opened, removed);
    }

    /// <summary>
    /// Inserts cases and returns their ids in the order of <paramref name="keys"/>, finding the ids of those that
    /// already exist (earlier batches, earlier runs, another writer).
    /// </summary>
    internal static async Task<long[]> InsertCasesAsync(DatabaseTarget target, IBulkStore store, List<(long CustomerId, string Key)> keys, List<object?[]> rows,
        Action<int> casesCreated, CancellationToken cancellationToken)
    {
        var ids = new long[keys.Count];
        var inserted = await store.InsertAsync(CasesTable, rows, cancellationToken);
        var missing = new Dictionary<(long CustomerId, string Key), int>();
        for (var n = 0; n < keys.Count; n++)
        {
            if (inserted[n] is { } id)
            {
                ids[n] = id;
            }
            else
            {
                missing[keys[n]] = n;
            }
        }
        casesCreated(keys.Count - missing.Count);
        if (missing.Count > 0)
        {
            await using var db = StorageServices.CreateDb(target);
            // Through the unique (customer_id, external_id) index: customers first, then their keys.
            foreach (var chunk in missing.Keys.Chunk(1000))
            {
                var customers = chunk.Select(k => k.CustomerId).Distinct().ToArray();
                var caseKeys = chunk.Select(k => k.Key).Distinct().ToArray();
                var found = await db.Cases.AsNoTracking().Where(c => customers.Contains(c.CustomerId) && caseKeys.Contains(c.ExternalId))
                    .Select(c => new { c.Id, c.CustomerId, c.ExternalId }).ToListAsync(cancellationToken);
                foreach (var c in found)
                {
                    if (missing.TryGetValue((c.CustomerId, c.ExternalId), out var n))
                    {
                        ids[n] = c.Id;
                    }
                }
            }
        }
        if (Array.IndexOf(ids, 0L) is var lost and >= 0)
        {
            // The insert said the case exists, and the look-up did not find it: never write a row pointing at nothing.
            throw new InvalidOperationException($"case {keys[lost].Key} of customer {keys[lost].CustomerId} is neither new nor stored");
        }
        return ids;
    }

    internal static object?[] StoredCaseValues(Case c) =>
    [
        c.ExternalId, c.CustomerId, c.Reason, c.Subject, c.Status.ToString(), c.OpenedAt, c.LastContactAt, c.ResolvedAt, c.ContactCount,
        c.ChannelCount, c.ChannelSwitches, c.Transfers, c.FirstChannel.ToString(), c.FirstResponseSeconds, c.ResolutionSeconds, c.FirstContactResolved,
    ];
}
