using Microsoft.Data.Sqlite;
using Npgsql;

namespace Touchpoint.Storage.Bulk;

/// <summary>
/// One run's writer: a transaction per batch, and a way to tell, once a batch's transaction holds its locks, whether
/// anyone else wrote since the batch began reading (a <see cref="ReadMark"/> taken before it read anything), so a run
/// can read and derive outside its locks and only read again when it must.
/// <list type="bullet">
/// <item>SQLite: one connection kept for the run counts the commits of every other connection (<c>PRAGMA
/// data_version</c>), looking when opened, in <see cref="NoticeAsync"/> and right after each <c>BEGIN IMMEDIATE</c>.
/// Any other commit counts, whatever it wrote.</item>
/// <item>PostgreSQL: every writer of customers' timelines (ingestion, recompute, merge, on any node) bumps the
/// versions of its customers' lock stripes under those locks (<see cref="CustomerLocks.BumpSql"/>). The writer
/// remembers the version its own last write left on each stripe; a stripe it has not written yet must still have
/// the version read by the mark. Another writer of any customer on the batch's stripes counts.</item>
/// </list>
/// </summary>
public sealed class BulkWriter : IAsyncDisposable
{
    private readonly DatabaseTarget _target;
    private readonly SqliteConnection? _sqlite;
    private long _dataVersion;
    private long _otherCommits;
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
    public sealed record ReadMark(long OtherCommits, IReadOnlyDictionary<int, long> StripeVersions);

    /// <summary>Notes where things stand before a batch reads anything from the store. Safe beside a write.</summary>
    public async Task<ReadMark> MarkAsync(CancellationToken cancellationToken)
    {
        if (_sqlite is not null)
        {
            return new ReadMark(Interlocked.Read(ref _otherCommits), new Dictionary<int, long>());
        }
        var versions = new Dictionary<int, long>();
        await using var connection = new NpgsqlConnection(_target.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT stripe, version FROM timeline_stripes", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions[reader.GetInt32(0)] = reader.GetInt64(1);
        }
        return new ReadMark(0, versions);
    }

    /// <summary>Looks for other connections' commits now (SQLite); only between transactions.</summary>
    public async Task NoticeAsync(CancellationToken cancellationToken)
    {
        if (_sqlite is not null)
        {
            Notice(await ReadDataVersionAsync(cancellationToken));
        }
    }

    /// <summary>
    /// Begins a transaction and locks <paramref name="customerIds"/> (SQLite: the write lock). Returns it with whether
    /// anyone else wrote since <paramref name="mark"/> (null: the caller reads only after this, and nothing is checked).
    /// When someone did, the caller must not write what it derived; disposing the store rolls back.
    /// </summary>
    public async Task<(IBulkStore Store, bool OthersWrote)> BeginAsync(IEnumerable<long> customerIds, ReadMark? mark, CancellationToken cancellationToken)
    {
        if (_sqlite is not null)
        {
            var sqliteStore = SqliteBulkStore.Begin(_sqlite);
            // BEGIN IMMEDIATE has taken the write lock: nobody can commit until this transaction ends.
            Notice(await ReadDataVersionAsync(cancellationToken, sqliteStore.Transaction));
            return (sqliteStore, mark is not null && Interlocked.Read(ref _otherCommits) != mark.OtherCommits);
        }
        var store = await PostgresBulkStore.OpenAsync(_target.ConnectionString, cancellationToken);
        try
        {
            var bumped = await store.LockCustomersAsync(customerIds, cancellationToken);
            lock (_gate)
            {
                // Before this transaction's bump each stripe must stand where this run's last write left it, or, if
                // this run has not written it, where the mark read it.
                var othersWrote = mark is not null && bumped.Any(b =>
                    (_stripeVersions.TryGetValue(b.Stripe, out var known) ? known : mark.StripeVersions.GetValueOrDefault(b.Stripe, -1)) != b.Version - 1);
                if (!othersWrote)
                {
                    foreach (var (stripe, version) in bumped)
                    {
                        _stripeVersions[stripe] = version;
                    }
                }
                return (store, othersWrote);
            }
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>Forgets the stripe versions this run's writes left (PostgreSQL), when the run forgets what it read.</summary>
    public void Forget()
    {
        lock (_gate)
        {
            _stripeVersions.Clear();
        }
    }

    private void Notice(long dataVersion)
    {
        if (dataVersion != _dataVersion)
        {
            _dataVersion = dataVersion;
            Interlocked.Increment(ref _otherCommits);
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
