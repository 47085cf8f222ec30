using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
        o.UseSqlite(connectionString, s => s.MigrationsHistoryTable("__ef_migrations"));

    public static void ConfigurePostgres(DbContextOptionsBuilder o, string connectionString) =>
        o.UseNpgsql(connectionString, s => s.MigrationsHistoryTable("__ef_migrations"));

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
