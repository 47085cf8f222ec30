using Microsoft.EntityFrameworkCore;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;
using static Touchpoint.Storage.Bulk.BulkTable;

namespace Touchpoint.Import.Twcs;

/// <summary>
/// What a later, larger twcs file says about tweets an earlier file stored: a thread read from more of the data set
/// can answer a tweet the smaller file left unanswered, give it its brand as queue, and find the root of a conversation
/// whose first tweets were missing. Ingestion drops those tweets as duplicates (a contact sent again changes nothing),
/// so importing the first 5,000 rows and then the whole file left their first responses empty and their threads split
/// into two cases. This pass sets the thread's facts (first response, queue, case id) on stored tweets that differ, and
/// derives their customers again.
/// </summary>
public static class TwcsRefresh
{
    private const int Chunk = 2_000;

    private static readonly BulkTable ThreadColumns = new("interactions",
        [Int("first_response_seconds"), Text("queue"), Text("case_external_id")], []);

    /// <summary>Updates the stored tweets among <paramref name="interactions"/> whose thread facts differ; returns how many.</summary>
    public static async Task<long> ApplyAsync(DatabaseTarget target, IEnumerable<ImportRow<InteractionInput>> interactions, InteractionOptions options,
        DateTime nowUtc, CancellationToken cancellationToken)
    {
        var changed = new List<(long CustomerId, object?[] Row)>();
        await using (var db = StorageServices.CreateDb(target))
        {
            foreach (var chunk in interactions.Where(r => r.Value is not null).Select(r => r.Value!).Chunk(Chunk))
            {
                var ids = chunk.Select(i => i.ExternalId).ToArray();
                var stored = await db.Interactions.AsNoTracking().Where(i => ids.Contains(i.ExternalId))
                    .Select(i => new { i.Id, i.CustomerId, i.ExternalId, i.FirstResponseSeconds, i.Queue, i.CaseExternalId })
                    .ToDictionaryAsync(i => i.ExternalId, StringComparer.Ordinal, cancellationToken);
                foreach (var i in chunk)
                {
                    if (stored.TryGetValue(i.ExternalId, out var s)
                        && (s.FirstResponseSeconds != i.FirstResponseSeconds || s.Queue != i.Queue || s.CaseExternalId != i.CaseExternalId))
                    {
                        changed.Add((s.CustomerId, [s.Id, Boxes.Of(i.FirstResponseSeconds), i.Queue, i.CaseExternalId]));
                    }
                }
            }
        }
        if (changed.Count == 0)
        {
            return 0;
        }
        var customers = changed.Select(c => c.CustomerId).Distinct().Order().ToArray();
        await using (var store = await BulkStore.BeginAsync(target, cancellationToken))
        {
            // Under the customers' locks, which also tell an import holding their timelines that they changed; marked in the
            // same transaction, so a failure before the derivation below leaves them to be derived later.
            await store.LockCustomersAsync(customers, cancellationToken);
            await store.UpdateAsync(ThreadColumns, changed.ConvertAll(c => c.Row), cancellationToken);
            await PendingDerivations.MarkAsync(store, customers, nowUtc, cancellationToken);
            await store.CommitAsync(cancellationToken);
        }
        await new InteractionDerivations(target, options).RecomputeAsync(customers, cancellationToken);
        return changed.Count;
    }
}
