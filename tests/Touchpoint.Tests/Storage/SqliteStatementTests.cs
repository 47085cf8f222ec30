using Microsoft.Data.Sqlite;
using Touchpoint.Storage.Bulk;

namespace Touchpoint.Tests.Storage;

/// <summary>The bulk path binds through SQLite's C API; what it stores must be what Microsoft.Data.Sqlite (and so EF Core) stores.</summary>
public sealed class SqliteStatementTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"touchpoint-statement-{Guid.NewGuid():N}.db");
    private readonly SqliteConnection _connection;

    public SqliteStatementTests()
    {
        _connection = new SqliteConnection($"Data Source={_file};Pooling=False");
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, v ANY); CREATE TABLE plain (id INTEGER PRIMARY KEY, k TEXT, v ANY);";
        create.ExecuteNonQuery();
    }

    public static TheoryData<object?> Values() =>
    [
        null!, "", " ", "plain", "ünïcödé ✓ 😀", new string('x', 3000) + "é", 42L, -7, true, false, 3.25,
        new DateTime(2026, 11, 25, 18, 4, 5, DateTimeKind.Utc), new DateTime(2026, 11, 25, 18, 4, 5, 123, DateTimeKind.Utc).AddTicks(4567),
        new DateTime(2026, 11, 25, 18, 4, 5, 120, DateTimeKind.Utc), new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1),
        new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Utc), DateTime.MaxValue, new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Local),
        new DateTime(999, 12, 31, 23, 59, 59, DateTimeKind.Unspecified),
        new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(3)),
    ];

    [Theory, MemberData(nameof(Values))]
    public void Execute_StoresTheValueAsMicrosoftDataSqliteDoes(object? value)
    {
        using (var statement = new SqliteStatement(_connection, "INSERT INTO t (k, v) VALUES (?1, ?2)"))
        {
            Assert.Equal(1, statement.Execute(["a", value]));
            Assert.Equal(1, statement.LastInsertRowId);
        }
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "INSERT INTO plain (k, v) VALUES ($k, $v)";
            command.Parameters.AddWithValue("$k", "a");
            command.Parameters.AddWithValue("$v", value ?? DBNull.Value);
            command.ExecuteNonQuery();
        }

        using var read = _connection.CreateCommand();
        read.CommandText = "SELECT typeof(t.v), quote(t.v), typeof(p.v), quote(p.v) FROM t, plain p";
        using var reader = read.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(reader.GetString(2), reader.GetString(0));
        Assert.Equal(reader.GetString(3), reader.GetString(1));
    }

    [Fact]
    public void Execute_ConflictIgnored_ChangesNothing_AndErrorsSurfaceAsSqliteException()
    {
        using var statement = new SqliteStatement(_connection, "INSERT INTO t (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO NOTHING");
        Assert.Equal(1, statement.Execute(["a", 1L]));
        Assert.Equal(0, statement.Execute(["a", 2L]));
        Assert.Equal(1, statement.Execute(["b", 3L]));

        using var strict = new SqliteStatement(_connection, "INSERT INTO t (k, v) VALUES (?1, ?2)");
        var error = Assert.Throws<SqliteException>(() => strict.Execute(["a", 4L]));
        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT
        // The statement is reset after the failure and can run again.
        Assert.Equal(1, strict.Execute(["c", 5L]));
        Assert.Throws<NotSupportedException>(() => strict.Execute(["d", Guid.NewGuid()]));
    }

    public void Dispose()
    {
        _connection.Dispose();
        File.Delete(_file);
    }
}
