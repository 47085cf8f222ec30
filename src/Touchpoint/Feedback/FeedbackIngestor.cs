using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Customers;
using Touchpoint.Import;
using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;
using static Touchpoint.Storage.Bulk.BulkTable;

namespace Touchpoint.Feedback;

/// <summary>A score piped in from another tool or produced by a survey; the customer is named like on interactions.</summary>
public sealed record FeedbackInput
{
    public required string ExternalId { get; init; }
    public string? CustomerExternalId { get; init; }
    public string? CustomerEmail { get; init; }
    public string? CustomerPhone { get; init; }
    public string? CustomerSocialHandle { get; init; }
    public string? InteractionExternalId { get; init; }
    // Required in a body: left out, they read as NPS and 0, and a score nobody gave was stored as a detractor.
    [JsonRequired]
    public FeedbackKind Kind { get; init; }
    [JsonRequired]
    public int Score { get; init; }
    public string? Comment { get; init; }
    public DateTime RespondedAt { get; init; }

    /// <summary>Problems that make the row unusable; an answer given after <paramref name="nowUtc"/> (beyond <see cref="HappenedAt.Tolerance"/>) is one.</summary>
    public IReadOnlyList<FieldError> Validate(DateTime nowUtc)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(ExternalId))
        {
            errors.Add(new("external_id", "is required"));
        }
        StoredText.CheckNoNul(errors, [("external_id", ExternalId), ("interaction_external_id", InteractionExternalId), ("comment", Comment)]);
        StoredLengths.Check(errors, "external_id", ExternalId, StoredLengths.ExternalId);
        CustomerRef.Check(errors, CustomerExternalId, CustomerEmail, CustomerPhone, CustomerSocialHandle);
        if (!Enum.IsDefined(Kind))
        {
            errors.Add(new("kind", "must be nps, csat or ces"));
        }
        else
        {
            var (min, max) = FeedbackResponse.Range(Kind);
            if (Score < min || Score > max)
            {
                errors.Add(new("score", $"must be between {min} and {max} for {Kind.ToString().ToUpperInvariant()}"));
            }
        }
        if (RespondedAt == default)
        {
            errors.Add(new("responded_at", "is required"));
        }
        HappenedAt.Check(errors, "responded_at", RespondedAt, nowUtc);
        return errors;
    }
}

/// <summary>Stores feedback scores idempotently on their external ids, resolving the customer like interactions do.</summary>
public sealed class FeedbackIngestor(DatabaseTarget target, TimeProvider time, IOptions<CustomerOptions> customerOptions)
{
    internal static readonly BulkTable FeedbackTable = new("feedback_responses",
        [Text("external_id"), Long("customer_id"), Long("interaction_id"), Text("kind"), Int("score"), Text("comment"), Timestamp("responded_at")],
        ["external_id"]);

    public async Task<ImportSummary> IngestAsync(IEnumerable<ImportRow<FeedbackInput>> rows, int batchSize = 10_000, CancellationToken cancellationToken = default)
    {
        var summary = new ImportSummary();
        var resolver = new CustomerResolver(target, time, customerOptions.Value.PhoneRegion);
        var batch = new List<(long Line, FeedbackInput Input)>(batchSize);
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var row in rows)
        {
            if (summary.Accept(row, r => r.Validate(now)) is not { } value)
            {
                continue;
            }
            batch.Add((row.Line, value));
            if (batch.Count >= batchSize)
            {
                await WriteAsync(batch, resolver, summary, cancellationToken);
                batch.Clear();
            }
        }
        await WriteAsync(batch, resolver, summary, cancellationToken);
        summary.CustomersCreated = resolver.CustomersCreated;
        summary.IdentitiesAdded = resolver.IdentitiesAdded;
        return summary;
    }

    private async Task WriteAsync(List<(long Line, FeedbackInput Input)> batch, CustomerResolver resolver, ImportSummary summary, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }
        // Scores already stored are duplicates before their customer is resolved: sent again naming another phone, one
        // would teach the profile that phone (or make a profile for a new email), and a re-run must change nothing.
        var stored = await BulkStore.ExistingAsync(target, "feedback_responses", "external_id",
            batch.Select(b => b.Input.ExternalId.Trim()).Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
        summary.Duplicates += batch.RemoveAll(b => stored.Contains(b.Input.ExternalId.Trim()));
        if (batch.Count == 0)
        {
            return;
        }
        // Trimmed, as interactions' external ids are when they are stored (" i-1 " found nothing and left the score unlinked).
        var interactionExternalIds = batch.Where(b => !string.IsNullOrWhiteSpace(b.Input.InteractionExternalId))
            .Select(b => b.Input.InteractionExternalId!.Trim()).Distinct(StringComparer.Ordinal).ToList();
        var interactions = new Dictionary<string, (long Id, long CustomerId)>(StringComparer.Ordinal);
        await using (var db = StorageServices.CreateDb(target))
        {
            foreach (var chunk in interactionExternalIds.Chunk(500))
            {
                foreach (var row in await db.Interactions.AsNoTracking().Where(i => chunk.Contains(i.ExternalId))
                             .Select(i => new { i.ExternalId, i.Id, i.CustomerId }).ToListAsync(cancellationToken))
                {
                    interactions[row.ExternalId] = (row.Id, row.CustomerId);
                }
            }
        }
        var refs = batch.Select(b => b.Input)
            .Select(f => new CustomerRef(f.CustomerExternalId, f.CustomerEmail, f.CustomerPhone, f.CustomerSocialHandle, null, f.RespondedAt)).ToList();
        // A score about another customer's contact is refused before its customer is resolved, so the refused row
        // neither makes a profile (for an email nobody has) nor teaches one a phone. So is one for an erased person's
        // anonymous profile (named by its erased-N id): its comment would tie what they said to the profile again.
        await resolver.PrefetchAsync(refs, cancellationToken);
        if (interactions.Count > 0 || refs.Exists(resolver.NamesErased))
        {
            var kept = 0;
            for (var n = 0; n < batch.Count; n++)
            {
                if (resolver.NamesErased(refs[n]))
                {
                    summary.Rejections.Add(Rejection.For(batch[n].Line,
                        [new FieldError("customer_external_id", "names an erased person's anonymous profile, which takes no feedback (a score from them now is a new profile's)")]));
                    continue;
                }
                if (IsLinked(batch[n].Input) && interactions[batch[n].Input.InteractionExternalId!.Trim()].CustomerId != resolver.StoredOwnerOf(refs[n]))
                {
                    summary.Rejections.Add(AnotherCustomersContact(batch[n].Line, batch[n].Input.InteractionExternalId!.Trim()));
                    continue;
                }
                (batch[kept], refs[kept]) = (batch[n], refs[n]);
                kept++;
            }
            batch.RemoveRange(kept, batch.Count - kept);
            refs.RemoveRange(kept, refs.Count - kept);
            if (batch.Count == 0)
            {
                return;
            }
        }
        bool IsLinked(FeedbackInput f) => f.InteractionExternalId?.Trim() is { Length: > 0 } ext && interactions.ContainsKey(ext);
        var customerIds = await resolver.ResolveAsync(refs, cancellationToken);
        // Checked again after resolution: a row whose first key names a profile this batch made resolves to that one.
        // A contact not stored (yet) leaves the score without a link.
        var rows = new List<object?[]>(batch.Count);
        for (var n = 0; n < batch.Count; n++)
        {
            var (line, f) = batch[n];
            long? interactionId = null;
            if (f.InteractionExternalId?.Trim() is { Length: > 0 } ext && interactions.TryGetValue(ext, out var interaction))
            {
                if (interaction.CustomerId != customerIds[n])
                {
                    summary.Rejections.Add(AnotherCustomersContact(line, ext));
                    continue;
                }
                interactionId = interaction.Id;
            }
            rows.Add(
            [
                f.ExternalId.Trim(), customerIds[n], interactionId,
                f.Kind.ToString(), f.Score, f.Comment, StoredTimes.Utc(f.RespondedAt),
            ]);
        }
        await using var store = await BulkStore.BeginAsync(target, cancellationToken);
        var ids = await store.InsertAsync(FeedbackTable, rows, cancellationToken);
        await store.CommitAsync(cancellationToken);
        summary.Imported += ids.Count(i => i is not null);
        summary.Duplicates += ids.Count(i => i is null);
    }

    private static Rejection AnotherCustomersContact(long line, string interactionExternalId) =>
        Rejection.For(line, [new FieldError("interaction_external_id", $"'{interactionExternalId}' is another customer's contact")]);
}
