namespace Touchpoint.Storage.Bulk;

public enum ColumnType
{
    Text,
    Int,
    Long,
    Bool,
    Double,
    Timestamp,
}

public sealed record BulkColumn(string Name, ColumnType Type);

/// <summary>
/// A table as the bulk path writes it. <see cref="ConflictColumns"/> name the unique key that makes inserts
/// idempotent: rows whose key already exists are skipped, not duplicated.
/// </summary>
public sealed record BulkTable(string Name, BulkColumn[] Columns, string[] ConflictColumns)
{
    public int IndexOf(string column) => Array.FindIndex(Columns, c => c.Name == column);

    public static BulkColumn Text(string name) => new(name, ColumnType.Text);
    public static BulkColumn Int(string name) => new(name, ColumnType.Int);
    public static BulkColumn Long(string name) => new(name, ColumnType.Long);
    public static BulkColumn Bool(string name) => new(name, ColumnType.Bool);
    public static BulkColumn Double(string name) => new(name, ColumnType.Double);
    public static BulkColumn Timestamp(string name) => new(name, ColumnType.Timestamp);
}

/// <summary>
/// The engine-specific fast path for bulk import and derivations: prepared statements in one transaction on
/// SQLite, binary COPY through a staging table on PostgreSQL. Everything else goes through EF Core.
/// </summary>
public interface IBulkStore : IAsyncDisposable
{
    /// <summary>Inserts rows; returns, per row, the new id, or null when a row with the same key already existed.</summary>
    Task<long?[]> InsertAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken);

    /// <summary>Inserts rows without reading ids back (the fastest path; conflicts are skipped).</summary>
    Task InsertManyAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken);

    /// <summary>Updates rows by id: each row is the id followed by the values of <paramref name="table"/>'s columns.</summary>
    Task UpdateAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken);

    /// <summary>Deletes the rows whose <paramref name="keyColumn"/> is one of <paramref name="keys"/>.</summary>
    Task DeleteAsync(string tableName, string keyColumn, IReadOnlyList<long> keys, CancellationToken cancellationToken);

    /// <summary>
    /// Serialises writers that touch the same customers until this transaction ends, so concurrent ingestion on
    /// several nodes cannot interleave one customer's derivations (or deadlock). On PostgreSQL also bumps the
    /// locked stripes' versions and returns them as this transaction left them; SQLite returns none.
    /// </summary>
    Task<IReadOnlyList<(int Stripe, long Version)>> LockCustomersAsync(IEnumerable<long> customerIds, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="customerIds"/> are merged, and into whom (read under this transaction's locks).</summary>
    Task<Dictionary<long, long>> MergedIntoAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}

public static class BulkStore
{
    /// <summary>Opens a connection and begins the transaction every write of this store belongs to.</summary>
    public static async Task<IBulkStore> BeginAsync(DatabaseTarget target, CancellationToken cancellationToken) => target.Provider switch
    {
        DatabaseProvider.Sqlite => await SqliteBulkStore.OpenAsync(target.ConnectionString, cancellationToken),
        DatabaseProvider.Postgres => await PostgresBulkStore.OpenAsync(target.ConnectionString, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };

    /// <summary>Whether <paramref name="error"/> says the engine rolled the transaction back to break a deadlock (PostgreSQL 40P01).</summary>
    public static bool IsDeadlockVictim(Exception error) => error is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.DeadlockDetected };

    /// <summary>Which of <paramref name="customerIds"/> are merged, and into whom, as committed now (no locks).</summary>
    public static async Task<Dictionary<long, long>> MergedIntoAsync(DatabaseTarget target, IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken)
    {
        if (customerIds.Count == 0)
        {
            return [];
        }
        await using var connection = Connect(target);
        await connection.OpenAsync(cancellationToken);
        return await CustomerLocks.MergedIntoAsync(connection, null, customerIds, cancellationToken);
    }

    /// <summary>A plain connection (not opened) for reads outside EF Core.</summary>
    public static System.Data.Common.DbConnection Connect(DatabaseTarget target) => target.Provider switch
    {
        DatabaseProvider.Sqlite => new Microsoft.Data.Sqlite.SqliteConnection(target.ConnectionString),
        DatabaseProvider.Postgres => new Npgsql.NpgsqlConnection(target.ConnectionString),
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };

    /// <summary>
    /// Which of <paramref name="values"/> are stored in <paramref name="column"/> (which must be indexed): one
    /// statement, one index probe per value. Read outside any write transaction, so a caller may use it only to
    /// skip work, never in place of the idempotent insert.
    /// </summary>
    public static async Task<HashSet<string>> ExistingAsync(DatabaseTarget target, string tableName, string column, IReadOnlyCollection<string> values,
        CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (values.Count == 0)
        {
            return found;
        }
        await using (var connection = Connect(target))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            var parameter = command.CreateParameter();
            parameter.ParameterName = "values";
            if (target.Provider == DatabaseProvider.Sqlite)
            {
                command.CommandText = $"SELECT {column} FROM {tableName} WHERE {column} IN (SELECT value FROM json_each(@values))";
                parameter.Value = System.Text.Json.JsonSerializer.Serialize(values);
            }
            else
            {
                command.CommandText = $"SELECT {column} FROM {tableName} WHERE {column} = ANY(@values)";
                parameter.Value = values.ToArray();
            }
            command.Parameters.Add(parameter);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add(reader.GetString(0));
            }
        }
        return found;
    }
}
