using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Touchpoint.Storage;

namespace Touchpoint.Tests.Infrastructure;

/// <summary>The providers every database test runs on: use with <c>[Theory, ClassData(typeof(Providers))]</c>.</summary>
public sealed class Providers : TheoryData<DatabaseProvider>
{
    public Providers()
    {
        Add(DatabaseProvider.Sqlite);
        Add(DatabaseProvider.Postgres);
    }
}

/// <summary>
/// A fresh, migrated database for one test: a SQLite file copied from a migrated template, or a PostgreSQL
/// database cloned from a migrated template database. Dropped when the test ends.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static string? _sqliteTemplate;
    private static bool _postgresTemplateReady;

    private readonly Func<ValueTask> _drop;

    private TestDatabase(DatabaseTarget target, Func<ValueTask> drop)
    {
        Target = target;
        _drop = drop;
    }

    public DatabaseTarget Target { get; }
    public DatabaseProvider Provider => Target.Provider;

    public TouchpointDb CreateDb() => StorageServices.CreateDb(Target);

    /// <summary>A database with no schema at all, for migration tests.</summary>
    public static async Task<TestDatabase> CreateEmptyAsync(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            var file = Path.Combine(Path.GetTempPath(), "touchpoint-tests", $"{Guid.NewGuid():N}.db");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            return new TestDatabase(new DatabaseTarget(DatabaseProvider.Sqlite, $"Data Source={file}"), () =>
            {
                SqliteConnection.ClearAllPools();
                foreach (var f in new[] { file, file + "-wal", file + "-shm" })
                {
                    File.Delete(f);
                }
                return ValueTask.CompletedTask;
            });
        }
        var server = await RequirePostgresAsync();
        var name = "e_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(server, $"CREATE DATABASE {name}");
        var target = new DatabaseTarget(DatabaseProvider.Postgres, server.ConnectionString(name));
        return new TestDatabase(target, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        });
    }

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        return provider switch
        {
            DatabaseProvider.Sqlite => await CreateSqliteAsync(),
            DatabaseProvider.Postgres => await CreatePostgresAsync(),
            _ => throw new ArgumentOutOfRangeException(nameof(provider)),
        };
    }

    /// <summary>Skips the test when PostgreSQL is not installed, except in CI, where its absence is a failure.</summary>
    public static async Task<PostgresServer> RequirePostgresAsync()
    {
        var server = await TestContext.Current.GetFixture<PostgresServer>()
            ?? throw new InvalidOperationException("PostgresServer assembly fixture is not registered.");
        if (server.UnavailableReason is { } reason)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail("CI must run the PostgreSQL tests: " + reason);
            }
            Assert.Skip(reason);
        }
        return server;
    }

    private static async Task<TestDatabase> CreateSqliteAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "touchpoint-tests");
        Directory.CreateDirectory(folder);
        await TemplateLock.WaitAsync();
        try
        {
            if (_sqliteTemplate is null)
            {
                var template = Path.Combine(folder, $"template-{Environment.ProcessId}-{Guid.NewGuid():N}.db");
                await using (var db = StorageServices.CreateDb(new DatabaseTarget(DatabaseProvider.Sqlite, $"Data Source={template};Pooling=false")))
                {
                    await db.Database.MigrateAsync();
                }
                _sqliteTemplate = template;
                // One template per test process: gone with it, so runs do not pile them up in the temp folder.
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    SqliteConnection.ClearAllPools();
                    File.Delete(template);
                };
            }
        }
        finally
        {
            TemplateLock.Release();
        }
        var file = Path.Combine(folder, $"{Guid.NewGuid():N}.db");
        File.Copy(_sqliteTemplate, file);
        var target = new DatabaseTarget(DatabaseProvider.Sqlite, $"Data Source={file}");
        return new TestDatabase(target, () =>
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" })
            {
                if (File.Exists(f))
                {
                    File.Delete(f);
                }
            }
            return ValueTask.CompletedTask;
        });
    }

    private static async Task<TestDatabase> CreatePostgresAsync()
    {
        var server = await RequirePostgresAsync();
        await TemplateLock.WaitAsync();
        try
        {
            if (!_postgresTemplateReady)
            {
                // A language's collation, as most production databases have (en_US, ICU), not the server's C.UTF-8:
                // code that assumes strings compare by code point fails here as it would there.
                await ExecuteAsync(server, "CREATE DATABASE tp_template TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'");
                await using (var db = StorageServices.CreateDb(new DatabaseTarget(DatabaseProvider.Postgres, server.ConnectionString("tp_template") + ";Pooling=false")))
                {
                    await db.Database.MigrateAsync();
                }
                _postgresTemplateReady = true;
            }
        }
        finally
        {
            TemplateLock.Release();
        }
        var name = "t_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(server, $"CREATE DATABASE {name} TEMPLATE tp_template");
        var target = new DatabaseTarget(DatabaseProvider.Postgres, server.ConnectionString(name));
        return new TestDatabase(target, async () =>
        {
            await using var conn = new NpgsqlConnection(target.ConnectionString);
            NpgsqlConnection.ClearPool(conn);
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        });
    }

    private static async Task ExecuteAsync(PostgresServer server, string sql)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString("postgres") + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => _drop();
}
