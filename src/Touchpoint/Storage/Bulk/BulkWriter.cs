using Microsoft.Data.Sqlite;
using Npgsql;

namespace Touchpoint.Storage.Bulk;

/// <summary>
/// One run's writer: a transaction per batch, and a way to tell, once a batch's transaction holds its locks, whether
/// anyone else wrote since the run last heard (and which of the run's customers that may concern), so a run can read
/// and derive outside its locks and derive again only what another writer may have changed.
/// <list type="bullet">
/// <item>SQLite: one connection kept for the run counts the commits of every other connection (<c>PRAGMA
/// data_version</c>), looking when opened and right after each <c>BEGIN IMMEDIATE</c>. Any other commit counts,
/// whatever it wrote, and may concern any customer. The run's own other writes (new customers and agents) go through
/// <see cref="CreateDb"/>, on the same connection, so they never count.</item>
/// <item>PostgreSQL: every writer of customers' timelines (ingestion, recompute, merge, on any node) bumps the
/// versions of its customers' lock stripes under those locks (<see cref="CustomerLocks.BumpSql"/>). The writer
/// remembers the version its own last write left on each stripe; a stripe it has not written must still have the
/// version read by the batch's <see cref="ReadMark"/>. A changed stripe concerns the customers on it.</item>
/// </list>
/// </summary>
public sealed class BulkWriter : IAsyncDisposable
{
    private readonly DatabaseTarget _target;
    private readonly SqliteConnection? _sqlite;
    private long _dataVersion;
    private long _otherCommits;
    private long _heardCommits;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, long> _stripeVersions = [];

    private BulkWriter(DatabaseTarget target, SqliteConnection? sqlite)
    {
        _target = target;
        _sqlite = sqlite;
    }

    public static async Task<BulkWriter> OpenAsync(DatabaseTarget target, CancellationToken cancellationToken)
    {
        if (target.Provider != DatabaseProvider.Sqlite)
        {
            return new BulkWriter(target, null);
        }
        var writer = new BulkWriter(target, await SqliteBulkStore.OpenConnectionAsync(target.ConnectionString, cancellationToken));
        writer._dataVersion = await writer.ReadDataVersionAsync(cancellationToken);
        return writer;
    }

    /// <summary>What a batch notes before it reads anything; see <see cref="BeginAsync"/>.</summary>
    public sealed record ReadMark(IReadOnlyDictionary<int, long> StripeVersions);

    /// <summary>Notes where things stand before a batch reads anything from the store. Safe beside a write.</summary>
    public async Task<ReadMark> MarkAsync(CancellationToken cancellationToken)
    {
        var versions = new Dictionary<int, long>();
        if (_sqlite is not null)
        {
            // Any commit the writer has not heard of counts: nothing to note.
            return new ReadMark(versions);
        }
        await using var connection = new NpgsqlConnection(_target.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT stripe, version FROM timeline_stripes", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions[reader.GetInt32(0)] = reader.GetInt64(1);
        }
        return new ReadMark(versions);
    }

    /// <summary>
    /// A context on the writer's own connection for the run's other writes (SQLite; null on PostgreSQL): their commits
    /// are the writer's own, so they never count as another writer's. Only between transactions.
    /// </summary>
    public TouchpointDb? CreateDb() => _sqlite is null ? null : StorageServices.CreateSqliteDb(_sqlite);

    /// <summary>
    /// Begins a transaction and locks <paramref name="customerIds"/> (SQLite: the write lock). Returns it with which
    /// customers another writer may have written since the run last heard of it (null: nobody), judged against
    /// <paramref name="mark"/>, taken before the batch read anything, for what the run has not written itself. The
    /// writer then counts those writes as heard of: the caller must see to the customers they concern.
    /// </summary>
    public async Task<(IBulkStore Store, Func<long, bool>? OthersWrote)> BeginAsync(IEnumerable<long> customerIds, ReadMark mark,
        CancellationToken cancellationToken)
    {
        if (_sqlite is not null)
        {
            var sqliteStore = SqliteBulkStore.Begin(_sqlite);
            try
            {
                // BEGIN IMMEDIATE has taken the write lock: nobody can commit until this transaction ends.
                Notice(await ReadDataVersionAsync(cancellationToken, sqliteStore.Transaction));
            }
            catch
            {
                await sqliteStore.DisposeAsync();
                throw;
            }
            lock (_gate)
            {
                // SQLite does not say what another connection wrote: any customer may be concerned.
                var othersWrote = _otherCommits != _heardCommits;
                _heardCommits = _otherCommits;
                return (sqliteStore, othersWrote ? _ => true : null);
            }
        }
        var store = await PostgresBulkStore.OpenAsync(_target.ConnectionString, cancellationToken);
        try
        {
            var bumped = await store.LockCustomersAsync(customerIds, cancellationToken);
            lock (_gate)
            {
                // Before this transaction's bump, each stripe must stand where this run's last write left it, or, if
                // this run has not written it, where the mark read it.
                var changed = bumped.Where(b => (_stripeVersions.TryGetValue(b.Stripe, out var known)
                    ? known : mark.StripeVersions.GetValueOrDefault(b.Stripe, -1)) != b.Version - 1).Select(b => b.Stripe).ToHashSet();
                foreach (var (stripe, version) in bumped)
                {
                    _stripeVersions[stripe] = version;
                }
                return (store, changed.Count == 0 ? null : id => changed.Contains(CustomerLocks.Stripe(id)));
            }
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>Counts the other connections' commits since the last look (several count once).</summary>
    private void Notice(long dataVersion)
    {
        lock (_gate)
        {
            if (dataVersion != _dataVersion)
            {
                _dataVersion = dataVersion;
                _otherCommits++;
            }
        }
    }

    private async Task<long> ReadDataVersionAsync(CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = _sqlite!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA data_version";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqlite is not null)
        {
            await _sqlite.DisposeAsync();
        }
    }
}
