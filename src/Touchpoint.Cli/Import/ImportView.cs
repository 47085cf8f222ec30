using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;
using Touchpoint.Import;
using Touchpoint.Import.Twcs;

namespace Touchpoint.Cli.Import;

/// <summary>Counts rows as the importer pulls them from the file, for the live progress line.</summary>
internal sealed class RowCounter
{
    private long _rows;
    private long _unreadable;

    public long Rows => Interlocked.Read(ref _rows);
    public long Unreadable => Interlocked.Read(ref _unreadable);

    public IEnumerable<ImportRow<T>> Count<T>(IEnumerable<ImportRow<T>> rows) where T : class
    {
        foreach (var row in rows)
        {
            Interlocked.Increment(ref _rows);
            if (row.Value is null)
            {
                Interlocked.Increment(ref _unreadable);
            }
            yield return row;
        }
    }
}

/// <summary>The last progress report, read by the progress bar's refresh loop.</summary>
internal sealed class LatestProgress : IProgress<ImportProgress>
{
    private readonly Lock _lock = new();
    private ImportProgress _last = new(0, 0, 0, 0, "reading");

    public ImportProgress Last
    {
        get { lock (_lock) { return _last; } }
    }

    public void Report(ImportProgress value)
    {
        lock (_lock)
        {
            _last = value;
        }
    }
}

/// <summary>Progress bars and summaries of imports: tables on a terminal, JSON with --json.</summary>
internal static class ImportView
{
    /// <summary>Indented and escaped only where JSON needs it (a terminal or a file, never a web page): 'ten', not \u0027ten\u0027.</summary>
    public static readonly JsonSerializerOptions Json = new(ImportJson.Options)
    {
        WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<ImportSummary> RunAsync(CliSession session, bool json, ImportInput input,
        Func<IProgress<ImportProgress>, RowCounter, Task<ImportSummary>> run)
    {
        var counter = new RowCounter();
        var progress = new LatestProgress();
        if (json || !session.Interactive)
        {
            return await run(progress, counter);
        }
        return await session.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("reading", maxValue: Math.Max(1, input.Length));
                var work = Task.Run(() => run(progress, counter));
                while (!work.IsCompleted)
                {
                    Update(task, input, counter, progress.Last);
                    await Task.WhenAny(work, Task.Delay(200));
                }
                Update(task, input, counter, progress.Last);
                task.Value = task.MaxValue;
                return await work;
            });
    }

    private static void Update(ProgressTask task, ImportInput input, RowCounter counter, ImportProgress last)
    {
        task.Value = Math.Min(input.Position, task.MaxValue);
        // Short enough for an 80-column terminal with the bar; the phase shows only once the file has been read.
        var phase = last.Phase is "importing" or "reading" ? "" : last.Phase + ": ";
        task.Description = string.Create(CultureInfo.InvariantCulture,
            $"{phase}read {counter.Rows:N0} · imported {last.Imported:N0} · dup {last.Duplicates:N0} · rejected {Math.Max(last.Rejected, counter.Unreadable):N0}");
    }

    /// <summary>The first pass of the twcs import (thread index), with its own bar.</summary>
    public static async Task<T> IndexAsync<T>(CliSession session, bool json, ImportInput input, Func<T> build)
    {
        if (json || !session.Interactive)
        {
            return build();
        }
        return await session.Console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("indexing threads", maxValue: Math.Max(1, input.Length));
                var work = Task.Run(build);
                while (!work.IsCompleted)
                {
                    task.Value = Math.Min(input.Position, task.MaxValue);
                    await Task.WhenAny(work, Task.Delay(200));
                }
                task.Value = task.MaxValue;
                return await work;
            });
    }

    public static void PrintSummary(CliSession session, string kind, string path, ImportSummary summary, bool json, int showRejections)
    {
        if (json)
        {
            PrintJson(session, SummaryJson(kind, path, summary));
            return;
        }
        var rate = summary.Elapsed.TotalSeconds > 0 ? (summary.Imported + summary.Duplicates + summary.Rejected) / summary.Elapsed.TotalSeconds : 0;
        var table = new Table().Title($"Import of {kind}: {Path.GetFileName(path)}").AddColumn("").AddColumn(new TableColumn("rows").RightAligned());
        Row(table, "imported", summary.Imported);
        Row(table, "duplicates", summary.Duplicates);
        Row(table, "rejected", summary.Rejected);
        Row(table, "customers created", summary.CustomersCreated);
        if (kind != "customers")
        {
            Row(table, "identities added to profiles", summary.IdentitiesAdded);
            Row(table, "cases derived", summary.CasesDerived);
        }
        table.AddRow(new Text("elapsed"), new Text(string.Create(CultureInfo.InvariantCulture, $"{summary.Elapsed.TotalSeconds:F1} s ({rate:N0} rows/s)")));
        session.Console.Write(table);

        if (summary.Rejections.Count > 0)
        {
            var shown = summary.Rejections.Take(Math.Max(0, showRejections)).ToList();
            var rejections = new Table().Title($"Rejected rows (first {shown.Count} of {summary.Rejections.Count:N0})")
                .AddColumn(new TableColumn("line").RightAligned()).AddColumn(new TableColumn("column").RightAligned()).AddColumn("reason");
            foreach (var r in shown)
            {
                rejections.AddRow(new Text(r.Line.ToString(CultureInfo.InvariantCulture)), new Text(r.Column?.ToString(CultureInfo.InvariantCulture) ?? ""), new Text(r.Reason));
            }
            session.Console.Write(rejections);
            if (shown.Count < summary.Rejections.Count)
            {
                session.Console.Write(new Text($"{summary.Rejections.Count - shown.Count:N0} more rejected rows: --json lists them all.\n"));
            }
        }
    }

    public static void PrintThreads(CliSession session, TwcsThreads threads)
    {
        var table = new Table().Title("twcs threads").AddColumn("").AddColumn(new TableColumn("count").RightAligned());
        Row(table, "tweets", threads.Tweets);
        Row(table, "brands", threads.Brands);
        // A thread several customers tweet in is one conversation and a case per customer, so the cases can be more.
        Row(table, "conversations (threads)", threads.Threads);
        Row(table, "customer tweets", threads.CustomerTweets);
        Row(table, "customer tweets answered by a brand", threads.AnsweredCustomerTweets);
        Row(table, "replies before their parent in the file", threads.RepliesBeforeParent);
        Row(table, "replies whose parent is not in the file", threads.RepliesWithoutParent);
        Row(table, "brand replies stamped before their tweet (ignored)", threads.RepliesBeforeTheirTweet);
        Row(table, "repeated tweet ids", threads.RepeatedIds);
        session.Console.Write(table);
    }

    public static object ThreadsJson(TwcsThreads t) => new
    {
        t.Tweets,
        t.Brands,
        t.Threads,
        t.CustomerTweets,
        t.AnsweredCustomerTweets,
        t.RepliesBeforeParent,
        t.RepliesWithoutParent,
        t.RepliesBeforeTheirTweet,
        t.RepeatedIds,
    };

    public static object SummaryJson(string kind, string path, ImportSummary s, object? threads = null, object? firstResponse = null) => new
    {
        Kind = kind,
        File = path,
        s.Imported,
        s.Duplicates,
        s.Rejected,
        s.CustomersCreated,
        s.IdentitiesAdded,
        s.CasesDerived,
        ElapsedSeconds = Math.Round(s.Elapsed.TotalSeconds, 3),
        Rejections = s.Rejections.Select(r => new { r.Line, r.Column, r.Reason }),
        Threads = threads,
        FirstResponse = firstResponse,
    };

    public static void PrintJson(CliSession session, object value) => session.Output.WriteLine(JsonSerializer.Serialize(value, Json));

    private static void Row(Table table, string label, long value) =>
        table.AddRow(new IRenderable[] { new Text(label), new Text(value.ToString("N0", CultureInfo.InvariantCulture)) });
}
