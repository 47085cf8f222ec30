using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Touchpoint.Customers;
using Touchpoint.Import;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;

namespace Touchpoint.Bench;

/// <summary>
/// Imports N interactions (default 1,000,000; no transcripts) for 50,000 customers through InteractionIngestor
/// (validation, identity resolution, idempotent bulk write, case/repeat/FCR/SLA derivations), imports them again
/// (all duplicates), then measures the plain engine writing exactly the interaction rows the import stored (every
/// column, same order) into copies of the table: one prepared INSERT in one transaction on SQLite, binary COPY on
/// PostgreSQL; bare, with the table's indexes, and (PostgreSQL) with its foreign keys too.
/// Usage: import [rows] [postgres-connection-string]
/// </summary>
internal static class ImportBench
{
    /// <summary>TOUCHPOINT_BENCH_CUSTOMERS=N: how many customers the rows spread over (50,000 unless said).</summary>
    internal static readonly int Customers = int.Parse(Environment.GetEnvironmentVariable("TOUCHPOINT_BENCH_CUSTOMERS") ?? "50000",
        System.Globalization.CultureInfo.InvariantCulture);

    public static async Task RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        var postgres = args.Length > 1 ? args[1] : null;

        var sqliteFile = Path.Combine(Path.GetTempPath(), $"touchpoint-import-bench-{Guid.NewGuid():N}.db");
        await RunOneAsync(new DatabaseTarget(DatabaseProvider.Sqlite, $"Data Source={sqliteFile}"), rows);
        foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(sqliteFile) + "*"))
        {
            File.Delete(f);
        }
        if (postgres is not null)
        {
            await RunOneAsync(new DatabaseTarget(DatabaseProvider.Postgres, postgres), rows);
        }
    }

    private static async Task RunOneAsync(DatabaseTarget target, int rows)
    {
        await using (var db = StorageServices.CreateDb(target))
        {
            await db.Database.EnsureDeletedAsync();
            await db.Database.MigrateAsync();
        }
        var customers = Enumerable.Range(1, Customers).Select(n => new CustomerInput { ExternalId = $"c{n}", Name = $"Customer {n}", Email = $"c{n}@example.com" });
        await new CustomerIngestor(target, TimeProvider.System, Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions())).IngestAsync(customers.Select((c, n) => new ImportRow<CustomerInput>(n + 1, c)));

        // TOUCHPOINT_BENCH_MAX_HELD=N: the import's timeline limit (Interactions:MaxHeldEntries).
        var interactionOptions = new InteractionOptions();
        if (Environment.GetEnvironmentVariable("TOUCHPOINT_BENCH_MAX_HELD") is { } held)
        {
            interactionOptions.MaxHeldEntries = int.Parse(held, System.Globalization.CultureInfo.InvariantCulture);
        }
        var ingestor = new InteractionIngestor(target, Options.Create(interactionOptions), Options.Create(new CustomerOptions()), TimeProvider.System);
        // TOUCHPOINT_BENCH_LIVE=1: after each batch's write, a full collection measures what the run keeps alive (for the
        // memory figure only: the collections cost time).
        long largestLive = 0;
        IProgress<ImportProgress>? liveHeap = Environment.GetEnvironmentVariable("TOUCHPOINT_BENCH_LIVE") == "1"
            ? new Measure(() => largestLive = Math.Max(largestLive, GC.GetTotalMemory(forceFullCollection: true)))
            : null;
        PhaseTimer.Enabled = true;
        using var gcPauses = new GcPauses();
        var pausedBefore = GC.GetTotalPauseDuration();
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var collectionsBefore = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
        // Processor time over all threads (the collector's too): steadier than wall time on a machine shared with others.
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var batchSize = int.Parse(Environment.GetEnvironmentVariable("TOUCHPOINT_BENCH_BATCH") ?? InteractionIngestor.DefaultBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            System.Globalization.CultureInfo.InvariantCulture);
        // TOUCHPOINT_BENCH_OTHER_WRITER_MS=N: another writer (like the server's API) stores one interaction for a random
        // customer every N ms while the import runs, so the import keeps finding that someone wrote its customers.
        using var stopOther = new CancellationTokenSource();
        var otherWriter = Environment.GetEnvironmentVariable("TOUCHPOINT_BENCH_OTHER_WRITER_MS") is { } every
            ? OtherWriterAsync(target, int.Parse(every, System.Globalization.CultureInfo.InvariantCulture), stopOther.Token)
            : Task.FromResult(0);
        // TOUCHPOINT_BENCH_GC_LATENCY=SustainedLowLatency (or another GCLatencyMode) during the import.
        var latencyBefore = System.Runtime.GCSettings.LatencyMode;
        if (Environment.GetEnvironmentVariable("TOUCHPOINT_BENCH_GC_LATENCY") is { } latency)
        {
            System.Runtime.GCSettings.LatencyMode = Enum.Parse<System.Runtime.GCLatencyMode>(latency);
        }
        var summary = await ingestor.IngestAsync(Inputs(rows).Select((x, n) => new ImportRow<InteractionInput>(n + 1, x)), liveHeap, batchSize: batchSize);
        var pipeline = stopwatch.Elapsed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        System.Runtime.GCSettings.LatencyMode = latencyBefore;
        await stopOther.CancelAsync();
        if (await otherWriter is > 0 and var otherRows)
        {
            Console.WriteLine($"{target.Provider}: another writer stored {otherRows:N0} interactions (one at a time) during the import");
        }
        if (summary.Imported != rows)
        {
            // Every generated row is new and valid: anything else is a lost (or invented) row, not a figure to report.
            throw new InvalidOperationException($"{target.Provider}: the import stored {summary.Imported:N0} of {rows:N0} rows " +
                $"({summary.Duplicates:N0} counted as duplicates, {summary.Rejected:N0} rejected)");
        }
        var phases = PhaseTimer.Take();
        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        var heap = GC.GetTotalMemory(false);
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        var collections = string.Join("/", Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - collectionsBefore[g]));

        if (Environment.GetEnvironmentVariable("TOUCHPOINT_BENCH_IMPORT_ONLY") == "1")
        {
            // For trying changes quickly: the import alone, no re-import and no plain-engine runs.
            PhaseTimer.Enabled = false;
            Console.WriteLine($"{target.Provider}: import path {summary.Imported:N0} rows in {pipeline.TotalSeconds:F1} s = {rows / pipeline.TotalSeconds:N0} rows/s, {cpu.TotalSeconds:F1} s of processor time");
            Console.WriteLine($"  import phases: {Phases(phases)}; garbage collection paused the import {paused.TotalSeconds:F1} s (heap {heap / 1024 / 1024:N0} MiB at the end, {allocated / 1024 / 1024:N0} MiB allocated, collections gen0/1/2 {collections})");
            Console.WriteLine($"  pauses by collection: {gcPauses.Take()}");
            if (liveHeap is not null)
            {
                Console.WriteLine($"  largest live heap after a batch: {largestLive / 1024 / 1024:N0} MiB (timeline limit {interactionOptions.MaxHeldEntries:N0} entries, " +
                    $"{ingestor.LastRunTimelinesReleased:N0} timelines let go)");
            }
            return;
        }
        var again = Stopwatch.StartNew();
        var rerun = await ingestor.IngestAsync(Inputs(rows).Select((x, n) => new ImportRow<InteractionInput>(n + 1, x)));
        var rerunTime = again.Elapsed;
        var rerunPhases = PhaseTimer.Take();
        PhaseTimer.Enabled = false;

        // The plain engine writes exactly what the import stored (ids, customers, agents, cases, flags), in the same order.
        var stored = await StoredRowsAsync(target);
        var pipelineRate = rows / pipeline.TotalSeconds;
        var baselines = new List<(string Name, TimeSpan Time)>();
        if (target.Provider == DatabaseProvider.Sqlite)
        {
            // SQLite's bulk connection does not enforce foreign keys (neither does the import's), so indexed is the whole schema there.
            // Two ways to bind: ADO.NET parameters (SqliteCommand), and SQLite's C API as the import's bulk store does.
            baselines.Add(("a bare table, SqliteCommand", await PlainSqliteAsync(target, stored, indexed: false, capi: false)));
            baselines.Add(("a bare table, C API", await PlainSqliteAsync(target, stored, indexed: false, capi: true)));
            baselines.Add(("the same indexes, SqliteCommand", await PlainSqliteAsync(target, stored, indexed: true, capi: false)));
            baselines.Add(("the same indexes, C API", await PlainSqliteAsync(target, stored, indexed: true, capi: true)));
        }
        else
        {
            baselines.Add(("a bare table", await PlainCopyAsync(target, stored, Schema.Bare)));
            baselines.Add(("the same indexes", await PlainCopyAsync(target, stored, Schema.Indexed)));
            baselines.Add(("the same indexes and foreign keys", await PlainCopyAsync(target, stored, Schema.IndexedWithForeignKeys)));
        }
        Console.WriteLine($"{target.Provider}: import path {summary.Imported:N0} rows in {pipeline.TotalSeconds:F1} s = {pipelineRate:N0} rows/s, {cpu.TotalSeconds:F1} s of processor time " +
            $"({summary.CasesDerived:N0} cases derived); re-import of the same rows: {rerun.Duplicates:N0} duplicates, {rerun.Imported} added, {rerunTime.TotalSeconds:F1} s");
        foreach (var (name, time) in baselines)
        {
            Console.WriteLine($"  plain engine into {name}: {rows / time.TotalSeconds:N0} rows/s ({time.TotalSeconds:F1} s), ratio {pipelineRate / (rows / time.TotalSeconds):F2}");
        }
        Console.WriteLine($"  import phases: {Phases(phases)}; garbage collection paused the import {paused.TotalSeconds:F1} s (heap {heap / 1024 / 1024:N0} MiB at the end, {allocated / 1024 / 1024:N0} MiB allocated, collections gen0/1/2 {collections})");
        Console.WriteLine($"  re-import phases: {Phases(rerunPhases)}");
    }

    private enum Schema
    {
        Bare,
        Indexed,
        IndexedWithForeignKeys,
    }

    private static string Phases(List<(string Phase, TimeSpan Time, long Allocated)> phases) =>
        string.Join(", ", phases.Where(p => p.Time.TotalSeconds >= 0.05)
            .Select(p => $"{p.Phase} {p.Time.TotalSeconds:F1} s" + (p.Allocated >= 1 << 20 ? $" ({p.Allocated / 1024 / 1024:N0} MiB)" : "")));

    /// <summary>Stores one interaction for a random customer every <paramref name="everyMs"/> ms until stopped; returns how many.</summary>
    private static async Task<int> OtherWriterAsync(DatabaseTarget target, int everyMs, CancellationToken stop)
    {
        var ingestor = new InteractionIngestor(target, Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions()), TimeProvider.System);
        var random = new Random(13);
        var stored = 0;
        while (!stop.IsCancellationRequested)
        {
            var at = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(random.Next(0, 1_000_000));
            var input = new InteractionInput
            {
                ExternalId = $"other{stored}", CustomerExternalId = $"c{random.Next(1, Customers + 1)}", Channel = Channel.Chat,
                Direction = Direction.Inbound, StartedAt = at, EndedAt = at.AddMinutes(5), Reason = "billing", Outcome = Outcome.Resolved,
            };
            stored += (int)(await ingestor.IngestAsync([new ImportRow<InteractionInput>(1, input)], cancellationToken: CancellationToken.None)).Imported;
            try
            {
                await Task.Delay(everyMs, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return stored;
    }

    /// <summary>
    /// The benchmark's rows: one a minute from <paramref name="start"/>, random customers, channels and reasons. With
    /// <paramref name="transcripts"/>, every other row carries a customer message and an agent reply.
    /// </summary>
    internal static IEnumerable<InteractionInput> Inputs(int rows, DateTime? start = null, bool transcripts = false)
    {
        var random = new Random(7);
        var channels = Enum.GetValues<Channel>();
        var reasons = new[] { "billing", "outage", "plan change", "password", "delivery", "cancellation", "refund", "device setup" };
        var first = start ?? new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var n = 0; n < rows; n++)
        {
            var at = first.AddSeconds(n * 60L + random.Next(0, 60));
            var input = new InteractionInput
            {
                ExternalId = $"i{n}",
                CustomerExternalId = $"c{random.Next(1, Customers + 1)}",
                Channel = channels[random.Next(channels.Length)],
                Direction = Direction.Inbound,
                StartedAt = at,
                EndedAt = at.AddSeconds(300),
                AgentExternalId = $"a{random.Next(1, 300)}",
                Queue = "General",
                FirstResponseSeconds = random.Next(0, 600),
                TalkSeconds = random.Next(60, 900),
                HoldSeconds = random.Next(0, 60),
                WrapSeconds = random.Next(10, 90),
                Transfers = random.Next(0, 10) == 0 ? 1 : 0,
                Reason = reasons[random.Next(reasons.Length)],
                Outcome = random.Next(0, 4) == 0 ? Outcome.Unresolved : Outcome.Resolved,
            };
            yield return transcripts && n % 2 == 0
                ? input with
                {
                    Messages =
                    [
                        new MessageInput(MessageAuthor.Customer, at, $"Hi, I have a question about {input.Reason} on my account, reference {n}."),
                        new MessageInput(MessageAuthor.Agent, at.AddSeconds(60), "Thanks for reaching out, I have looked into it and sorted it for you."),
                    ],
                }
                : input;
        }
    }

    /// <summary>The interactions the import stored, every column, in id order: what the plain engine writes for the ratio.</summary>
    private static async Task<List<object?[]>> StoredRowsAsync(DatabaseTarget target)
    {
        var columns = string.Join(", ", PlainColumns.Select(c => c.Name));
        var rows = new List<object?[]>();
        await using var db = StorageServices.CreateDb(target);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {columns} FROM interactions ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new object?[PlainColumns.Length];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i) ? null : PlainColumns[i].Type switch
                {
                    ColumnType.Text => reader.GetString(i),
                    ColumnType.Int => reader.GetInt32(i),
                    ColumnType.Long => reader.GetInt64(i),
                    ColumnType.Bool => reader.GetBoolean(i),
                    ColumnType.Timestamp => reader.GetDateTime(i),
                    _ => reader.GetValue(i),
                };
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Every column of the interactions table, the id first.</summary>
    private static readonly BulkColumn[] PlainColumns = [BulkTable.Long("id"), .. InteractionIngestor.InteractionsTable.Columns];

    /// <summary>
    /// The rows into a copy of the interactions table made from its own definition (primary key, foreign keys as
    /// the bulk path sees them), with its indexes or without: one prepared INSERT in one transaction.
    /// </summary>
    private static async Task<TimeSpan> PlainSqliteAsync(DatabaseTarget target, List<object?[]> rows, bool indexed, bool capi)
    {
        // Foreign keys checked, as on the import's bulk connection (the copy keeps the table's REFERENCES clauses).
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder(target.ConnectionString) { ForeignKeys = true }.ConnectionString);
        await connection.OpenAsync();
        var ddl = new List<string>();
        await using (var schema = connection.CreateCommand())
        {
            schema.CommandText = "SELECT sql FROM sqlite_master WHERE tbl_name = 'interactions' AND sql IS NOT NULL ORDER BY type DESC";
            await using var reader = await schema.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ddl.Add(reader.GetString(0).Replace("\"interactions\"", "\"plain_interactions\"").Replace("\"IX_interactions_", "\"IX_plain_interactions_"));
            }
        }
        // The table first ("table" sorts after "index" descending), then its indexes.
        await Exec(connection, "PRAGMA cache_size=-1048576; PRAGMA synchronous=NORMAL; DROP TABLE IF EXISTS plain_interactions; " + ddl[0]);
        if (indexed)
        {
            await Exec(connection, string.Join(";\n", ddl.Skip(1)));
        }
        var stopwatch = Stopwatch.StartNew();
        await using (var tx = connection.BeginTransaction())
        {
            var sql = $"INSERT INTO plain_interactions ({string.Join(", ", PlainColumns.Select(c => c.Name))}) VALUES ({string.Join(", ", PlainColumns.Select((_, i) => $"${i + 1}"))})";
            if (capi)
            {
                using var statement = new SqliteStatement(connection, sql);
                foreach (var row in rows)
                {
                    statement.Execute(row);
                }
            }
            else
            {
                await using var cmd = connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = sql;
                var p = PlainColumns.Select((_, i) => cmd.Parameters.Add(new SqliteParameter($"${i + 1}", null))).ToArray();
                cmd.Prepare();
                foreach (var row in rows)
                {
                    for (var i = 0; i < p.Length; i++)
                    {
                        p[i].Value = row[i] ?? DBNull.Value;
                    }
                    cmd.ExecuteNonQuery();
                }
            }
            await tx.CommitAsync();
        }
        var elapsed = stopwatch.Elapsed;
        await Exec(connection, "DROP TABLE plain_interactions;");
        return elapsed;
    }

    /// <summary>
    /// The rows into a copy of the interactions table with binary COPY: only the columns (bare), LIKE … INCLUDING ALL
    /// (primary key, indexes), or that plus the table's foreign keys (the whole schema the import writes into).
    /// </summary>
    private static async Task<TimeSpan> PlainCopyAsync(DatabaseTarget target, List<object?[]> rows, Schema schema)
    {
        await using var connection = new NpgsqlConnection(target.ConnectionString);
        await connection.OpenAsync();
        var setup = "DROP TABLE IF EXISTS plain_interactions; " + (schema == Schema.Bare ? "CREATE TABLE plain_interactions (LIKE interactions);" : "CREATE TABLE plain_interactions (LIKE interactions INCLUDING ALL);")
            + (schema != Schema.IndexedWithForeignKeys ? "" : """
              DO $$ DECLARE fk text; BEGIN
                FOR fk IN SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'interactions'::regclass AND contype = 'f' LOOP
                  EXECUTE 'ALTER TABLE plain_interactions ADD ' || fk;
                END LOOP;
              END $$;
              """);
        await using (var cmd = new NpgsqlCommand(setup, connection))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        var stopwatch = Stopwatch.StartNew();
        await using (var importer = await connection.BeginBinaryImportAsync($"COPY plain_interactions ({string.Join(", ", PlainColumns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows)
            {
                await importer.StartRowAsync();
                for (var i = 0; i < PlainColumns.Length; i++)
                {
                    switch (row[i])
                    {
                        case null: await importer.WriteNullAsync(); break;
                        case string v: await importer.WriteAsync(v, NpgsqlDbType.Text); break;
                        case int v: await importer.WriteAsync(v, NpgsqlDbType.Integer); break;
                        case long v: await importer.WriteAsync(v, NpgsqlDbType.Bigint); break;
                        case bool v: await importer.WriteAsync(v, NpgsqlDbType.Boolean); break;
                        case DateTime v: await importer.WriteAsync(v, NpgsqlDbType.TimestampTz); break;
                        default: throw new InvalidOperationException($"unexpected {row[i]!.GetType()}");
                    }
                }
            }
            await importer.CompleteAsync();
        }
        var elapsed = stopwatch.Elapsed;
        await using (var cmd = new NpgsqlCommand("DROP TABLE plain_interactions;", connection))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        return elapsed;
    }

    private static async Task Exec(SqliteConnection connection, string sql)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Runs on the reporting thread at once (Progress&lt;T&gt; would post it elsewhere, to run at any time).</summary>
    private sealed class Measure(Action measure) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => measure();
    }
}
