using System.Diagnostics;
using Microsoft.Extensions.Options;
using Touchpoint.Customers;
using Touchpoint.Import;
using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;
using static Touchpoint.Storage.Bulk.BulkTable;

namespace Touchpoint.Interactions;

/// <summary>
/// The one way interactions enter the store (API single and batch, CLI import, twcs, demo data):
/// validation, identity resolution, idempotent bulk write on external ids, then derivations
/// (cases, repeat contact, FCR, channel switches, SLA) for every customer the rows touched.
/// </summary>
public sealed class InteractionIngestor(DatabaseTarget target, IOptions<InteractionOptions> options, IOptions<CustomerOptions> customerOptions, TimeProvider time)
{
    public const int DefaultBatchSize = 100_000;

    /// <summary>How many timelines the last run let go of (for tests and the benchmark).</summary>
    internal long LastRunTimelinesReleased { get; private set; }

    /// <summary>How often a batch's write is tried when PostgreSQL picks it as a deadlock's victim.</summary>
    private const int WriteAttempts = 3;

    internal static readonly BulkTable InteractionsTable = new("interactions",
    [
        Text("external_id"), Long("customer_id"), Text("case_external_id"), Text("channel"), Text("direction"),
        Timestamp("started_at"), Timestamp("ended_at"), Long("agent_id"), Text("queue"), Int("first_response_seconds"),
        Int("talk_seconds"), Int("hold_seconds"), Int("wrap_seconds"), Int("transfers"), Text("reason"), Text("outcome"),
        Text("subject"), Long("case_id"), Bool("is_repeat"), Bool("first_contact_resolved"), Bool("channel_switch"), Bool("sla_met"),
        Timestamp("created_at"),
    ], ["external_id"]);

    private static readonly FieldError ErasedProfile =
        new("customer_external_id", "names an erased person's anonymous profile, which takes no contacts (a contact from them now is a new profile's)");

    internal static readonly BulkTable MessagesTable = new("messages",
        [Long("interaction_id"), Long("customer_id"), Int("sequence"), Text("author"), Timestamp("at"), Text("text")], []);

    /// <summary>
    /// Ingests rows in batches of <paramref name="batchSize"/>, each written in its own transaction, so an
    /// interrupted run keeps whole batches and a second run adds exactly the rest.
    /// </summary>
    /// <param name="rowName">How a rejection names another row by its <see cref="ImportRow{T}.Line"/>: "line 3" in a file (the
    /// default), "index 2" in an API batch, whose rows are numbered by their place in the array.</param>
    public async Task<ImportSummary> IngestAsync(IEnumerable<ImportRow<InteractionInput>> rows, IProgress<ImportProgress>? progress = null,
        int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default, Func<long, string>? rowName = null)
    {
        rowName ??= line => $"on line {line}";
        var stopwatch = Stopwatch.StartNew();
        PhaseTimer.Start();
        var summary = new ImportSummary();
        var customers = new CustomerResolver(target, time, customerOptions.Value.PhoneRegion);
        var agents = new AgentResolver(target);
        var run = new RunState();
        // Each external id the run has taken: the line it came from and a hash of what that row said.
        var seen = new Dictionary<string, (long Line, int Content)>(StringComparer.Ordinal);
        var batch = new List<InteractionInput>(Math.Min(batchSize, 100_000));
        long read = 0;
        long duplicatesInRun = 0;
        // The next batch is read and derived while the current one is written (on the other core), and written after
        // it. What it read may have changed before its write holds the lock (another writer: the server's API, a
        // second import, a merge, another node), and the timelines the run keeps may fall behind the store the same
        // way. The run's writer tells, once a write holds its locks, whether another writer wrote customers on the
        // batch's lock stripes since the run last heard, and which of the run's customers that may concern; those are
        // derived again from the store at the end of the run.
        var sqlite = target.Provider == DatabaseProvider.Sqlite;
        var writer = new BulkWriter(target);
        Task<WrittenBatch>? writing = null;

        void Report(string phase) => progress?.Report(new ImportProgress(read, summary.Imported, summary.Duplicates + duplicatesInRun, summary.Rejected, phase));

        Task<WrittenBatch> WriteAsync(PreparedBatch prepared, DerivedBatch derived, BulkWriter.ReadMark mark)
        {
            // Customers already due to be derived again (another writer, a taken row): their timelines may be stale.
            var stale = run.NeedsRecompute.ToHashSet();
            var mergedInto = new Dictionary<long, long>(run.MergedInto);
            return Task.Run(async () =>
            {
                PhaseTimer.Start();
                for (var attempt = 1; ;)
                {
                    try
                    {
                        if (await WriteOnceAsync() is { } written)
                        {
                            return written;
                        }
                        // A profile the batch's rows were to go to turned out to be merged on: begin again with the new
                        // survivor's stripe locked too (the attempt rolled back; merges are few, so this ends).
                    }
                    catch (Exception e) when (attempt++ < WriteAttempts && BulkStore.IsDeadlockVictim(e))
                    {
                        // PostgreSQL broke a deadlock by rolling this transaction back (another writer inserting some of
                        // the same external ids in another order): the batch is written again. The run's writer keeps
                        // what it remembers of the stripes until a write commits, so the next attempt hears the same.
                    }
                }
            }, cancellationToken);

            async Task<WrittenBatch?> WriteOnceAsync()
            {
                // The batch's customers, and the profiles their rows go to after the merges the run knows of: rows are
                // written under those, so their stripes are locked too.
                var targets = mergedInto.Count == 0 ? prepared.Customers : prepared.Customers.Select(id => RunState.Survivor(mergedInto, id)).Distinct().ToArray();
                var locked = mergedInto.Count == 0 ? prepared.Customers : prepared.Customers.Union(targets).Order().ToArray();
                var (store, othersWrote) = await writer.BeginAsync(locked, mark, cancellationToken);
                await using (store)
                {
                    // Which of those profiles a merge has made pointers, asked under the locks: the ones on stripes another
                    // writer changed, and every survivor of a merge (it may have been merged on since).
                    var survivors = mergedInto.Values.ToHashSet();
                    var ask = targets.Where(id => othersWrote?.Invoke(id) == true || survivors.Contains(id)).ToList();
                    if (ask.Count > 0)
                    {
                        var learned = await store.MergedIntoAsync(ask, cancellationToken);
                        foreach (var (id, into) in learned)
                        {
                            mergedInto[id] = into;
                        }
                        if (learned.Values.Any(into => Array.BinarySearch(locked, into) < 0))
                        {
                            return null;
                        }
                    }
                    // A stale timeline's case and row ids may be gone or another customer's: only its new rows are written.
                    var written = await StoreBatchAsync(store, derived,
                        id => stale.Contains(id) || othersWrote?.Invoke(id) == true || mergedInto.ContainsKey(id), mergedInto, cancellationToken);
                    written.OthersWrote = othersWrote;
                    written.MergedInto = mergedInto;
                    return written;
                }
            }
        }

        async Task FinishWriteAsync()
        {
            if (writing is not null)
            {
                var written = await writing;
                writing = null;
                var mergesKnown = run.MergesLearned;
                written.ApplyTo(run, summary);
                if (written.OthersWrote is { } concerns)
                {
                    // A merge heard of by a write whose batch lacked the merged customer: asked about every customer
                    // the run holds or has resolved on the stripes that moved. Outside any lock: a merge committed
                    // after this is heard of by a later write.
                    var ask = run.Timelines.Keys.Concat(customers.KnownIds()).Concat(run.MergedInto.Values).Where(concerns)
                        .Select(id => RunState.Survivor(run.MergedInto, id)).Distinct().ToList();
                    foreach (var (id, into) in await BulkStore.MergedIntoAsync(target, ask, cancellationToken))
                    {
                        run.LearnMerge(id, into);
                    }
                }
                run.LetGo(options.Value.MaxHeldEntries);
                if (run.MergesLearned != mergesKnown)
                {
                    customers.Redirect(id => RunState.Survivor(run.MergedInto, id));
                }
                Report("importing");
            }
        }

        async Task NextBatchAsync(List<InteractionInput> next)
        {
            // Taken before the batch resolves its customers or the derivation reads anything from the store.
            var mark = await writer.MarkAsync(cancellationToken);
            var refs = next.Select(i => new CustomerRef(i.CustomerExternalId, i.CustomerEmail, i.CustomerPhone, i.CustomerSocialHandle, i.CustomerName, i.StartedAt)).ToList();
            var externalIds = next.Select(i => i.ExternalId.Trim()).ToList();
            await customers.PrefetchAsync(refs, cancellationToken);
            var stored = await BulkStore.ExistingAsync(target, "interactions", "external_id", externalIds, cancellationToken);
            if (refs.Exists(customers.NamesErased))
            {
                // A contact for an erased person's anonymous profile would keep what they said beside it: refused (one sent
                // again, stored before the erasure, stays a duplicate below).
                var keep = Enumerable.Range(0, next.Count).Where(r => stored.Contains(externalIds[r]) || !customers.NamesErased(refs[r])).ToList();
                foreach (var r in Enumerable.Range(0, next.Count).Except(keep))
                {
                    summary.Rejections.Add(Rejection.For(seen[externalIds[r]].Line, [ErasedProfile]));
                }
                (next, refs, externalIds) = (keep.ConvertAll(r => next[r]), keep.ConvertAll(r => refs[r]), keep.ConvertAll(r => externalIds[r]));
                if (next.Count == 0)
                {
                    return;
                }
            }
            var agentRefs = next.Select(i => (Trim(i.AgentExternalId), i.AgentName)).ToList();
            PhaseTimer.Mark("read+validate");
            // Creating customers or agents writes, and on SQLite would wait for this run's own bulk writer.
            var creates = sqlite && (!customers.KnowsAll(refs) || !agents.KnowsAll(agentRefs));
            if (creates)
            {
                await FinishWriteAsync();
                PhaseTimer.Mark("wait for the write");
            }
            var prepared = await PrepareBatchAsync(next, refs, agentRefs, stored, customers, agents, summary, cancellationToken);
            if (prepared is null)
            {
                return;
            }
            var number = ++run.Batches;
            var derived = await Task.Run(() =>
            {
                PhaseTimer.Start();
                return DeriveBatchAsync(prepared, number, run, cancellationToken);
            }, cancellationToken);
            PhaseTimer.Mark("wait for the derivation");
            await FinishWriteAsync();
            PhaseTimer.Mark("wait for the write");
            writing = WriteAsync(prepared, derived, mark);
        }

        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            foreach (var row in rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                read++;
                if (summary.Accept(row, r => r.Validate(now)) is not { } value)
                {
                    continue;
                }
                var content = value.ContentHash();
                var key = value.ExternalId.Trim();
                if (!seen.TryAdd(key, (row.Line, content)))
                {
                    var first = seen[key];
                    if (first.Content == content)
                    {
                        duplicatesInRun++;
                    }
                    else
                    {
                        // The same contact told two ways: storing the first without a word would hide that one is wrong.
                        summary.Reject(row, [new FieldError("external_id", $"was given {rowName(first.Line)} with other values; that row is kept")]);
                    }
                    continue;
                }
                batch.Add(value);
                if (batch.Count >= batchSize)
                {
                    await NextBatchAsync(batch);
                    batch = new List<InteractionInput>(batch.Count);
                }
            }
            if (batch.Count > 0)
            {
                await NextBatchAsync(batch);
            }
            await FinishWriteAsync();
            PhaseTimer.Mark("wait for the write");
        }
        catch (Exception error) when (writing is not null)
        {
            // Never leave a batch being written behind: it commits or fails before the caller sees this error, and
            // if it fails for a reason of its own, the caller hears that too.
            await Task.WhenAny(writing);
            if (writing.Exception?.InnerException is { } writeError && writeError != error && writeError is not OperationCanceledException)
            {
                throw new AggregateException(error, writeError);
            }
            throw;
        }
        summary.Duplicates += duplicatesInRun;
        summary.CustomersCreated = customers.CustomersCreated;
        summary.IdentitiesAdded = customers.IdentitiesAdded;
        LastRunTimelinesReleased = run.Released;
        if (run.NeedsRecompute.Count > 0)
        {
            Report("deriving cases");
            // Every batch is committed: finish even if the caller goes away (an API client disconnecting), or these
            // customers stay derived without another writer's rows, and their newest rows without cases.
            var recomputed = await new InteractionDerivations(target, options.Value).RecomputeAsync(run.NeedsRecompute, CancellationToken.None);
            summary.CasesDerived += recomputed.Opened - recomputed.Removed;
        }
        PhaseTimer.Mark("recompute");
        summary.Elapsed = stopwatch.Elapsed;
        Report("done");
        return summary;
    }

    /// <summary>A batch resolved and rid of stored rows, ready to be written.</summary>
    private sealed record PreparedBatch(List<InteractionInput> Rows, long[] CustomerIds, Dictionary<InteractionInput, long?> AgentOf)
    {
        /// <summary>The batch's customers, each once, in ascending order (what is derived, and locked when written).</summary>
        public long[] Customers { get; } = CustomerIds.Distinct().Order().ToArray();
    }

    /// <summary>
    /// Resolves customers and agents and drops rows already stored. Creates the customers and agents seen for the
    /// first time, and then runs when no batch of this run is being written: on SQLite those writes would wait for
    /// the bulk writer's lock.
    /// </summary>
    private async Task<PreparedBatch?> PrepareBatchAsync(List<InteractionInput> batch, List<CustomerRef> refs, List<(string?, string?)> agentRefs, HashSet<string> stored,
        CustomerResolver customers, AgentResolver agents, ImportSummary summary, CancellationToken cancellationToken)
    {
        // Rows already stored (a re-run, a resumed import, an id another customer holds) are duplicates: dropping them
        // before resolving means a contact sent again changes nothing (it neither teaches a profile the identities it
        // now names nor makes a profile for them), and spares loading their customers' histories, and deriving a row
        // the write would then find taken. Also for customers whose timelines the run holds: a row stored for one since
        // the run read it is another writer's, and the run derives that customer again at its end.
        if (stored.Count > 0)
        {
            var keep = Enumerable.Range(0, batch.Count).Where(r => !stored.Contains(batch[r].ExternalId.Trim())).ToList();
            summary.Duplicates += batch.Count - keep.Count;
            batch = keep.ConvertAll(r => batch[r]);
            refs = keep.ConvertAll(r => refs[r]);
            agentRefs = keep.ConvertAll(r => agentRefs[r]);
            if (batch.Count == 0)
            {
                return null;
            }
        }
        PhaseTimer.Mark("existing external ids");
        var customerIds = await customers.ResolveAsync(refs, cancellationToken);
        PhaseTimer.Mark("resolve customers");
        var agentIds = await agents.ResolveAsync(agentRefs, cancellationToken);
        var agentOf = new Dictionary<InteractionInput, long?>(batch.Count, ReferenceEqualityComparer.Instance);
        for (var r = 0; r < batch.Count; r++)
        {
            agentOf[batch[r]] = agentIds[r];
        }
        return new PreparedBatch(batch, customerIds, agentOf);
    }

    /// <summary>A batch derived against its customers' timelines, ready to be written.</summary>
    private sealed record DerivedBatch(TimelineChanges Changes, long Duplicates);

    /// <summary>
    /// Adds a batch's rows to its customers' timelines (reading the timelines of customers new to this run) and derives
    /// them. Runs while the previous batch is written, so it touches only the timelines, never the store.
    /// </summary>
    private async Task<DerivedBatch> DeriveBatchAsync(PreparedBatch prepared, int number, RunState run, CancellationToken cancellationToken)
    {
        using var touching = run.Touch("deriving a batch");
        var (batch, customerIds, agentOf) = (prepared.Rows, prepared.CustomerIds, prepared.AgentOf);
        object now = time.GetUtcNow().UtcDateTime;
        var touched = prepared.Customers;
        // Each customer's history is read once per run and kept, so every batch is derived against the whole
        // timeline and every row is written once, with its case and flags.
        var unseen = touched.Where(id => !run.Timelines.ContainsKey(id)).ToArray();
        foreach (var (id, timeline) in await CustomerTimelines.LoadAsync(target, unseen, run.NextSequence, cancellationToken))
        {
            run.Timelines[id] = timeline;
            run.HeldEntries += timeline.Entries.Count;
        }
        foreach (var id in touched)
        {
            run.Timelines[id].LastBatch = number;
        }
        PhaseTimer.Mark("load timelines");
        long duplicates = 0;
        for (var r = 0; r < batch.Count; r++)
        {
            var timeline = run.Timelines[customerIds[r]];
            var contact = ToContact(batch[r]);
            if (!timeline.ExternalIds.Add(contact.ExternalId))
            {
                duplicates++;
                continue;
            }
            timeline.Entries.Add(new TimelineEntry(contact, run.NextSequence(), batch: number) { Input = batch[r] });
            run.HeldEntries++;
        }
        PhaseTimer.Mark("add entries");
        var changes = CustomerTimelines.Derive(touched.Select(id => (id, run.Timelines[id])).ToList(), options.Value, number,
            (customerId, entry, f) =>
            {
                var i = entry.Input!;
                // The case id (null here) is set when the write knows it.
                return
                [
                    entry.Contact.ExternalId, customerId, entry.Contact.CaseExternalId, i.Channel.ToString(), i.Direction.ToString(),
                    entry.Contact.StartedAt, entry.Contact.EndedAt, agentOf[i], Trim(i.Queue), Boxes.Of(i.FirstResponseSeconds),
                    Boxes.Of(i.TalkSeconds), Boxes.Of(i.HoldSeconds), Boxes.Of(i.WrapSeconds), Boxes.Of(i.Transfers), entry.Contact.Reason, i.Outcome.ToString(),
                    entry.Contact.Subject, null, Boxes.Of(f.IsRepeat), Boxes.Of(f.FirstContactResolved), Boxes.Of(f.ChannelSwitch), Boxes.Of(f.SlaMet), now,
                ];
            }, threads: Math.Max(1, Environment.ProcessorCount - 1)); // one core is the writer's
        PhaseTimer.Mark("derive");
        return new DerivedBatch(changes, duplicates);
    }

    /// <summary>Writes a derived batch and its messages in one transaction, after the previous batch's write.</summary>
    private async Task<WrittenBatch> StoreBatchAsync(IBulkStore store, DerivedBatch derived, Func<long, bool> stale, Dictionary<long, long> mergedInto,
        CancellationToken cancellationToken)
    {
        PhaseTimer.Mark("write: begin");
        var written = new WrittenBatch { Duplicates = derived.Duplicates };
        if (mergedInto.Count > 0)
        {
            var customerColumn = InteractionsTable.IndexOf("customer_id");
            foreach (var insert in derived.Changes.Inserts.Where(i => mergedInto.ContainsKey(i.CustomerId)))
            {
                var survivor = RunState.Survivor(mergedInto, insert.CustomerId);
                insert.Row[customerColumn] = survivor;
                // Written without a case (the merged timeline is stale): the survivor is derived again at the end.
                written.Survivors.Add(survivor);
            }
        }
        (written.CasesOpened, written.CasesRemoved) = await CustomerTimelines.StoreAsync(target, store, derived.Changes, InteractionsTable, stale, cancellationToken);
        var messages = new List<object?[]>();
        foreach (var insert in derived.Changes.Inserts)
        {
            var (entry, customerId) = (insert.Entry, RunState.Survivor(mergedInto, insert.CustomerId));
            var input = entry.Input!;
            if (entry.Id is not { } id)
            {
                // Another customer (or another writer) already holds this external id: not ours to store.
                written.Duplicates++;
                written.Taken.Add(insert);
                continue;
            }
            written.Imported++;
            var sequence = 0;
            foreach (var m in input.Messages)
            {
                messages.Add([id, customerId, ++sequence, m.Author.ToString(), StoredTimes.Utc(m.At == default ? input.StartedAt : m.At), m.Text]);
            }
        }
        await store.InsertManyAsync(MessagesTable, messages, cancellationToken);
        PhaseTimer.Mark("write: messages");
        // Rows written without being derived (stale, or derived with a row that turned out to be taken): their customers
        // are marked in this transaction, so that if the run fails before it derives them at its end, they stay known.
        var pending = derived.Changes.Inserts.Where(i => i.Entry.Id is null || stale(i.CustomerId)).Select(i => i.CustomerId).Concat(written.Survivors).ToHashSet();
        if (pending.Count > 0)
        {
            await PendingDerivations.MarkAsync(store, pending, time.GetUtcNow().UtcDateTime, cancellationToken);
        }
        await store.CommitAsync(cancellationToken);
        PhaseTimer.Mark("write: commit");
        foreach (var insert in derived.Changes.Inserts)
        {
            // Written: the source row is no longer needed (until now a failed attempt could be written again).
            insert.Entry.Input = null;
        }
        return written;
    }

    /// <summary>What writing a batch did; applied to the run when no other batch is being derived.</summary>
    private sealed class WrittenBatch
    {
        /// <summary>
        /// Which customers another writer may have written since the run read them (null: nobody else wrote); known
        /// when this write held its locks.
        /// </summary>
        public Func<long, bool>? OthersWrote { get; set; }

        /// <summary>The merged profiles the run has heard of (its own and this write's), each with the profile it points at.</summary>
        public Dictionary<long, long> MergedInto { get; set; } = [];

        /// <summary>Survivors of merges that this write gave rows derived in a merged profile's timeline.</summary>
        public HashSet<long> Survivors { get; } = [];

        public long Imported { get; set; }
        public long Duplicates { get; set; }
        public long CasesOpened { get; set; }
        public long CasesRemoved { get; set; }

        /// <summary>New rows whose external id was already stored: out of their timelines, their customers derived again at the end.</summary>
        public List<NewInteraction> Taken { get; } = [];

        public void ApplyTo(RunState run, ImportSummary summary)
        {
            using var touching = run.Touch("applying a write");
            summary.Imported += Imported;
            summary.Duplicates += Duplicates;
            // Net: a case this run opened and a later batch (or the final recompute) joined into another is not one.
            summary.CasesDerived += CasesOpened - CasesRemoved;
            if (OthersWrote is { } concerns)
            {
                // Every timeline the run holds that another writer may have changed (the next batch's too, derived
                // beside this write): its later rows were derived without what that writer stored.
                run.NeedsRecompute.UnionWith(run.Timelines.Keys.Where(concerns));
            }
            foreach (var (id, into) in MergedInto)
            {
                run.LearnMerge(id, into);
                run.NeedsRecompute.Add(id);
            }
            run.NeedsRecompute.UnionWith(Survivors);
            foreach (var taken in Taken)
            {
                var timeline = run.Timelines[taken.CustomerId];
                timeline.Entries.Remove(taken.Entry);
                run.HeldEntries--;
                timeline.State = null;
                run.NeedsRecompute.Add(taken.CustomerId);
            }
        }
    }

    /// <summary>What one ingest run remembers between batches.</summary>
    private sealed class RunState
    {
        private long _sequence;
        private int _touching;
        public int Batches { get; set; }
        public Dictionary<long, Timeline> Timelines { get; } = [];

        /// <summary>
        /// Marks the start of work on the timelines (deriving a batch, preparing one, applying a write); the run's
        /// timelines are not thread-safe, so two at once is a bug in the pipeline, reported rather than risked.
        /// </summary>
        public IDisposable Touch(string what) => Interlocked.Exchange(ref _touching, 1) == 0
            ? new Release(this)
            : throw new InvalidOperationException($"{what} while the run's timelines were in use: the import pipeline let two steps overlap");

        private sealed class Release(RunState run) : IDisposable
        {
            public void Dispose() => Volatile.Write(ref run._touching, 0);
        }

        /// <summary>Customers derived again from the store at the end of the run.</summary>
        public HashSet<long> NeedsRecompute { get; } = [];

        /// <summary>The entries of every timeline held.</summary>
        public long HeldEntries { get; set; }

        public long Released { get; private set; }

        /// <summary>
        /// Lets go of the timelines of customers that neither the batch just written nor the one derived beside it
        /// touched, least recently touched first, once more than <paramref name="maxEntries"/> entries are held, down to
        /// three quarters of it. Run between batches, like every step that touches the timelines.
        /// </summary>
        public void LetGo(int maxEntries)
        {
            if (HeldEntries <= maxEntries)
            {
                return;
            }
            using var touching = Touch("letting timelines go");
            foreach (var (id, timeline) in Timelines.Where(t => t.Value.LastBatch < Batches - 1).OrderBy(t => t.Value.LastBatch).ToList())
            {
                if (HeldEntries <= maxEntries * 3L / 4)
                {
                    break;
                }
                Timelines.Remove(id);
                HeldEntries -= timeline.Entries.Count;
                Released++;
            }
        }

        /// <summary>Profiles a merge made pointers while the run held them, each with the profile it points at now.</summary>
        public Dictionary<long, long> MergedInto { get; } = [];

        /// <summary>How many times <see cref="MergedInto"/> changed (the resolver is pointed at survivors after a change).</summary>
        public int MergesLearned { get; private set; }

        public void LearnMerge(long id, long into)
        {
            if (!MergedInto.TryGetValue(id, out var known) || known != into)
            {
                MergedInto[id] = into;
                MergesLearned++;
            }
        }

        /// <summary>The profile <paramref name="customerId"/> stands for after the merges in <paramref name="mergedInto"/>.</summary>
        public static long Survivor(Dictionary<long, long> mergedInto, long customerId)
        {
            while (mergedInto.TryGetValue(customerId, out var into))
            {
                customerId = into;
            }
            return customerId;
        }
        public long NextSequence() => ++_sequence;
    }

    private static Contact ToContact(InteractionInput i) => new(i.ExternalId.Trim(), Trim(i.CaseExternalId), i.Channel, i.Direction, StoredTimes.Utc(i.StartedAt),
        i.EndedAt is { } e ? StoredTimes.Utc(e) : null, i.FirstResponseSeconds, i.Transfers, Trim(i.Reason), Trim(i.Subject), i.Outcome);

    private static string? Trim(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
