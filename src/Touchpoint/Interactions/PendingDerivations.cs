using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;
using static Touchpoint.Storage.Bulk.BulkTable;

namespace Touchpoint.Interactions;

/// <summary>
/// Customers whose rows were written without being derived (table pending_derivations): an import marks them in the
/// transaction that writes such rows (another writer changed the customer mid-run, a row of theirs turned out to be
/// taken, a merge moved them) and derives them at its end. Every recomputation of a customer clears its mark, so a
/// mark outlives its import only when the import failed before its end; <see cref="InteractionDerivations.RecomputePendingAsync"/>
/// derives those.
/// </summary>
internal static class PendingDerivations
{
    private static readonly BulkTable Table = new("pending_derivations", [Long("customer_id"), Timestamp("marked_at")], ["customer_id"]);

    public static Task MarkAsync(IBulkStore store, IReadOnlyCollection<long> customerIds, DateTime now, CancellationToken cancellationToken) =>
        store.InsertManyAsync(Table, customerIds.Select(id => (object?[])[id, now]).ToList(), cancellationToken);

    public static Task ClearAsync(IBulkStore store, IReadOnlyList<long> customerIds, CancellationToken cancellationToken) =>
        store.DeleteAsync(Table.Name, "customer_id", customerIds, cancellationToken);

    /// <summary>The marked customers, those marked before <paramref name="markedBefore"/> if given.</summary>
    public static async Task<List<long>> ListAsync(DatabaseTarget target, DateTime? markedBefore, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        await using var connection = BulkStore.Connect(target);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT customer_id FROM pending_derivations" + (markedBefore is null ? "" : " WHERE marked_at < @before") + " ORDER BY customer_id";
        if (markedBefore is { } before)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "before";
            parameter.Value = DateTime.SpecifyKind(before, DateTimeKind.Utc);
            command.Parameters.Add(parameter);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }
}
