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
        // Foreign keys checked, as on every connection of the bundled SQLite (and ON DELETE SET NULL applied). Saying so
        // also gives bulk writers a connection pool of their own, so one import's batches keep reusing one connection
        // and its page cache, instead of a connection whose cache a reader's visit left cold.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = true }.ConnectionString);
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

    public Task<long?[]> InsertAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var ids = new long?[rows.Count];
        using var statement = new SqliteStatement(_connection, InsertSql(table));
        for (var r = 0; r < rows.Count; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The rowid straight from the engine: much cheaper than RETURNING, which opens a reader per row.
            ids[r] = statement.Execute(rows[r]) == 1 ? statement.LastInsertRowId : null;
        }
        return Task.FromResult(ids);
    }

    public Task InsertManyAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken) =>
        ExecuteAsync(InsertSql(table), rows, cancellationToken);

    public Task UpdateAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("UPDATE ").Append(table.Name).Append(" SET ");
        for (var i = 0; i < table.Columns.Length; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(table.Columns[i].Name).Append(" = ?").Append(i + 2);
        }
        // The row is the id followed by the columns' values.
        sql.Append(" WHERE id = ?1");
        return ExecuteAsync(sql.ToString(), rows, cancellationToken);
    }

    public Task DeleteAsync(string tableName, string keyColumn, IReadOnlyList<long> keys, CancellationToken cancellationToken) =>
        ExecuteAsync($"DELETE FROM {tableName} WHERE {keyColumn} = ?1", keys.Select(key => new object?[] { key }).ToList(), cancellationToken);

    // The transaction began IMMEDIATE: SQLite already lets one writer at a time in. Only the stripes' versions to bump.
    public Task<IReadOnlyList<(int Stripe, long Version)>> LockCustomersAsync(IEnumerable<long> customerIds, CancellationToken cancellationToken) =>
        CustomerLocks.LockAsync(_connection, _transaction, customerIds, cancellationToken);

    public Task<Dictionary<long, long>> MergedIntoAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        CustomerLocks.MergedIntoAsync(_connection, _transaction, customerIds, cancellationToken);

    public Task CommitAsync(CancellationToken cancellationToken) => _transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private Task ExecuteAsync(string sql, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return Task.CompletedTask;
        }
        using var statement = new SqliteStatement(_connection, sql);
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            statement.Execute(row);
        }
        return Task.CompletedTask;
    }

    private static string InsertSql(BulkTable table)
    {
        var sql = new StringBuilder("INSERT INTO ").Append(table.Name).Append(" (");
        sql.AppendJoin(", ", table.Columns.Select(c => c.Name)).Append(") VALUES (");
        sql.AppendJoin(", ", table.Columns.Select((_, i) => "?" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))).Append(')');
        if (table.ConflictColumns.Length > 0)
        {
            sql.Append(" ON CONFLICT (").AppendJoin(", ", table.ConflictColumns).Append(") DO NOTHING");
        }
        return sql.ToString();
    }
}
