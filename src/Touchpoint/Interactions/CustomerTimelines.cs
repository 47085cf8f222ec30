using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;
using static Touchpoint.Storage.Bulk.BulkTable;

namespace Touchpoint.Interactions;

/// <summary>
/// One interaction of a customer's timeline: stored (has an id) or arriving in this run. An import derives the next
/// batch while the current one is written, so what derivation reads (contact, order, facts, case) and what the
/// write sets (<see cref="Id"/>) are separate members.
/// </summary>
internal sealed class TimelineEntry(Contact contact, long sequence, long? storedId = null, int batch = 0)
{
    public Contact Contact { get; } = contact;
    public long Sequence { get; } = sequence;

    /// <summary>The id it was loaded with, or none for an entry of this run (ordered after every stored one, by sequence).</summary>
    public long OrderId { get; } = storedId ?? long.MaxValue;

    /// <summary>The batch of this run that brought the entry; 0 for an entry loaded from the store.</summary>
    public int Batch { get; } = batch;

    /// <summary>Set once written (null while its batch is being written, and for a row another writer already had).</summary>
    public long? Id { get; set; } = storedId;

    /// <summary>The case the entry belongs to as last derived (or as loaded); null for an entry not derived yet.</summary>
    public StoredCase? Case { get; set; }

    /// <summary>The derived facts as last derived (or as loaded); null for an entry not derived yet.</summary>
    public DerivedFacts? Stored { get; set; }

    /// <summary>The source row of an entry that arrives in this run (its columns and messages are written from it).</summary>
    public InteractionInput? Input { get; set; }
}

/// <summary>A case as derived; its id is set when it is written (or loaded).</summary>
internal sealed class StoredCase(long? id, object?[] values)
{
    public long? Id { get; set; } = id;
    public object?[] Values { get; set; } = values;
}

/// <summary>A customer's interactions in time order and their cases as stored.</summary>
internal sealed class Timeline
{
    public List<TimelineEntry> Entries { get; } = [];
    public Dictionary<string, StoredCase> Cases { get; } = new(StringComparer.Ordinal);
    public HashSet<string> ExternalIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Where the derivation of <see cref="Entries"/> stands; null when it must start over.</summary>
    public DerivationState? State { get; set; }

    /// <summary>The last batch of the run that touched this customer (an import lets go of timelines not touched for a while).</summary>
    public int LastBatch { get; set; }

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
        // The store orders equal times by id; entries of this run get ids after every stored one, in arrival order.
        var byId = a.OrderId.CompareTo(b.OrderId);
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
            var cases = dense
                ? db.Cases.Where(c => c.CustomerId >= first && c.CustomerId <= last)
                : db.Cases.Where(c => chunk.Contains(c.CustomerId));
            var casesById = new Dictionary<long, StoredCase>();
            foreach (var c in await cases.AsNoTracking().ToListAsync(cancellationToken))
            {
                if (timelines.TryGetValue(c.CustomerId, out var timeline))
                {
                    timeline.Cases[c.ExternalId] = casesById[c.Id] = new StoredCase(c.Id, InteractionDerivations.StoredCaseValues(c));
                }
            }
            foreach (var row in rows)
            {
                if (timelines.TryGetValue(row.CustomerId, out var timeline))
                {
                    timeline.Entries.Add(new TimelineEntry(row.Contact, nextSequence(), row.Id)
                    {
                        // A case id that is not one of the customer's cases never matches a derived case, so it shows as a change.
                        Case = row.CaseId is { } caseId ? casesById.GetValueOrDefault(caseId) : null,
                        Stored = new DerivedFacts("", row.IsRepeat, row.ChannelSwitch, row.SlaMet, row.FirstContactResolved),
                    });
                    timeline.ExternalIds.Add(row.Contact.ExternalId);
                }
            }
        }
        return timelines;
    }

    /// <summary>
    /// Derives every timeline (in memory, customers in parallel) and says what must be written: new and changed
    /// cases, new interactions (the entries of batch <paramref name="newBatch"/>, turned into rows by
    /// <paramref name="newRow"/>(customerId, entry, facts) with the case id left to the write), stored interactions
    /// whose facts changed, cases no longer used. Updates the timelines as if the write had happened, so the next
    /// batch can be derived while this one is written; ids are filled in by <see cref="StoreAsync"/>. Customers are
    /// derived on up to <paramref name="threads"/> threads (-1: as many as there are cores).
    /// </summary>
    public static TimelineChanges Derive(IReadOnlyCollection<(long CustomerId, Timeline Timeline)> timelines, InteractionOptions options, int? newBatch,
        Func<long, TimelineEntry, DerivedFacts, object?[]> newRow, int threads = -1)
    {
        // Customers in ranges, each range collecting its changes in customer order, so the ranges joined in order give
        // the changes in customer order (which keeps the cases' inserts close to the order of their index).
        const int CustomersPerRange = 512;
        var items = timelines as IReadOnlyList<(long CustomerId, Timeline Timeline)> ?? timelines.ToList();
        var ranges = new DerivedChanges[(items.Count + CustomersPerRange - 1) / CustomersPerRange];
        Parallel.For(0, ranges.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, r =>
        {
            var changes = ranges[r] = new DerivedChanges();
            for (var k = r * CustomersPerRange; k < Math.Min(items.Count, (r + 1) * CustomersPerRange); k++)
            {
                DeriveOne(items[k].CustomerId, items[k].Timeline, options, newBatch, newRow, changes);
            }
        });
        // In customer order (the ranges'), each customer's in time order: the (customer_id, started_at) index then takes
        // the batch in one sweep instead of at random places, which made a million-row import about 2 s faster than
        // arrival order. A batch's ids therefore follow its customers, not arrival; per customer they follow time.
        return new TimelineChanges(Join(ranges, w => w.CaseInserts), Join(ranges, w => w.CaseUpdates), Join(ranges, w => w.CaseDeletes),
            Join(ranges, w => w.Inserts), Join(ranges, w => w.Updates));
    }

    /// <summary>The ranges' lists end to end, in one list of the right size: batch-sized lists grown by doubling were
    /// a large share of the large-object allocations that set off full collections during an import.</summary>
    private static List<T> Join<T>(DerivedChanges[] ranges, Func<DerivedChanges, List<T>> list)
    {
        var joined = new List<T>(ranges.Sum(r => list(r).Count));
        foreach (var range in ranges)
        {
            joined.AddRange(list(range));
        }
        return joined;
    }

    private static void DeriveOne(long customerId, Timeline timeline, InteractionOptions options, int? newBatch,
        Func<long, TimelineEntry, DerivedFacts, object?[]> newRow, DerivedChanges w)
    {
        var from = timeline.SortForDerivation();
        // From 0 every case is derived again; otherwise only the cases that gained contacts.
        var cases = InteractionDerivations.Extend(customerId, timeline.State!, timeline.Contacts, options);
        var stored = timeline.Cases;
        if (from == 0)
        {
            var derived = cases.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
            w.CaseDeletes.AddRange(stored.Where(c => !derived.Contains(c.Key)).Select(c => c.Value));
            stored = new Dictionary<string, StoredCase>(stored, StringComparer.Ordinal);
            timeline.Cases.Clear();
        }
        foreach (var (key, values, _) in cases)
        {
            if (stored.TryGetValue(key, out var c))
            {
                if (!c.Values.SequenceEqual(values))
                {
                    w.CaseUpdates.Add((c, values));
                    c.Values = values;
                }
            }
            else
            {
                c = new StoredCase(null, values);
                w.CaseInserts.Add((customerId, key, c, values));
            }
            timeline.Cases[key] = c;
        }
        var state = timeline.State!;
        // What can have changed: the new contacts and the first inbound contact of each case that gained contacts.
        for (var n = from; n < state.Facts.Count; n++)
        {
            Compare(n);
        }
        if (from > 0)
        {
            foreach (var (_, _, firstInbound) in cases)
            {
                if (firstInbound >= 0 && firstInbound < from)
                {
                    Compare(firstInbound);
                }
            }
        }

        void Compare(int n)
        {
            var entry = timeline.Entries[n];
            var f = state.Facts[n];
            var c = timeline.Cases[f.CaseKey];
            if (entry.Batch == newBatch)
            {
                w.Inserts.Add(new NewInteraction(customerId, entry, c, newRow(customerId, entry, f)));
            }
            else if (entry.Case != c || entry.Stored is not { } s || s.IsRepeat != f.IsRepeat || s.ChannelSwitch != f.ChannelSwitch
                     || s.SlaMet != f.SlaMet || s.FirstContactResolved != f.FirstContactResolved)
            {
                w.Updates.Add((customerId, entry, c, f));
            }
            entry.Case = c;
            entry.Stored = f;
        }
    }

    /// <summary>
    /// Writes what <see cref="Derive"/> found through <paramref name="store"/>, after every earlier batch's write (whose
    /// ids it uses). Sets the ids of new cases and new entries (null for an entry whose external id another writer
    /// already stored). Returns how many cases it opened, and how many it removed (their contacts now belong to other
    /// cases: a contact that arrived late joined two cases into one).
    /// For a customer <paramref name="stale"/> names (another writer may have changed it since its timeline was read;
    /// it is derived again from the store later), only the new rows are written, without a case: the ids the timeline
    /// holds for its cases and rows may no longer be its own (deleted, or moved to another customer by a merge).
    /// </summary>
    public static async Task<(long Opened, long Removed)> StoreAsync(DatabaseTarget target, IBulkStore store, TimelineChanges changes, BulkTable newRowTable,
        Func<long, bool>? stale, CancellationToken cancellationToken)
    {
        var customerColumn = InteractionDerivations.CasesTable.IndexOf("customer_id");
        long CustomerOf(StoredCase c) => (long)c.Values[customerColumn]!;
        // Filtered only when some customer is stale (rarely): copies of every batch-sized list would be garbage otherwise.
        if (stale is not null && (changes.CaseInserts.Exists(c => stale(c.CustomerId)) || changes.Updates.Exists(u => stale(u.CustomerId))
            || changes.CaseUpdates.Exists(u => stale(CustomerOf(u.Case))) || changes.CaseDeletes.Exists(c => stale(CustomerOf(c)))))
        {
            changes = new TimelineChanges(changes.CaseInserts.Where(c => !stale(c.CustomerId)).ToList(),
                changes.CaseUpdates.Where(u => !stale(CustomerOf(u.Case))).ToList(), changes.CaseDeletes.Where(c => !stale(CustomerOf(c))).ToList(),
                changes.Inserts, changes.Updates.Where(u => !stale(u.CustomerId)).ToList());
        }
        long opened = 0;
        var newCaseIds = await InteractionDerivations.InsertCasesAsync(target, store, changes.CaseInserts.ConvertAll(c => (c.CustomerId, c.Key)),
            changes.CaseInserts.ConvertAll(c => c.Values), n => opened += n, cancellationToken);
        for (var n = 0; n < newCaseIds.Length; n++)
        {
            changes.CaseInserts[n].Case.Id = newCaseIds[n];
        }
        PhaseTimer.Mark("write: insert cases");
        await store.UpdateAsync(InteractionDerivations.CasesTable, changes.CaseUpdates.ConvertAll(u => (object?[])[u.Case.Id, .. u.Values]), cancellationToken);

        var caseIdColumn = newRowTable.IndexOf("case_id");
        foreach (var insert in changes.Inserts)
        {
            insert.Row[caseIdColumn] = stale?.Invoke(insert.CustomerId) == true ? null : insert.Case.Id;
        }
        var ids = await store.InsertAsync(newRowTable, changes.Inserts.ConvertAll(i => i.Row), cancellationToken);
        for (var n = 0; n < ids.Length; n++)
        {
            changes.Inserts[n].Entry.Id = ids[n];
        }
        PhaseTimer.Mark("write: insert interactions");
        // An entry without an id is a row another writer stored first; its customer is derived again from the store.
        await store.UpdateAsync(DerivedColumns, changes.Updates.Where(u => u.Entry.Id is not null)
            .Select(u => (object?[])[u.Entry.Id, u.Case.Id, Boxes.Of(u.Facts.IsRepeat), Boxes.Of(u.Facts.FirstContactResolved), Boxes.Of(u.Facts.ChannelSwitch),
                Boxes.Of(u.Facts.SlaMet)]).ToList(), cancellationToken);
        var removed = changes.CaseDeletes.Where(c => c.Id is not null).Select(c => c.Id!.Value).ToList();
        await store.DeleteAsync("cases", "id", removed, cancellationToken);
        return (opened, removed.Count);
    }

    /// <summary>What the derivation of a range of customers changed, in customer order; ranges are derived in parallel.</summary>
    private sealed class DerivedChanges
    {
        public List<(long CustomerId, string Key, StoredCase Case, object?[] Values)> CaseInserts { get; } = [];
        public List<(StoredCase Case, object?[] Values)> CaseUpdates { get; } = [];
        public List<StoredCase> CaseDeletes { get; } = [];
        public List<NewInteraction> Inserts { get; } = [];
        public List<(long CustomerId, TimelineEntry Entry, StoredCase Case, DerivedFacts Facts)> Updates { get; } = [];
    }
}

/// <summary>A new interaction row; its case id is set when the write has the case's id.</summary>
internal sealed record NewInteraction(long CustomerId, TimelineEntry Entry, StoredCase Case, object?[] Row);

/// <summary>
/// What a derivation changed, to be written in order. Cases carry the values they were derived with: the next
/// batch's derivation may already have moved on.
/// </summary>
internal sealed record TimelineChanges(
    List<(long CustomerId, string Key, StoredCase Case, object?[] Values)> CaseInserts,
    List<(StoredCase Case, object?[] Values)> CaseUpdates,
    List<StoredCase> CaseDeletes,
    List<NewInteraction> Inserts,
    List<(long CustomerId, TimelineEntry Entry, StoredCase Case, DerivedFacts Facts)> Updates);
