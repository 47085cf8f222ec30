using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Touchpoint.Storage;

public static class StorageServices
{
    /// <summary>Registers <see cref="TouchpointDb"/> for the configured provider.</summary>
    public static IServiceCollection AddTouchpointStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        var connectionString = configuration.GetConnectionString("Touchpoint") ?? options.ConnectionString;
        switch (options.Provider)
        {
            case DatabaseProvider.Sqlite:
                EnsureSqliteFolder(connectionString);
                services.AddDbContext<TouchpointDb, SqliteTouchpointDb>(o => ConfigureSqlite(o, connectionString));
                break;
            case DatabaseProvider.Postgres:
                services.AddDbContext<TouchpointDb, PostgresTouchpointDb>(o => ConfigurePostgres(o, connectionString));
                break;
        }
        services.AddSingleton(new DatabaseTarget(options.Provider, connectionString));
        return services;
    }

    public static void ConfigureSqlite(DbContextOptionsBuilder o, string connectionString) =>
        Warnings(o).UseSqlite(connectionString, s => s.MigrationsHistoryTable("__ef_migrations"));

    public static void ConfigurePostgres(DbContextOptionsBuilder o, string connectionString) =>
        Warnings(o).UseNpgsql(connectionString, s => s.MigrationsHistoryTable("__ef_migrations"));

    /// <summary>
    /// The one query that limits rows without an order is the interaction list's capped count (how many of the first
    /// 10,001 matches there are), where order cannot change the answer; ordering it would make the database sort every
    /// match. EF warned about it at every list load; the warning is logged at debug level instead.
    /// </summary>
    private static DbContextOptionsBuilder Warnings(DbContextOptionsBuilder o) =>
        o.ConfigureWarnings(w => w.Log((CoreEventId.RowLimitingOperationWithoutOrderByWarning, LogLevel.Debug)));

    // Any fixed numbers: the keys of the session locks every node takes around start-up work ("Touchpt", "TouchSt" in ASCII).
    private const long MigrationLockKey = 0x546F7563685074;
    private const long StartupLockKey = 0x546F7563685374;

    /// <summary>
    /// Applies pending migrations, safe when several nodes start at once. EF Core's own migration lock on PostgreSQL
    /// lives only as long as each migration's transaction, so with two pending migrations a second node could apply
    /// the second one between the first node's two and the first node then fail on it; one session lock held
    /// around the whole run makes the nodes take turns.
    /// </summary>
    public static Task MigrateAsync(TouchpointDb db, CancellationToken cancellationToken) =>
        ExclusiveAsync(db, MigrationLockKey, async () =>
        {
            await db.Database.MigrateAsync(cancellationToken);
            await Customers.CustomerNames.FillMissingAsync(db, cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> while no other node runs start-up work (the cookie key ring, demo data): nodes starting
    /// together on an empty database take turns, so the second one finds what the first one made instead of making its own.
    /// </summary>
    public static Task StartupExclusiveAsync(TouchpointDb db, Func<Task> work, CancellationToken cancellationToken) =>
        ExclusiveAsync(db, StartupLockKey, work, cancellationToken);

    /// <inheritdoc cref="StartupExclusiveAsync(TouchpointDb, Func{Task}, CancellationToken)"/>
    public static async Task<T> StartupExclusiveAsync<T>(TouchpointDb db, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        T result = default!;
        await ExclusiveAsync(db, StartupLockKey, async () => result = await work(), cancellationToken);
        return result;
    }

    /// <summary>
    /// <paramref name="work"/> under a PostgreSQL session lock on <paramref name="db"/>'s connection (held across the
    /// transactions the work commits); on SQLite, whose file one server owns, it simply runs.
    /// </summary>
    private static async Task ExclusiveAsync(TouchpointDb db, long key, Func<Task> work, CancellationToken cancellationToken)
    {
        if (db.Provider != DatabaseProvider.Postgres)
        {
            await work();
            return;
        }
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({key})", cancellationToken);
            try
            {
                await work();
            }
            finally
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({key})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Builds a context without a container, for tools, benchmarks and tests.</summary>
    public static TouchpointDb CreateDb(DatabaseTarget target)
    {
        switch (target.Provider)
        {
            case DatabaseProvider.Sqlite:
            {
                EnsureSqliteFolder(target.ConnectionString);
                var b = new DbContextOptionsBuilder<SqliteTouchpointDb>();
                ConfigureSqlite(b, target.ConnectionString);
                return new SqliteTouchpointDb(b.Options);
            }
            case DatabaseProvider.Postgres:
            {
                var b = new DbContextOptionsBuilder<PostgresTouchpointDb>();
                ConfigurePostgres(b, target.ConnectionString);
                return new PostgresTouchpointDb(b.Options);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(target));
        }
    }

    private static void EnsureSqliteFolder(string connectionString)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(folder) && file != ":memory:")
        {
            Directory.CreateDirectory(folder);
        }
    }
}

/// <summary>The provider and connection string in force, for code that talks to the engine directly (bulk import).</summary>
public sealed record DatabaseTarget(DatabaseProvider Provider, string ConnectionString);
