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

namespace Touchpoint.Bench;

/// <summary>
/// Imports N interactions (default 1,000,000) for 50,000 customers through InteractionIngestor (validation,
/// identity resolution, idempotent bulk write, case/repeat/FCR/SLA derivations) and, in the same run, measures
/// the plain engine writing the same rows: one prepared INSERT in one transaction on SQLite, binary COPY on
/// PostgreSQL. Usage: import [rows] [postgres-connection-string]
/// </summary>
internal static class ImportBench
{
    internal const int Customers = 50_000;

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
        await new CustomerIngestor(target, TimeProvider.System).IngestAsync(customers.Select((c, n) => new ImportRow<CustomerInput>(n + 1, c)));

        var ingestor = new InteractionIngestor(target, Options.Create(new InteractionOptions()), TimeProvider.System);
        PhaseTimer.Enabled = true;
        var stopwatch = Stopwatch.StartNew();
        var summary = await ingestor.IngestAsync(Inputs(rows).Select((x, n) => new ImportRow<InteractionInput>(n + 1, x)));
        var pipeline = stopwatch.Elapsed;
        var phases = PhaseTimer.Take();

        var again = Stopwatch.StartNew();
        var rerun = await ingestor.IngestAsync(Inputs(rows).Select((x, n) => new ImportRow<InteractionInput>(n + 1, x)));
        var rerunTime = again.Elapsed;
        var rerunPhases = PhaseTimer.Take();
        PhaseTimer.Enabled = false;

        var plain = target.Provider == DatabaseProvider.Sqlite ? await PlainSqliteAsync(target, rows, indexed: false) : await PlainCopyAsync(target, rows, indexed: false);
        var indexed = target.Provider == DatabaseProvider.Sqlite ? await PlainSqliteAsync(target, rows, indexed: true) : await PlainCopyAsync(target, rows, indexed: true);

        var pipelineRate = rows / pipeline.TotalSeconds;
        var plainRate = rows / plain.TotalSeconds;
        var indexedRate = rows / indexed.TotalSeconds;
        Console.WriteLine($"{target.Provider}: import path {summary.Imported:N0} rows in {pipeline.TotalSeconds:F1} s = {pipelineRate:N0} rows/s " +
            $"({summary.CasesDerived:N0} cases derived); re-import of the same rows: {rerun.Duplicates:N0} duplicates, {rerun.Imported} added, {rerunTime.TotalSeconds:F1} s; " +
            $"plain engine into a bare table {plainRate:N0} rows/s (ratio {pipelineRate / plainRate:F2}); " +
            $"plain engine into a table with the same indexes {indexedRate:N0} rows/s (ratio {pipelineRate / indexedRate:F2})");
        Console.WriteLine($"  import phases: {Phases(phases)}");
        Console.WriteLine($"  re-import phases: {Phases(rerunPhases)}");
    }

    private static string Phases(List<(string Phase, TimeSpan Time)> phases) =>
        string.Join(", ", phases.Where(p => p.Time.TotalSeconds >= 0.05).Select(p => $"{p.Phase} {p.Time.TotalSeconds:F1} s"));

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

    /// <summary>The same rows into an empty copy of the interactions table with one prepared INSERT in one transaction.</summary>
    private static async Task<TimeSpan> PlainSqliteAsync(DatabaseTarget target, int rows, bool indexed)
    {
        await using var connection = new SqliteConnection(target.ConnectionString);
        await connection.OpenAsync();
        await Exec(connection, "PRAGMA cache_size=-262144; DROP TABLE IF EXISTS plain_interactions; CREATE TABLE plain_interactions AS SELECT * FROM interactions WHERE 0;");
        if (indexed)
        {
            await Exec(connection, IndexSql);
        }
        var stopwatch = Stopwatch.StartNew();
        await using (var tx = connection.BeginTransaction())
        {
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO plain_interactions (id, external_id, customer_id, channel, direction, started_at, ended_at, agent_id, queue, first_response_seconds, talk_seconds, hold_seconds, wrap_seconds, transfers, reason, outcome, is_repeat, first_contact_resolved, channel_switch, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,0,0,0,$17)";
            var p = Enumerable.Range(1, 17).Select(i => cmd.Parameters.Add(new SqliteParameter("$" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null))).ToArray();
            cmd.Prepare();
            var n = 0;
            var now = DateTime.UtcNow;
            foreach (var i in Inputs(rows))
            {
                p[0].Value = ++n; p[1].Value = i.ExternalId; p[2].Value = n % Customers + 1; p[3].Value = i.Channel.ToString(); p[4].Value = i.Direction.ToString();
                p[5].Value = i.StartedAt; p[6].Value = i.EndedAt; p[7].Value = n % 300 + 1; p[8].Value = i.Queue; p[9].Value = i.FirstResponseSeconds;
                p[10].Value = i.TalkSeconds; p[11].Value = i.HoldSeconds; p[12].Value = i.WrapSeconds; p[13].Value = i.Transfers; p[14].Value = i.Reason;
                p[15].Value = i.Outcome.ToString(); p[16].Value = now;
                await cmd.ExecuteNonQueryAsync();
            }
            await tx.CommitAsync();
        }
        var elapsed = stopwatch.Elapsed;
        await Exec(connection, "DROP TABLE plain_interactions;");
        return elapsed;
    }

    /// <summary>The same rows into an empty copy of the interactions table with binary COPY.</summary>
    private static async Task<TimeSpan> PlainCopyAsync(DatabaseTarget target, int rows, bool indexed)
    {
        await using var connection = new NpgsqlConnection(target.ConnectionString);
        await connection.OpenAsync();
        await using (var cmd = new NpgsqlCommand("DROP TABLE IF EXISTS plain_interactions; CREATE TABLE plain_interactions (LIKE interactions);" + (indexed ? IndexSql : ""), connection))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        var stopwatch = Stopwatch.StartNew();
        await using (var importer = await connection.BeginBinaryImportAsync("COPY plain_interactions (id, external_id, customer_id, channel, direction, started_at, ended_at, agent_id, queue, first_response_seconds, talk_seconds, hold_seconds, wrap_seconds, transfers, reason, outcome, is_repeat, first_contact_resolved, channel_switch, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            var n = 0L;
            var now = DateTime.UtcNow;
            foreach (var i in Inputs(rows))
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(++n, NpgsqlDbType.Bigint);
                await importer.WriteAsync(i.ExternalId, NpgsqlDbType.Text);
                await importer.WriteAsync(n % Customers + 1, NpgsqlDbType.Bigint);
                await importer.WriteAsync(i.Channel.ToString(), NpgsqlDbType.Text);
                await importer.WriteAsync(i.Direction.ToString(), NpgsqlDbType.Text);
                await importer.WriteAsync(i.StartedAt, NpgsqlDbType.TimestampTz);
                await importer.WriteAsync(i.EndedAt!.Value, NpgsqlDbType.TimestampTz);
                await importer.WriteAsync(n % 300 + 1, NpgsqlDbType.Bigint);
                await importer.WriteAsync(i.Queue!, NpgsqlDbType.Text);
                await importer.WriteAsync(i.FirstResponseSeconds!.Value, NpgsqlDbType.Integer);
                await importer.WriteAsync(i.TalkSeconds, NpgsqlDbType.Integer);
                await importer.WriteAsync(i.HoldSeconds, NpgsqlDbType.Integer);
                await importer.WriteAsync(i.WrapSeconds, NpgsqlDbType.Integer);
                await importer.WriteAsync(i.Transfers, NpgsqlDbType.Integer);
                await importer.WriteAsync(i.Reason!, NpgsqlDbType.Text);
                await importer.WriteAsync(i.Outcome.ToString(), NpgsqlDbType.Text);
                await importer.WriteAsync(false, NpgsqlDbType.Boolean);
                await importer.WriteAsync(false, NpgsqlDbType.Boolean);
                await importer.WriteAsync(false, NpgsqlDbType.Boolean);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz);
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

    /// <summary>The interactions table's own indexes, for the fair baseline.</summary>
    private const string IndexSql = """
        CREATE UNIQUE INDEX plain_ext ON plain_interactions (external_id);
        CREATE INDEX plain_cust ON plain_interactions (customer_id, started_at);
        CREATE INDEX plain_case ON plain_interactions (case_id);
        CREATE INDEX plain_agent ON plain_interactions (agent_id, started_at);
        CREATE INDEX plain_start ON plain_interactions (started_at);
        """;

    private static async Task Exec(SqliteConnection connection, string sql)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}
