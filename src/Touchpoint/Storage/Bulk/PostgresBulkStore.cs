using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Touchpoint.Storage.Bulk;

internal sealed class PostgresBulkStore : IBulkStore
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private int _stageCounter;

    private PostgresBulkStore(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public static async Task<PostgresBulkStore> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        return new PostgresBulkStore(connection, transaction);
    }

    public async Task<long?[]> InsertAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var ids = new long?[rows.Count];
        if (rows.Count == 0)
        {
            return ids;
        }
        if (await TryCopyNewAsync(table, rows, ids, cancellationToken))
        {
            return ids;
        }
        var stage = await StageAsync(table, table.Columns, rows, cancellationToken);
        // COPY cannot skip conflicts, so rows land in a staging table first and move over with ON CONFLICT DO NOTHING.
        // The key columns come back with each new id so the ids can be matched to the input rows.
        var keyIndexes = table.ConflictColumns.Select(table.IndexOf).ToArray();
        var byKey = new Dictionary<string, int>(rows.Count, StringComparer.Ordinal);
        for (var r = 0; r < rows.Count; r++)
        {
            byKey.TryAdd(Key(keyIndexes.Select(i => rows[r][i])), r);
        }
        var columns = string.Join(", ", table.Columns.Select(c => c.Name));
        var sql = $"INSERT INTO {table.Name} ({columns}) SELECT {columns} FROM {stage} ON CONFLICT ({string.Join(", ", table.ConflictColumns)}) DO NOTHING RETURNING id, {string.Join(", ", table.ConflictColumns)}";
        await using var command = new NpgsqlCommand(sql, _connection, _transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = Key(Enumerable.Range(1, keyIndexes.Length).Select(reader.GetValue));
            if (byKey.TryGetValue(key, out var r))
            {
                ids[r] = reader.GetInt64(0);
            }
        }
        return ids;
    }

    /// <summary>
    /// The fast path for rows that are expected to be new (callers drop known duplicates first): ids drawn from the
    /// table's sequence, then one COPY straight into the table. A key that exists after all (another writer was
    /// quicker) fails the COPY; the savepoint undoes it and the caller takes the staging path. Returns whether it worked.
    /// </summary>
    private async Task<bool> TryCopyNewAsync(BulkTable table, IReadOnlyList<object?[]> rows, long?[] ids, CancellationToken cancellationToken)
    {
        await ExecuteAsync("SAVEPOINT copy_new", cancellationToken);
        try
        {
            await using (var command = new NpgsqlCommand($"SELECT nextval(pg_get_serial_sequence('{table.Name}', 'id')) FROM generate_series(1, @n)", _connection, _transaction))
            {
                command.Parameters.AddWithValue("n", rows.Count);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                for (var r = 0; await reader.ReadAsync(cancellationToken); r++)
                {
                    ids[r] = reader.GetInt64(0);
                }
            }
            var columns = new[] { BulkTable.Long("id") }.Concat(table.Columns).ToArray();
            await CopyAsync(table.Name, columns, rows.Select((row, r) => (object?[])[ids[r], .. row]).ToList(), cancellationToken);
            await ExecuteAsync("RELEASE SAVEPOINT copy_new", cancellationToken);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await ExecuteAsync("ROLLBACK TO SAVEPOINT copy_new", cancellationToken);
            Array.Clear(ids);
            return false;
        }
    }

    public async Task InsertManyAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        if (table.ConflictColumns.Length == 0)
        {
            await CopyAsync(table.Name, table.Columns, rows, cancellationToken);
            return;
        }
        var stage = await StageAsync(table, table.Columns, rows, cancellationToken);
        var columns = string.Join(", ", table.Columns.Select(c => c.Name));
        await ExecuteAsync($"INSERT INTO {table.Name} ({columns}) SELECT {columns} FROM {stage} ON CONFLICT ({string.Join(", ", table.ConflictColumns)}) DO NOTHING", cancellationToken);
    }

    public async Task UpdateAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var columns = new[] { BulkTable.Long("id") }.Concat(table.Columns).ToArray();
        var stage = await StageAsync(table, columns, rows, cancellationToken);
        var set = string.Join(", ", table.Columns.Select(c => $"{c.Name} = s.{c.Name}"));
        await ExecuteAsync($"UPDATE {table.Name} t SET {set} FROM {stage} s WHERE t.id = s.id", cancellationToken);
    }

    public async Task DeleteAsync(string tableName, string keyColumn, IReadOnlyList<long> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }
        await using var command = new NpgsqlCommand($"DELETE FROM {tableName} WHERE {keyColumn} = ANY(@keys)", _connection, _transaction);
        command.Parameters.AddWithValue("keys", keys.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

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

    private async Task<string> StageAsync(BulkTable table, BulkColumn[] columns, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var stage = $"stage_{table.Name}_{++_stageCounter}";
        await ExecuteAsync($"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {string.Join(", ", columns.Select(c => c.Name))} FROM {table.Name} WITH NO DATA", cancellationToken);
        await CopyAsync(stage, columns, rows, cancellationToken);
        return stage;
    }

    private async Task CopyAsync(string tableName, BulkColumn[] columns, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("COPY ").Append(tableName).Append(" (").AppendJoin(", ", columns.Select(c => c.Name)).Append(") FROM STDIN (FORMAT BINARY)");
        await using var importer = await _connection.BeginBinaryImportAsync(sql.ToString(), cancellationToken);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            for (var i = 0; i < columns.Length; i++)
            {
                var value = row[i];
                if (value is null)
                {
                    await importer.WriteNullAsync(cancellationToken);
                    continue;
                }
                switch (columns[i].Type)
                {
                    case ColumnType.Text: await importer.WriteAsync((string)value, NpgsqlDbType.Text, cancellationToken); break;
                    case ColumnType.Int: await importer.WriteAsync((int)value, NpgsqlDbType.Integer, cancellationToken); break;
                    case ColumnType.Long: await importer.WriteAsync((long)value, NpgsqlDbType.Bigint, cancellationToken); break;
                    case ColumnType.Bool: await importer.WriteAsync((bool)value, NpgsqlDbType.Boolean, cancellationToken); break;
                    case ColumnType.Double: await importer.WriteAsync((double)value, NpgsqlDbType.Double, cancellationToken); break;
                    case ColumnType.Timestamp: await importer.WriteAsync((DateTime)value, NpgsqlDbType.TimestampTz, cancellationToken); break;
                }
            }
        }
        await importer.CompleteAsync(cancellationToken);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, _connection, _transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Key(IEnumerable<object?> values) =>
        string.Join('\u001f', values.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)));
}
