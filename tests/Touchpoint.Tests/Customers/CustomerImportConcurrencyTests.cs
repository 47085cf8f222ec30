using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Customers;
using Touchpoint.Import;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Customers;

/// <summary>Two imports of one customers file at once (two CLI processes, or the API and the CLI).</summary>
public sealed class CustomerImportConcurrencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task TwoImportsOfTheSameCustomers_AtOnce_BothEnd_AndEachCustomerIsStoredOnce(DatabaseProvider provider)
    {
        // The second writer's batch failed on the unique external id (or identity) the first had just stored: the import stopped
        // with "Unhandled exception: DbUpdateException ... UNIQUE constraint failed: customers.external_id" and a stack trace.
        await using var database = await TestDatabase.CreateAsync(provider);
        var rows = Enumerable.Range(0, 3_000).Select(i => new CustomerInput
        {
            ExternalId = $"c-{i}", Name = $"Customer {i}", Email = $"c{i}@example.com", Plan = i % 2 == 0 ? "basic" : "premium",
            Consents = new Dictionary<Channel, bool> { [Channel.Email] = true },
        }).ToList();

        Task<ImportSummary> ImportAsync() => Task.Run(() =>
            new CustomerIngestor(database.Target, Ingest.Clock(), Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions()))
                .IngestAsync(rows.Select((x, i) => new ImportRow<CustomerInput>(i + 2, x)), batchSize: 100, cancellationToken: Ct), Ct);

        var summaries = await Task.WhenAll(ImportAsync(), ImportAsync());

        Assert.All(summaries, s => Assert.Equal((0L, 3_000L), (s.Rejected, s.Imported + s.Duplicates)));
        Assert.Equal(3_000, summaries.Sum(s => s.CustomersCreated));
        await using var db = database.CreateDb();
        Assert.Equal((3_000, 3_000, 3_000), (await db.Customers.CountAsync(Ct), await db.CustomerIdentities.CountAsync(Ct), await db.ChannelConsents.CountAsync(Ct)));
    }
}
