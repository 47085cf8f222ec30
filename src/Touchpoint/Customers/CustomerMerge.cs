using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore.Storage;
using Touchpoint.Interactions;
using Touchpoint.Platform;
using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;

namespace Touchpoint.Customers;

public enum MergeError
{
    NotFound,
    SameCustomer,
    AlreadyMerged,

    /// <summary>One of the two is an erased person's anonymous profile: merging would tie personal data to it again.</summary>
    Erased,
}

public sealed record MergeResult(long SurvivorId, long MergedId, int InteractionsMoved, int IdentitiesMoved, MergeError? Error = null);

/// <summary>
/// Merges two profiles of the same person: the survivor takes the other's identities, interactions, messages, cases and
/// feedback; the merged profile stays as a pointer (<see cref="Customer.MergedIntoId"/>) so its external id keeps resolving.
/// Afterwards the survivor's cases and flags are derived again over the combined timeline.
/// </summary>
public sealed class CustomerMerge(TouchpointDb db, DatabaseTarget target, IOptions<InteractionOptions> options, TimeProvider time)
{
    public async Task<MergeResult> MergeAsync(long survivorId, long mergedId, string actor, CancellationToken cancellationToken = default)
    {
        if (survivorId == mergedId)
        {
            return new MergeResult(survivorId, mergedId, 0, 0, MergeError.SameCustomer);
        }
        var strategy = db.Database.CreateExecutionStrategy();
        var result = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear(); // a retried attempt starts from what is stored
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // The same locks ingestion takes, so no batch writes either customer while their rows move; the stripes'
            // versions tell a long import holding either timeline that another writer changed it.
            await CustomerLocks.LockAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), [survivorId, mergedId], cancellationToken);
            var pair = await db.Customers.Include(c => c.Consents).Where(c => c.Id == survivorId || c.Id == mergedId).ToListAsync(cancellationToken);
            var survivor = pair.FirstOrDefault(c => c.Id == survivorId);
            var merged = pair.FirstOrDefault(c => c.Id == mergedId);
            if (survivor is null || merged is null)
            {
                return new MergeResult(survivorId, mergedId, 0, 0, MergeError.NotFound);
            }
            if (survivor.MergedIntoId is not null || merged.MergedIntoId is not null)
            {
                return new MergeResult(survivorId, mergedId, 0, 0, MergeError.AlreadyMerged);
            }
            if (survivor.ErasedAt is not null || merged.ErasedAt is not null)
            {
                return new MergeResult(survivorId, mergedId, 0, 0, MergeError.Erased);
            }
            var now = time.GetUtcNow().UtcDateTime;

            // Cases with the same source ticket id on both sides become one: point the merged side's contacts at the survivor's case.
            var survivorCases = await db.Cases.Where(c => c.CustomerId == survivorId).ToDictionaryAsync(c => c.ExternalId, c => c.Id, cancellationToken);
            var clashing = await db.Cases.Where(c => c.CustomerId == mergedId && survivorCases.Keys.Contains(c.ExternalId))
                .Select(c => new { c.Id, c.ExternalId }).ToListAsync(cancellationToken);
            foreach (var c in clashing)
            {
                var target = survivorCases[c.ExternalId];
                await db.Interactions.Where(i => i.CaseId == c.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.CaseId, target), cancellationToken);
                await db.Cases.Where(x => x.Id == c.Id).ExecuteDeleteAsync(cancellationToken);
            }
            await db.Cases.Where(c => c.CustomerId == mergedId).ExecuteUpdateAsync(s => s.SetProperty(c => c.CustomerId, survivorId), cancellationToken);
            var moved = await db.Interactions.Where(i => i.CustomerId == mergedId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.CustomerId, survivorId), cancellationToken);
            await db.Messages.Where(m => m.CustomerId == mergedId).ExecuteUpdateAsync(s => s.SetProperty(m => m.CustomerId, survivorId), cancellationToken);
            await db.Feedback.Where(f => f.CustomerId == mergedId).ExecuteUpdateAsync(s => s.SetProperty(f => f.CustomerId, survivorId), cancellationToken);
            var identities = await db.CustomerIdentities.Where(i => i.CustomerId == mergedId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.CustomerId, survivorId), cancellationToken);
            // Profiles merged into the merged one earlier now point straight at the survivor: lookups follow one hop.
            await db.Customers.Where(c => c.MergedIntoId == mergedId).ExecuteUpdateAsync(s => s.SetProperty(c => c.MergedIntoId, survivorId), cancellationToken);

            // Consent: the more recent decision per channel wins; on a tie, the refusal.
            foreach (var consent in merged.Consents)
            {
                var mine = survivor.Consents.FirstOrDefault(c => c.Channel == consent.Channel);
                if (mine is null)
                {
                    survivor.Consents.Add(new ChannelConsent { Channel = consent.Channel, Granted = consent.Granted, UpdatedAt = consent.UpdatedAt });
                }
                else if (consent.UpdatedAt > mine.UpdatedAt || (consent.UpdatedAt == mine.UpdatedAt && !consent.Granted))
                {
                    mine.Granted = consent.Granted;
                    mine.UpdatedAt = consent.UpdatedAt;
                }
            }
            merged.Consents.Clear();
            FillGaps(survivor, merged);
            survivor.UpdatedAt = now;
            merged.MergedIntoId = survivorId;
            merged.UpdatedAt = now;
            db.AuditLog.Add(new AuditEntry
            {
                At = now, Actor = actor, Action = "customer.merged", Target = survivor.ExternalId,
                Detail = $"{merged.ExternalId} (#{mergedId}) merged into {survivor.ExternalId} (#{survivorId}): {moved} interactions, {identities} identities",
            });
            await db.SaveChangesAsync(cancellationToken);
            // Marked with the merge, cleared by the derivation below: if this process dies or the derivation fails after the
            // commit, the survivor is derived later (the server's repair, the next import, recompute --pending) instead of
            // keeping the two profiles' cases and flags side by side for good.
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO pending_derivations (customer_id, marked_at) VALUES ({survivorId}, {now}) ON CONFLICT (customer_id) DO NOTHING", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new MergeResult(survivorId, mergedId, moved, identities);
        });
        if (result.Error is null)
        {
            // The merge is committed: finish deriving even if the caller goes away, or the survivor's cases stay stale.
            await new InteractionDerivations(target, options.Value).RecomputeAsync([survivorId], CancellationToken.None);
        }
        return result;
    }

    /// <summary>Attributes the survivor lacks are taken from the merged profile; the survivor's own values are kept.</summary>
    private static void FillGaps(Customer survivor, Customer merged)
    {
        survivor.Email ??= merged.Email;
        survivor.Phone ??= merged.Phone;
        survivor.BirthYear ??= merged.BirthYear;
        survivor.Gender ??= merged.Gender;
        survivor.City ??= merged.City;
        survivor.Country ??= merged.Country;
        survivor.Plan ??= merged.Plan;
        survivor.PreferredChannel ??= merged.PreferredChannel;
        survivor.QuietHoursStart ??= merged.QuietHoursStart;
        survivor.QuietHoursEnd ??= merged.QuietHoursEnd;
        if (merged.CustomerSince < survivor.CustomerSince)
        {
            survivor.CustomerSince = merged.CustomerSince;
        }
        var products = survivor.Products.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Union(merged.Products.Split(',', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        survivor.Products = string.Join(',', products);
        survivor.Revenue += merged.Revenue;
    }
}
