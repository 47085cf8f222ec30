using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Touchpoint.Customers;
using Touchpoint.Import;
using Touchpoint.Interactions;

namespace Touchpoint.Tests.Infrastructure;

/// <summary>Intent methods for feeding a test database through the real ingestion path.</summary>
public static class Ingest
{
    public static readonly DateTime T0 = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    public static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));

    public static Task<ImportSummary> InteractionsAsync(TestDatabase database, IEnumerable<InteractionInput> inputs, int batchSize = 1000) =>
        InteractionsUntilAsync(database, inputs, batchSize, null, TestContext.Current.CancellationToken);

    /// <summary>Ingests with progress reports and a token the test may cancel half-way.</summary>
    public static Task<ImportSummary> InteractionsUntilAsync(TestDatabase database, IEnumerable<InteractionInput> inputs, int batchSize,
        IProgress<ImportProgress>? progress, CancellationToken cancellationToken) =>
        new InteractionIngestor(database.Target, Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions()), Clock())
            .IngestAsync(inputs.Select((x, i) => new ImportRow<InteractionInput>(i + 1, x)), progress, batchSize, cancellationToken);

    public static Task<ImportSummary> CustomersAsync(TestDatabase database, params CustomerInput[] inputs) =>
        new CustomerIngestor(database.Target, Clock(), Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions()))
            .IngestAsync(inputs.Select((x, i) => new ImportRow<CustomerInput>(i + 1, x)), cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>Marks a customer as written but not derived, as an import that failed before its end leaves it.</summary>
    public static async Task MarkPendingAsync(TestDatabase database, string customer, DateTime at)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateDb();
        var id = await db.Customers.Where(c => c.ExternalId == customer).Select(c => c.Id).SingleAsync(ct);
        await db.Database.ExecuteSqlAsync($"INSERT INTO pending_derivations (customer_id, marked_at) VALUES ({id}, {at})", ct);
    }

    public static InteractionInput Contact(string id, string customer, Channel channel, DateTime at, string? reason = null,
        Outcome outcome = Outcome.Resolved, int? firstResponse = null, string? caseId = null) => new()
    {
        ExternalId = id,
        CustomerExternalId = customer,
        Channel = channel,
        Direction = Direction.Inbound,
        StartedAt = at,
        EndedAt = at.AddMinutes(5),
        Reason = reason,
        Outcome = outcome,
        FirstResponseSeconds = firstResponse,
        CaseExternalId = caseId,
        TalkSeconds = channel == Channel.Phone ? 240 : 0,
        Messages = [new MessageInput(MessageAuthor.Customer, at, $"message of {id}"), new MessageInput(MessageAuthor.Agent, at.AddMinutes(1), "reply")],
    };
}
