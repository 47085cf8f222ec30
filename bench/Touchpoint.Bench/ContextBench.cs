using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Customers;
using Touchpoint.Customers.Segments;
using Touchpoint.Feedback;
using Touchpoint.Import;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint.Bench;

/// <summary>
/// Latency of the customer context call (CustomerContextQuery.GetAsync, as the API serves it, a new DbContext per
/// call) with N interactions stored (default 1,000,000; half with a two-message transcript) for 50,000 customers,
/// their derived cases, 100,000 feedback responses and the default segments. Usage: context [interactions] [calls] [postgres-connection-string]
/// </summary>
internal static class ContextBench
{
    private const int Feedback = 100_000;
    private const int WarmUp = 500;

    public static async Task RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        var calls = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5_000;
        var postgres = args.Length > 2 ? args[2] : null;

        var sqliteFile = Path.Combine(Path.GetTempPath(), $"touchpoint-context-bench-{Guid.NewGuid():N}.db");
        await RunOneAsync(new DatabaseTarget(DatabaseProvider.Sqlite, $"Data Source={sqliteFile}"), rows, calls);
        foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(sqliteFile) + "*"))
        {
            File.Delete(f);
        }
        if (postgres is not null)
        {
            await RunOneAsync(new DatabaseTarget(DatabaseProvider.Postgres, postgres), rows, calls);
        }
    }

    private static async Task RunOneAsync(DatabaseTarget target, int rows, int calls)
    {
        var load = Stopwatch.StartNew();
        await SeedAsync(target, rows);
        Console.WriteLine($"{target.Provider}: seeded {rows:N0} interactions in {load.Elapsed.TotalSeconds:F0} s");

        long[] customerIds;
        await using (var db = StorageServices.CreateDb(target))
        {
            customerIds = await db.Customers.Select(c => c.Id).ToArrayAsync();
        }
        var random = new Random(3);
        var options = Options.Create(new InteractionOptions());
        var latencies = new List<double>(calls);
        var returned = 0L;
        for (var n = 0; n < WarmUp + calls; n++)
        {
            var id = customerIds[random.Next(customerIds.Length)];
            var stopwatch = Stopwatch.StartNew();
            await using var db = StorageServices.CreateDb(target);
            var context = await new CustomerContextQuery(db, new CustomerProfiles(db, new SegmentService(db, TimeProvider.System, options), TimeProvider.System, options), options, Options.Create(new CustomerOptions()), TimeProvider.System).GetAsync(id)
                ?? throw new InvalidOperationException($"customer {id} not found");
            var elapsed = stopwatch.Elapsed.TotalMilliseconds;
            if (n >= WarmUp)
            {
                latencies.Add(elapsed);
                returned += context.RecentInteractions.Count + context.OpenCases.Count + context.RecentFeedback.Count + context.Segments.Count;
            }
        }
        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        Console.WriteLine($"{target.Provider}: customer context, {calls:N0} calls for random customers after {WarmUp} warm-up calls: " +
            $"p50 {P(0.50):F1} ms, p95 {P(0.95):F1} ms, p99 {P(0.99):F1} ms, max {latencies[^1]:F1} ms " +
            $"(on average {returned / (double)calls:F1} items per context)");
    }

    private static async Task SeedAsync(DatabaseTarget target, int rows)
    {
        var options = Options.Create(new InteractionOptions());
        await using (var db = StorageServices.CreateDb(target))
        {
            await db.Database.EnsureDeletedAsync();
            await db.Database.MigrateAsync();
            await new SegmentService(db, TimeProvider.System, options).EnsureDefaultsAsync();
        }
        var customers = Enumerable.Range(1, ImportBench.Customers)
            .Select(n => new CustomerInput { ExternalId = $"c{n}", Name = $"Customer {n}", Email = $"c{n}@example.com" });
        await new CustomerIngestor(target, TimeProvider.System, options, Options.Create(new CustomerOptions())).IngestAsync(customers.Select((c, n) => new ImportRow<CustomerInput>(n + 1, c)));

        // The rows end now, so the flags over the last 7, 30 and 90 days have data to work on.
        var start = DateTime.UtcNow.Date.AddMinutes(-rows);
        var inputs = ImportBench.Inputs(rows, start, transcripts: true);
        var step = Stopwatch.StartNew();
        await new InteractionIngestor(target, options, Options.Create(new CustomerOptions()), TimeProvider.System)
            .IngestAsync(inputs.Select((x, n) => new ImportRow<InteractionInput>(n + 1, x)));
        Console.WriteLine($"  interactions {step.Elapsed.TotalSeconds:F0} s");
        step.Restart();

        var random = new Random(5);
        var kinds = Enum.GetValues<FeedbackKind>();
        var feedback = Enumerable.Range(0, Feedback).Select(n =>
        {
            var kind = kinds[random.Next(kinds.Length)];
            var interaction = random.Next(rows);
            return new FeedbackInput
            {
                ExternalId = $"f{n}",
                CustomerExternalId = $"c{random.Next(1, ImportBench.Customers + 1)}",
                InteractionExternalId = $"i{interaction}",
                Kind = kind,
                Score = kind switch { FeedbackKind.Nps => random.Next(0, 11), FeedbackKind.Csat => random.Next(1, 6), _ => random.Next(1, 8) },
                Comment = random.Next(3) == 0 ? "It took a while, but it was sorted in the end." : null,
                RespondedAt = start.AddMinutes(interaction + 30),
            };
        });
        await new FeedbackIngestor(target, TimeProvider.System, Options.Create(new CustomerOptions())).IngestAsync(feedback.Select((x, n) => new ImportRow<FeedbackInput>(n + 1, x)));
        Console.WriteLine($"  feedback {step.Elapsed.TotalSeconds:F0} s");
    }
}
