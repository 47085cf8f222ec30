using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;
using static Touchpoint.Storage.Bulk.BulkTable;

namespace Touchpoint.Interactions;

/// <summary>One interaction of a customer's timeline: stored (has an id) or arriving in this run.</summary>
internal sealed class TimelineEntry(Contact contact, long sequence)
{
    public Contact Contact { get; } = contact;
    public long Sequence { get; } = sequence;
    public long? Id { get; set; }
    public long? CaseId { get; set; }

    /// <summary>The derived facts as stored; null for an entry not written yet.</summary>
    public DerivedFacts? Stored { get; set; }

    /// <summary>The source row of an entry that arrives in this run (its columns and messages are written from it).</summary>
    public InteractionInput? Input { get; set; }
}

/// <summary>A customer's interactions in time order and their cases as stored.</summary>
internal sealed class Timeline
{
    public List<TimelineEntry> Entries { get; } = [];
    public Dictionary<string, (long Id, object?[] Values)> Cases { get; } = new(StringComparer.Ordinal);
    public HashSet<string> ExternalIds { get; } = new(StringComparer.Ordinal);

    public void Sort() => Entries.Sort((a, b) =>
    {
        var byTime = a.Contact.StartedAt.CompareTo(b.Contact.StartedAt);
        if (byTime != 0)
        {
            return byTime;
        }
        // The store orders equal times by id; entries not written yet get ids after every stored one, in arrival order.
        var byId = (a.Id ?? long.MaxValue).CompareTo(b.Id ?? long.MaxValue);
        return byId != 0 ? byId : a.Sequence.CompareTo(b.Sequence);
    });
}

/// <summary>
/// Loads customers' timelines and writes what derivation changes in them: new and changed cases, new
/// interactions with their derived facts, existing interactions whose facts changed, cases no longer used.
/// Shared by ingestion (which keeps the timelines of a run in memory) and by recomputation.
/// </summary>
internal static class CustomerTimelines
{
    private static readonly BulkTable DerivedColumns = new("interactions",
        [Long("case_id"), Bool("is_repeat"), Bool("first_contact_resolved"), Bool("channel_switch"), Bool("sla_met")], []);

    /// <summary>Loads the stored timelines of the given customers (sorted ids); customers with nothing stored get empty ones.</summary>
    public static async Task<Dictionary<long, Timeline>> LoadAsync(DatabaseTarget target, long[] customerIds, Func<long> nextSequence,
        CancellationToken cancellationToken)
    {
        var timelines = customerIds.ToDictionary(id => id, _ => new Timeline());
        if (customerIds.Length == 0)
        {
            return timelines;
        }
        await using var db = StorageServices.CreateDb(target);
        foreach (var chunk in customerIds.Chunk(2000))
        {
            // Dense chunks (bulk imports) read as one index range scan on (customer_id, started_at); sparse ones use IN.
            var (first, last) = (chunk[0], chunk[^1]);
            var dense = last - first + 1 <= 2L * chunk.Length;
            var interactions = dense
                ? db.Interactions.Where(i => i.CustomerId >= first && i.CustomerId <= last)
                : db.Interactions.Where(i => chunk.Contains(i.CustomerId));
            var rows = await interactions.AsNoTracking()
                .OrderBy(i => i.CustomerId).ThenBy(i => i.StartedAt).ThenBy(i => i.Id)
                .Select(i => new
                {
                    i.Id, i.CustomerId, i.CaseId, i.IsRepeat, i.FirstContactResolved, i.ChannelSwitch, i.SlaMet, i.CaseExternalId,
                    Contact = new Contact(i.ExternalId, i.CaseExternalId, i.Channel, i.Direction, i.StartedAt, i.EndedAt, i.FirstResponseSeconds,
                        i.Transfers, i.Reason, i.Subject, i.Outcome),
                })
                .ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                if (timelines.TryGetValue(row.CustomerId, out var timeline))
                {
                    timeline.Entries.Add(new TimelineEntry(row.Contact, nextSequence())
                    {
                        Id = row.Id,
                        CaseId = row.CaseId,
                        // The case key is not stored on the row; an empty key never matches, so a changed case id shows as a change.
                        Stored = new DerivedFacts("", row.IsRepeat, row.ChannelSwitch, row.SlaMet, row.FirstContactResolved),
                    });
                    timeline.ExternalIds.Add(row.Contact.ExternalId);
                }
            }
            var cases = dense
                ? db.Cases.Where(c => c.CustomerId >= first && c.CustomerId <= last)
                : db.Cases.Where(c => chunk.Contains(c.CustomerId));
            foreach (var c in await cases.AsNoTracking().ToListAsync(cancellationToken))
            {
                if (timelines.TryGetValue(c.CustomerId, out var timeline))
                {
                    timeline.Cases[c.ExternalId] = (c.Id, InteractionDerivations.StoredCaseValues(c));
                }
            }
        }
        return timelines;
    }

    /// <summary>
    /// Derives every timeline and writes the differences through <paramref name="store"/>. New entries are inserted
    /// with <paramref name="newRow"/>(entry, caseId, facts); their ids are set on the entries (null when another
    /// writer already stored that external id). Returns the number of cases opened.
    /// </summary>
    public static async Task<long> WriteAsync(DatabaseTarget target, IBulkStore store, IReadOnlyCollection<(long CustomerId, Timeline Timeline)> timelines,
        InteractionOptions options, BulkTable newRowTable, Func<long, TimelineEntry, long, DerivedFacts, object?[]> newRow, CancellationToken cancellationToken)
    {
        var derived = new List<(long CustomerId, Timeline Timeline, DerivedFacts[] Facts, Dictionary<string, object?[]> Cases)>(timelines.Count);
        var caseInsertKeys = new List<(long CustomerId, string Key)>();
        var caseInserts = new List<object?[]>();
        var caseUpdates = new List<object?[]>();
        var caseDeletes = new List<long>();
        foreach (var (customerId, timeline) in timelines)
        {
            timeline.Sort();
            var (facts, cases) = InteractionDerivations.Derive(customerId, timeline.Entries.Select(e => e.Contact).ToList(), options);
            derived.Add((customerId, timeline, facts, cases));
            foreach (var (key, values) in cases)
            {
                if (timeline.Cases.TryGetValue(key, out var stored))
                {
                    if (!stored.Values.SequenceEqual(values))
                    {
                        caseUpdates.Add([stored.Id, .. values]);
                    }
                }
                else
                {
                    caseInsertKeys.Add((customerId, key));
                    caseInserts.Add(values);
                }
            }
            caseDeletes.AddRange(timeline.Cases.Where(c => !cases.ContainsKey(c.Key)).Select(c => c.Value.Id));
        }

        long opened = 0;
        var newCaseIds = await InteractionDerivations.InsertCasesAsync(target, store, caseInsertKeys, caseInserts, n => opened += n, cancellationToken);
        await store.UpdateAsync(InteractionDerivations.CasesTable, caseUpdates, cancellationToken);

        var inserts = new List<object?[]>();
        var insertedEntries = new List<TimelineEntry>();
        var updates = new List<object?[]>();
        foreach (var (customerId, timeline, facts, cases) in derived)
        {
            var caseIds = cases.Keys.ToDictionary(k => k, k => timeline.Cases.TryGetValue(k, out var c) ? c.Id : newCaseIds[(customerId, k)], StringComparer.Ordinal);
            for (var n = 0; n < facts.Length; n++)
            {
                var entry = timeline.Entries[n];
                var f = facts[n];
                var caseId = caseIds[f.CaseKey];
                if (entry.Id is null)
                {
                    inserts.Add(newRow(customerId, entry, caseId, f));
                    insertedEntries.Add(entry);
                }
                else if (entry.CaseId != caseId || entry.Stored is not { } s || s.IsRepeat != f.IsRepeat || s.ChannelSwitch != f.ChannelSwitch
                         || s.SlaMet != f.SlaMet || s.FirstContactResolved != f.FirstContactResolved)
                {
                    updates.Add([entry.Id, caseId, f.IsRepeat, f.FirstContactResolved, f.ChannelSwitch, f.SlaMet]);
                }
                entry.CaseId = caseId;
                entry.Stored = f;
            }
            timeline.Cases.Clear();
            foreach (var (key, values) in cases)
            {
                timeline.Cases[key] = (caseIds[key], values);
            }
        }
        var ids = await store.InsertAsync(newRowTable, inserts, cancellationToken);
        for (var n = 0; n < ids.Length; n++)
        {
            insertedEntries[n].Id = ids[n];
        }
        await store.UpdateAsync(DerivedColumns, updates, cancellationToken);
        await store.DeleteAsync("cases", caseDeletes, cancellationToken);
        return opened;
    }
}
