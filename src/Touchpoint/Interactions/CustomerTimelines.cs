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

    /// <summary>Where the derivation of <see cref="Entries"/> stands; null when it must start over.</summary>
    public DerivationState? State { get; set; }

    /// <summary>The entries' contacts, without copying them.</summary>
    public IReadOnlyList<Contact> Contacts => new ContactView(Entries);

    /// <summary>
    /// Sorts the entries into the store's order. When every entry added since the last derivation comes at or
    /// after the last derived one (rows arriving in time order), only those are sorted and the derivation can
    /// continue; otherwise everything is sorted and the derivation starts over. Returns where it continues.
    /// </summary>
    public int SortForDerivation()
    {
        var from = State?.Count ?? 0;
        var appends = State is not null && from <= Entries.Count;
        for (var n = from; appends && n < Entries.Count; n++)
        {
            appends = from == 0 || Order.Compare(Entries[from - 1], Entries[n]) < 0;
        }
        if (appends)
        {
            Entries.Sort(from, Entries.Count - from, Order);
            return from;
        }
        Entries.Sort(Order);
        State = new DerivationState();
        return 0;
    }

    private static readonly Comparer<TimelineEntry> Order = Comparer<TimelineEntry>.Create((a, b) =>
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

    private sealed class ContactView(List<TimelineEntry> entries) : IReadOnlyList<Contact>
    {
        public Contact this[int index] => entries[index].Contact;
        public int Count => entries.Count;
        public IEnumerator<Contact> GetEnumerator() => entries.Select(e => e.Contact).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
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
    /// with <paramref name="newRow"/>(entry, caseId, facts), in arrival order; their ids are set on the entries (null
    /// when another writer already stored that external id). Returns the number of cases opened.
    /// </summary>
    public static async Task<long> WriteAsync(DatabaseTarget target, IBulkStore store, IReadOnlyCollection<(long CustomerId, Timeline Timeline)> timelines,
        InteractionOptions options, BulkTable newRowTable, Func<long, TimelineEntry, long, DerivedFacts, object?[]> newRow, CancellationToken cancellationToken)
    {
        // Customers are independent: their derivations run in parallel; the writes stay in one transaction, in order.
        var work = timelines.Select(t => new CustomerWork(t.CustomerId, t.Timeline)).ToArray();
        Parallel.ForEach(work, w =>
        {
            var timeline = w.Timeline;
            w.From = timeline.SortForDerivation();
            // From 0 every case is derived again; otherwise only the cases that gained contacts.
            w.Cases = InteractionDerivations.Extend(w.CustomerId, timeline.State!, timeline.Contacts, options);
            foreach (var (key, values) in w.Cases)
            {
                if (timeline.Cases.TryGetValue(key, out var stored))
                {
                    if (!stored.Values.SequenceEqual(values))
                    {
                        w.CaseUpdates.Add([stored.Id, .. values]);
                    }
                }
                else
                {
                    w.CaseInserts.Add((key, values));
                }
            }
            if (w.From == 0)
            {
                w.CaseDeletes.AddRange(timeline.Cases.Where(c => !w.Cases.ContainsKey(c.Key)).Select(c => c.Value.Id));
            }
        });
        var caseInsertKeys = work.SelectMany(w => w.CaseInserts.Select(c => (w.CustomerId, c.Key))).ToList();
        var caseInserts = work.SelectMany(w => w.CaseInserts.Select(c => c.Values)).ToList();
        PhaseTimer.Mark("derive");

        long opened = 0;
        var newCaseIds = await InteractionDerivations.InsertCasesAsync(target, store, caseInsertKeys, caseInserts, n => opened += n, cancellationToken);
        PhaseTimer.Mark("insert cases");
        await store.UpdateAsync(InteractionDerivations.CasesTable, work.SelectMany(w => w.CaseUpdates).ToList(), cancellationToken);

        Parallel.ForEach(work, w =>
        {
            var (customerId, timeline, from, cases) = (w.CustomerId, w.Timeline, w.From, w.Cases);
            var stored = timeline.Cases;
            if (from == 0)
            {
                // Cases no longer derived were deleted above.
                stored = new Dictionary<string, (long Id, object?[] Values)>(timeline.Cases, StringComparer.Ordinal);
                timeline.Cases.Clear();
            }
            foreach (var (key, values) in cases)
            {
                var id = stored.TryGetValue(key, out var c) ? c.Id : newCaseIds[(customerId, key)];
                timeline.Cases[key] = (id, values);
            }
            var facts = timeline.State!.Facts;
            // What can have changed: the new contacts and the first contact of each case that gained contacts.
            var changed = Enumerable.Range(from, facts.Count - from)
                .Concat(from == 0 ? [] : cases.Keys.Select(k => timeline.State.Members[k][0]).Where(n => n < from));
            foreach (var n in changed)
            {
                var entry = timeline.Entries[n];
                var f = facts[n];
                var caseId = timeline.Cases[f.CaseKey].Id;
                if (entry.Id is null)
                {
                    w.Inserts.Add((entry, newRow(customerId, entry, caseId, f)));
                }
                else if (entry.CaseId != caseId || entry.Stored is not { } s || s.IsRepeat != f.IsRepeat || s.ChannelSwitch != f.ChannelSwitch
                         || s.SlaMet != f.SlaMet || s.FirstContactResolved != f.FirstContactResolved)
                {
                    w.Updates.Add([entry.Id, caseId, Boxes.Of(f.IsRepeat), Boxes.Of(f.FirstContactResolved), Boxes.Of(f.ChannelSwitch), Boxes.Of(f.SlaMet)]);
                }
                entry.CaseId = caseId;
                entry.Stored = f;
            }
        });
        var inserts = work.SelectMany(w => w.Inserts).ToList();
        var updates = work.SelectMany(w => w.Updates).ToList();
        var caseDeletes = work.SelectMany(w => w.CaseDeletes).ToList();
        // Arrival order keeps the inserts close to the order of the external id and time indexes.
        inserts.Sort((a, b) => a.Entry.Sequence.CompareTo(b.Entry.Sequence));
        PhaseTimer.Mark("build rows");
        var ids = await store.InsertAsync(newRowTable, inserts.ConvertAll(i => i.Row), cancellationToken);
        for (var n = 0; n < ids.Length; n++)
        {
            inserts[n].Entry.Id = ids[n];
        }
        PhaseTimer.Mark("insert interactions");
        await store.UpdateAsync(DerivedColumns, updates, cancellationToken);
        await store.DeleteAsync("cases", caseDeletes, cancellationToken);
        return opened;
    }

    /// <summary>One customer's share of a write: derived in parallel with the others, written together.</summary>
    private sealed class CustomerWork(long customerId, Timeline timeline)
    {
        public long CustomerId { get; } = customerId;
        public Timeline Timeline { get; } = timeline;
        public int From { get; set; }
        public Dictionary<string, object?[]> Cases { get; set; } = [];
        public List<(string Key, object?[] Values)> CaseInserts { get; } = [];
        public List<object?[]> CaseUpdates { get; } = [];
        public List<long> CaseDeletes { get; } = [];
        public List<(TimelineEntry Entry, object?[] Row)> Inserts { get; } = [];
        public List<object?[]> Updates { get; } = [];
    }
}
