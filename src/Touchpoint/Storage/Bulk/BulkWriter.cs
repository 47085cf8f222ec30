namespace Touchpoint.Storage.Bulk;

/// <summary>
/// One run's writer: a transaction per batch, and a way to tell, once a batch's transaction holds its locks, whether
/// another writer wrote any of the run's customers since the run last heard (and which), so a run can read and derive
/// outside its locks and derive again only what another writer may have changed. Every writer of customers' timelines
/// (ingestion, recompute, merge; the server's API, another import, another node) bumps the versions of its customers'
/// lock stripes under its locks (<see cref="CustomerLocks"/>, table timeline_stripes). The writer remembers the
/// version its own last write left on each stripe; a stripe it has not written must still have the version read by
/// the batch's <see cref="ReadMark"/>. A changed stripe concerns the customers on it (one in 256).
/// </summary>
public sealed class BulkWriter(DatabaseTarget target)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, long> _stripeVersions = [];

    /// <summary>What a batch notes before it reads anything; see <see cref="BeginAsync"/>.</summary>
    public sealed record ReadMark(IReadOnlyDictionary<int, long> StripeVersions);

    /// <summary>Notes the stripes' versions before a batch reads anything from the store. Safe beside a write.</summary>
    public async Task<ReadMark> MarkAsync(CancellationToken cancellationToken)
    {
        var versions = new Dictionary<int, long>();
        await using (var connection = BulkStore.Connect(target))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT stripe, version FROM timeline_stripes";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                versions[reader.GetInt32(0)] = reader.GetInt64(1);
            }
        }
        return new ReadMark(versions);
    }

    /// <summary>
    /// Begins a transaction and locks <paramref name="customerIds"/> (SQLite: the write lock). Returns it with which
    /// customers another writer may have written since the run last heard of it (null: nobody), judged against
    /// <paramref name="mark"/>, taken before the batch read anything, for the stripes the run has not written itself.
    /// Once the returned store commits, the writer counts those writes as heard of (the caller must see to the customers
    /// they concern) and this write's bumps as its own; a store disposed without committing (rolled back, say as a
    /// deadlock's victim) changes nothing the writer remembers, so a second attempt hears the same again.
    /// </summary>
    public async Task<(IBulkStore Store, Func<long, bool>? OthersWrote)> BeginAsync(IEnumerable<long> customerIds, ReadMark mark,
        CancellationToken cancellationToken)
    {
        var store = await BulkStore.BeginAsync(target, cancellationToken);
        try
        {
            var bumped = await store.LockCustomersAsync(customerIds, cancellationToken);
            lock (_gate)
            {
                // Before this transaction's bump, each stripe must stand where this run's last write left it, or, if
                // this run has not written it, where the mark read it.
                var changed = bumped.Where(b => (_stripeVersions.TryGetValue(b.Stripe, out var known)
                    ? known : mark.StripeVersions.GetValueOrDefault(b.Stripe, -1)) != b.Version - 1).Select(b => b.Stripe).ToHashSet();
                return (new Committing(store, () => Remember(bumped)), changed.Count == 0 ? null : id => changed.Contains(CustomerLocks.Stripe(id)));
            }
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    private void Remember(IReadOnlyList<(int Stripe, long Version)> bumped)
    {
        lock (_gate)
        {
            foreach (var (stripe, version) in bumped)
            {
                _stripeVersions[stripe] = version;
            }
        }
    }

    /// <summary>The write's store; its commit makes the write's stripe versions the run's own.</summary>
    private sealed class Committing(IBulkStore inner, Action committed) : IBulkStore
    {
        public Task<long?[]> InsertAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken) =>
            inner.InsertAsync(table, rows, cancellationToken);

        public Task InsertManyAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken) =>
            inner.InsertManyAsync(table, rows, cancellationToken);

        public Task UpdateAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken) =>
            inner.UpdateAsync(table, rows, cancellationToken);

        public Task DeleteAsync(string tableName, string keyColumn, IReadOnlyList<long> keys, CancellationToken cancellationToken) =>
            inner.DeleteAsync(tableName, keyColumn, keys, cancellationToken);

        public Task<IReadOnlyList<(int Stripe, long Version)>> LockCustomersAsync(IEnumerable<long> customerIds, CancellationToken cancellationToken) =>
            inner.LockCustomersAsync(customerIds, cancellationToken);

        public Task<Dictionary<long, long>> MergedIntoAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
            inner.MergedIntoAsync(customerIds, cancellationToken);

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            await inner.CommitAsync(cancellationToken);
            committed();
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
