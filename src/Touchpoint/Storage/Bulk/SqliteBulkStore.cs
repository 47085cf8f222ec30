using System.Text;
using Microsoft.Data.Sqlite;

namespace Touchpoint.Storage.Bulk;

internal sealed class SqliteBulkStore : IBulkStore
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;

    private SqliteBulkStore(SqliteConnection connection, SqliteTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public static async Task<SqliteBulkStore> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var pragma = connection.CreateCommand())
        {
            // WAL lets readers (the web UI) go on while an import writes; NORMAL is durable at each commit in WAL mode.
            // A large page cache keeps the unique and secondary indexes in memory while a big batch lands.
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        var transaction = connection.BeginTransaction(deferred: false);
        return new SqliteBulkStore(connection, transaction);
    }

    public async Task<long?[]> InsertAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var ids = new long?[rows.Count];
        await using var command = Prepare(InsertSql(table), table.Columns.Length);
        for (var r = 0; r < rows.Count; r++)
        {
            Bind(command, rows[r]);
            // Reading the rowid straight from the engine is much cheaper than RETURNING, which opens a reader per row.
            var inserted = await command.ExecuteNonQueryAsync(cancellationToken);
            ids[r] = inserted == 1 ? SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Handle) : null;
        }
        return ids;
    }

    public async Task InsertManyAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        await using var command = Prepare(InsertSql(table), table.Columns.Length);
        foreach (var row in rows)
        {
            Bind(command, row);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task UpdateAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("UPDATE ").Append(table.Name).Append(" SET ");
        for (var i = 0; i < table.Columns.Length; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(table.Columns[i].Name).Append(" = $p").Append(i + 1);
        }
        sql.Append(" WHERE id = $p0");
        await using var command = Prepare(sql.ToString(), table.Columns.Length + 1, firstIndex: 0);
        foreach (var row in rows)
        {
            Bind(command, row);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task DeleteAsync(string tableName, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        await using var command = Prepare($"DELETE FROM {tableName} WHERE id = $p0", 1, firstIndex: 0);
        foreach (var id in ids)
        {
            command.Parameters[0].Value = id;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    // The transaction began IMMEDIATE: SQLite already lets one writer at a time in.
    public Task LockCustomersAsync(IEnumerable<long> customerIds, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CommitAsync(CancellationToken cancellationToken) => _transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private static string InsertSql(BulkTable table)
    {
        var sql = new StringBuilder("INSERT INTO ").Append(table.Name).Append(" (");
        sql.AppendJoin(", ", table.Columns.Select(c => c.Name)).Append(") VALUES (");
        sql.AppendJoin(", ", table.Columns.Select((_, i) => "$p" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))).Append(')');
        if (table.ConflictColumns.Length > 0)
        {
            sql.Append(" ON CONFLICT (").AppendJoin(", ", table.ConflictColumns).Append(") DO NOTHING");
        }
        return sql.ToString();
    }

    private SqliteCommand Prepare(string sql, int parameterCount, int firstIndex = 1)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        for (var i = 0; i < parameterCount; i++)
        {
            command.Parameters.Add(new SqliteParameter("$p" + (i + firstIndex).ToString(System.Globalization.CultureInfo.InvariantCulture), null));
        }
        command.Prepare();
        return command;
    }

    private static void Bind(SqliteCommand command, object?[] row)
    {
        for (var i = 0; i < row.Length; i++)
        {
            command.Parameters[i].Value = row[i] ?? DBNull.Value;
        }
    }
}
