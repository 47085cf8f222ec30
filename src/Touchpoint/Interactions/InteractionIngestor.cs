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
public sealed class InteractionIngestor(DatabaseTarget target, IOptions<InteractionOptions> options, TimeProvider time)
{
    public const int DefaultBatchSize = 20_000;

    internal static readonly BulkTable InteractionsTable = new("interactions",
    [
        Text("external_id"), Long("customer_id"), Text("case_external_id"), Text("channel"), Text("direction"),
        Timestamp("started_at"), Timestamp("ended_at"), Long("agent_id"), Text("queue"), Int("first_response_seconds"),
        Int("talk_seconds"), Int("hold_seconds"), Int("wrap_seconds"), Int("transfers"), Text("reason"), Text("outcome"),
        Text("subject"), Long("case_id"), Bool("is_repeat"), Bool("first_contact_resolved"), Bool("channel_switch"), Bool("sla_met"),
        Timestamp("created_at"),
    ], ["external_id"]);

    internal static readonly BulkTable MessagesTable = new("messages",
        [Long("interaction_id"), Long("customer_id"), Int("sequence"), Text("author"), Timestamp("at"), Text("text")], []);

    /// <summary>
    /// Ingests rows in batches of <paramref name="batchSize"/>, each written in its own transaction, so an
    /// interrupted run keeps whole batches and a second run adds exactly the rest.
    /// </summary>
    public async Task<ImportSummary> IngestAsync(IEnumerable<ImportRow<InteractionInput>> rows, IProgress<ImportProgress>? progress = null,
        int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var summary = new ImportSummary();
        var customers = new CustomerResolver(target, time);
        var agents = new AgentResolver(target);
        var affected = new HashSet<long>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var batch = new List<InteractionInput>(Math.Min(batchSize, 100_000));
        long read = 0;

        void Report(string phase) => progress?.Report(new ImportProgress(read, summary.Imported, summary.Duplicates, summary.Rejected, phase));

        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            read++;
            if (row.Value is null)
            {
                summary.Rejections.Add(new Rejection(row.Line, row.Error ?? "the row could not be read", row.Column));
                continue;
            }
            var errors = row.Value.Validate();
            if (errors.Count > 0)
            {
                summary.Rejections.Add(new Rejection(row.Line, string.Join("; ", errors.Select(e => $"{e.Field} {e.Reason}"))));
                continue;
            }
            if (!seen.Add(row.Value.ExternalId.Trim()))
            {
                summary.Duplicates++;
                continue;
            }
            batch.Add(row.Value);
            if (batch.Count >= batchSize)
            {
                await WriteBatchAsync(batch, customers, agents, affected, summary, cancellationToken);
                batch.Clear();
                Report("importing");
            }
        }
        if (batch.Count > 0)
        {
            await WriteBatchAsync(batch, customers, agents, affected, summary, cancellationToken);
        }
        Report("deriving cases");
        summary.CustomersCreated = customers.CustomersCreated;
        summary.CasesDerived = await new InteractionDerivations(target, options.Value).RecomputeAsync(affected, cancellationToken);
        summary.Elapsed = stopwatch.Elapsed;
        Report("done");
        return summary;
    }

    private async Task WriteBatchAsync(List<InteractionInput> batch, CustomerResolver customers, AgentResolver agents, HashSet<long> affected,
        ImportSummary summary, CancellationToken cancellationToken)
    {
        var customerIds = await customers.ResolveAsync(
            batch.Select(i => new CustomerRef(i.CustomerExternalId, i.CustomerEmail, i.CustomerPhone, i.CustomerSocialHandle, i.CustomerName, i.StartedAt)).ToList(),
            cancellationToken);
        var agentIds = await agents.ResolveAsync(batch.Select(i => (Trim(i.AgentExternalId), i.AgentName)).ToList(), cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;

        // Derive the batch on its own before writing, so each row is written once with its case and flags; the
        // recompute at the end of the run then only corrects what history in other batches changes.
        var order = Enumerable.Range(0, batch.Count).OrderBy(r => customerIds[r]).ThenBy(r => Utc(batch[r].StartedAt)).ThenBy(r => r).ToArray();
        var facts = new DerivedFacts[batch.Count];
        var caseKeys = new List<(long CustomerId, string Key)>();
        var caseRows = new List<object?[]>();
        for (var start = 0; start < order.Length;)
        {
            var customerId = customerIds[order[start]];
            var end = start;
            while (end < order.Length && customerIds[order[end]] == customerId)
            {
                end++;
            }
            var members = order[start..end];
            var (derived, cases) = InteractionDerivations.Derive(customerId, members.Select(r => ToContact(batch[r])).ToList(), options.Value);
            for (var n = 0; n < members.Length; n++)
            {
                facts[members[n]] = derived[n];
            }
            foreach (var (key, values) in cases)
            {
                caseKeys.Add((customerId, key));
                caseRows.Add(values);
            }
            affected.Add(customerId);
            start = end;
        }

        await using var store = await BulkStore.BeginAsync(target, cancellationToken);
        await store.LockCustomersAsync(customerIds, cancellationToken);
        var caseIds = await InteractionDerivations.InsertCasesAsync(target, store, caseKeys, caseRows, cancellationToken);
        var rows = new List<object?[]>(batch.Count);
        foreach (var r in order)
        {
            var i = batch[r];
            var f = facts[r];
            rows.Add(
            [
                i.ExternalId.Trim(), customerIds[r], Trim(i.CaseExternalId), i.Channel.ToString(), i.Direction.ToString(),
                Utc(i.StartedAt), i.EndedAt is { } e ? Utc(e) : null, agentIds[r], Trim(i.Queue), i.FirstResponseSeconds,
                i.TalkSeconds, i.HoldSeconds, i.WrapSeconds, i.Transfers, Trim(i.Reason), i.Outcome.ToString(),
                Trim(i.Subject), caseIds[(customerIds[r], f.CaseKey)], f.IsRepeat, f.FirstContactResolved, f.ChannelSwitch, f.SlaMet, now,
            ]);
        }
        var ids = await store.InsertAsync(InteractionsTable, rows, cancellationToken);
        var messages = new List<object?[]>();
        for (var n = 0; n < order.Length; n++)
        {
            var r = order[n];
            if (ids[n] is not { } id)
            {
                summary.Duplicates++;
                continue;
            }
            summary.Imported++;
            var sequence = 0;
            foreach (var m in batch[r].Messages)
            {
                messages.Add([id, customerIds[r], ++sequence, m.Author.ToString(), Utc(m.At == default ? batch[r].StartedAt : m.At), m.Text]);
            }
        }
        await store.InsertManyAsync(MessagesTable, messages, cancellationToken);
        await store.CommitAsync(cancellationToken);
    }

    private static Contact ToContact(InteractionInput i) => new(i.ExternalId.Trim(), Trim(i.CaseExternalId), i.Channel, i.Direction, Utc(i.StartedAt),
        i.EndedAt is { } e ? Utc(e) : null, i.FirstResponseSeconds, i.Transfers, Trim(i.Reason), Trim(i.Subject), i.Outcome);

    private static string? Trim(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateTime Utc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };
}
