using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using static Touchpoint.Tests.Infrastructure.Ingest;

namespace Touchpoint.Tests.Storage;

/// <summary>What EF Core logs while the pages' queries run: an operator should see warnings only for something to act on.</summary>
public sealed class QueryWarningsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Captured : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, eventId, formatter(state, exception)));

        public void Dispose()
        {
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task TheInteractionList_ItsCappedCountIncluded_LogsNoWarning(DatabaseProvider provider)
    {
        // Its count of the first 10,001 matches limits rows without an order, which cannot change a count; EF warned
        // "unpredictable results" at every load of the list.
        await using var database = await TestDatabase.CreateAsync(provider);
        await InteractionsAsync(database, [Contact("call-1", "c-1", Channel.Phone, T0, "billing")]);
        var captured = new Captured();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(captured).SetMinimumLevel(LogLevel.Trace));
        DbContextOptionsBuilder options = provider == DatabaseProvider.Sqlite
            ? new DbContextOptionsBuilder<SqliteTouchpointDb>() : new DbContextOptionsBuilder<PostgresTouchpointDb>();
        if (provider == DatabaseProvider.Sqlite)
        {
            StorageServices.ConfigureSqlite(options, database.Target.ConnectionString);
        }
        else
        {
            StorageServices.ConfigurePostgres(options, database.Target.ConnectionString);
        }
        options.UseLoggerFactory(loggers);
        await using TouchpointDb db = provider == DatabaseProvider.Sqlite
            ? new SqliteTouchpointDb((DbContextOptions<SqliteTouchpointDb>)options.Options)
            : new PostgresTouchpointDb((DbContextOptions<PostgresTouchpointDb>)options.Options);

        var page = await new InteractionSearch(db).SearchAsync(new InteractionQuery(Channel: Channel.Phone), Ct);

        Assert.Equal(1, page.Total);
        Assert.Contains(captured.Entries, e => e.Message.Contains("SELECT", StringComparison.Ordinal));
        var warnings = captured.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => $"{e.Id}: {e.Message}").ToList();
        Assert.True(warnings.Count == 0, string.Join("\n", warnings));
    }
}
