using Microsoft.Data.Sqlite;

namespace Touchpoint.Storage.Bulk;

/// <summary>
/// One run's writer: a transaction per batch. On SQLite the run keeps one connection for all its transactions and
/// counts the commits every other connection makes meanwhile (<c>PRAGMA data_version</c>), so the run may read and
/// derive outside its write lock and, once it holds the lock, tell whether anyone else committed since. PostgreSQL
/// has no such counter: there each transaction gets a connection of its own and <see cref="SeesOtherWriters"/> is false.
/// </summary>
public sealed class BulkWriter : IAsyncDisposable
{
    private readonly DatabaseTarget _target;
    private readonly SqliteConnection? _sqlite;
    private long _dataVersion;
    private long _otherCommits;

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

    /// <summary>Whether <see cref="OtherCommits"/> counts anything (SQLite) or stays 0 (PostgreSQL).</summary>
    public bool SeesOtherWriters => _sqlite is not null;

    /// <summary>
    /// How many times this writer found that other connections had committed since it last looked (several commits
    /// between two looks count once). It looks when opened, in <see cref="NoticeAsync"/> and at every
    /// <see cref="BeginAsync"/>, after taking the lock. So if it has not moved between a moment and a transaction's
    /// start, nobody else committed in between. Safe to read from any thread.
    /// </summary>
    public long OtherCommits => Interlocked.Read(ref _otherCommits);

    /// <summary>Looks for other connections' commits now; only between transactions.</summary>
    public async Task NoticeAsync(CancellationToken cancellationToken)
    {
        if (_sqlite is not null)
        {
            Notice(await ReadDataVersionAsync(cancellationToken));
        }
    }

    /// <summary>Begins a transaction that holds the write lock (SQLite) until it commits or is disposed.</summary>
    public async Task<IBulkStore> BeginAsync(CancellationToken cancellationToken)
    {
        if (_sqlite is null)
        {
            return await PostgresBulkStore.OpenAsync(_target.ConnectionString, cancellationToken);
        }
        var store = SqliteBulkStore.Begin(_sqlite);
        // BEGIN IMMEDIATE has taken the write lock: nobody can commit until this transaction ends.
        Notice(await ReadDataVersionAsync(cancellationToken, store.Transaction));
        return store;
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
