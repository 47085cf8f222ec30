using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Touchpoint.Storage;

namespace Touchpoint.Demo;

/// <summary>Demo data options, bound from the "Demo" configuration section.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Fill an empty database with demo data at start-up. Unset means: yes on SQLite, no on PostgreSQL.</summary>
    public bool? SeedWhenEmpty { get; set; }

    public int Customers { get; set; } = DemoSize.Default.Customers;
}

public static partial class DemoSeeder
{
    /// <summary>
    /// Seeds demo data when the options ask for it and the database has no customers yet. Nodes starting together take
    /// turns: each looks for customers only once the one before it has finished, so the data set is made once.
    /// </summary>
    public static async Task<DemoSummary?> SeedIfEmptyAsync(TouchpointDb db, DemoDataGenerator generator, DemoOptions options, ILogger logger,
        CancellationToken cancellationToken)
    {
        if (!(options.SeedWhenEmpty ?? db.Provider == DatabaseProvider.Sqlite))
        {
            return null;
        }
        DemoSummary? summary = null;
        await StorageServices.StartupExclusiveAsync(db, async () =>
        {
            if (await db.Customers.AnyAsync(cancellationToken))
            {
                return;
            }
            LogSeeding(logger, options.Customers);
            summary = await generator.GenerateAsync(DemoSize.Default with { Customers = options.Customers }, cancellationToken: cancellationToken);
            LogSeeded(logger, summary.Customers, summary.Interactions, summary.Cases, summary.Feedback, summary.Elapsed.TotalSeconds);
        }, cancellationToken);
        return summary;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Empty database: generating demo data for {Customers} customers (Demo:SeedWhenEmpty=false turns this off)")]
    private static partial void LogSeeding(ILogger logger, int customers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data ready: {Customers} customers, {Interactions} interactions, {Cases} cases, {Feedback} feedback responses in {Seconds:F1} s")]
    private static partial void LogSeeded(ILogger logger, long customers, long interactions, long cases, long feedback, double seconds);
}
