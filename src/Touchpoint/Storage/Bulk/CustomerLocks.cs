using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Touchpoint.Storage.Bulk;

/// <summary>
/// What every writer of customers' timelines (ingest batches, recompute, merge) does first in its transaction. On
/// PostgreSQL it takes transaction-scoped advisory locks on stripes of customer ids, always in ascending order so two
/// writers cannot deadlock (striping keeps a large batch within the server's lock table); SQLite has one writer at a
/// time and needs none. On both engines it then bumps each stripe's version (table timeline_stripes), so a long import
/// can tell who else wrote its customers (see <see cref="BulkWriter"/>).
/// </summary>
public static class CustomerLocks
{
    private const int Space = 0x54500001;
    public const int StripeCount = 256;

    private const string LockSql = "SELECT count(pg_advisory_xact_lock(@space, s)) FROM (SELECT unnest(@stripes) AS s ORDER BY 1) AS ordered";
    private const string PostgresBumpSql = "UPDATE timeline_stripes SET version = version + 1 WHERE stripe = ANY(@stripes) RETURNING stripe, version";
    private const string SqliteBumpSql = "UPDATE timeline_stripes SET version = version + 1 WHERE stripe IN (SELECT value FROM json_each(@stripes)) RETURNING stripe, version";

    public static int Stripe(long customerId) => (int)(customerId % StripeCount);

    public static int[] Stripes(IEnumerable<long> customerIds) => customerIds.Select(Stripe).Distinct().Order().ToArray();

    /// <summary>
    /// Locks the customers' stripes (PostgreSQL) and bumps their versions, inside <paramref name="transaction"/>;
    /// returns each stripe's version as this transaction left it. The versions change only under the locks (SQLite:
    /// the write lock), so their rows cannot deadlock either.
    /// </summary>
    public static async Task<IReadOnlyList<(int Stripe, long Version)>> LockAsync(DbConnection connection, DbTransaction transaction,
        IEnumerable<long> customerIds, CancellationToken cancellationToken)
    {
        var stripes = Stripes(customerIds);
        var versions = new List<(int, long)>(stripes.Length);
        if (stripes.Length == 0)
        {
            return versions;
        }
        await using var bump = connection.CreateCommand();
        bump.Transaction = transaction;
        if (connection is NpgsqlConnection)
        {
            await using (var locks = connection.CreateCommand())
            {
                locks.Transaction = transaction;
                locks.CommandText = LockSql;
                locks.Parameters.Add(new NpgsqlParameter("space", Space));
                locks.Parameters.Add(new NpgsqlParameter("stripes", stripes));
                await locks.ExecuteScalarAsync(cancellationToken);
            }
            bump.CommandText = PostgresBumpSql;
            bump.Parameters.Add(new NpgsqlParameter("stripes", stripes));
        }
        else
        {
            bump.CommandText = SqliteBumpSql;
            bump.Parameters.Add(new SqliteParameter("@stripes", System.Text.Json.JsonSerializer.Serialize(stripes)));
        }
        await using var reader = await bump.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add((reader.GetInt32(0), reader.GetInt64(1)));
        }
        return versions;
    }

    /// <summary>
    /// Which of <paramref name="customerIds"/> a merge has made pointers, and the profile each now points at; read
    /// inside <paramref name="transaction"/>, after <see cref="LockAsync"/>, so no merge of them can commit until it ends.
    /// </summary>
    public static async Task<Dictionary<long, long>> MergedIntoAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<long> customerIds,
        CancellationToken cancellationToken)
    {
        var merged = new Dictionary<long, long>();
        if (customerIds.Count == 0)
        {
            return merged;
        }
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        if (connection is NpgsqlConnection)
        {
            command.CommandText = "SELECT id, merged_into_id FROM customers WHERE id = ANY(@ids) AND merged_into_id IS NOT NULL";
            command.Parameters.Add(new NpgsqlParameter("ids", customerIds.ToArray()));
        }
        else
        {
            command.CommandText = "SELECT id, merged_into_id FROM customers WHERE id IN (SELECT value FROM json_each(@ids)) AND merged_into_id IS NOT NULL";
            command.Parameters.Add(new SqliteParameter("@ids", System.Text.Json.JsonSerializer.Serialize(customerIds)));
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            merged[reader.GetInt64(0)] = reader.GetInt64(1);
        }
        return merged;
    }
}
