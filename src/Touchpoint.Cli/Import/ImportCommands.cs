using System.CommandLine;
using Microsoft.Extensions.Options;
using Touchpoint.Cli.Reports;
using Touchpoint.Customers;
using Touchpoint.Import;
using Touchpoint.Import.Twcs;
using Touchpoint.Interactions;

namespace Touchpoint.Cli.Import;

/// <summary>`import customers|interactions|twcs FILE`.</summary>
internal static class ImportCommands
{
    private static readonly Option<string?> Format = new("--format")
    {
        Description = "File format: csv or jsonl (default: from the file's extension, .csv, .jsonl or .json).",
    };

    private static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the summary as JSON (with every rejection) instead of tables; no progress bar.",
    };

    private static readonly Option<int> ShowRejections = new Option<int>("--show-rejections")
    {
        Description = "How many rejected rows the summary table lists.",
        DefaultValueFactory = _ => 20,
    }.WholeNumber(0, int.MaxValue);

    /// <summary>At least one: a batch of none never fills ("--batch-size -1" said "Non-negative number required. (Parameter 'capacity')").</summary>
    private static readonly Option<int?> BatchSize = new Option<int?>("--batch-size")
    {
        Description = "Rows written per transaction.",
    }.WholeNumber(1, int.MaxValue);

    public static Command Build()
    {
        var command = new Command("import", "Import customers or interactions from CSV or JSON Lines, or the twcs data set.");
        command.Subcommands.Add(Customers());
        command.Subcommands.Add(Interactions());
        command.Subcommands.Add(Twcs());
        return command;
    }

    private static Argument<FileInfo> FileArgument() => new("file") { Description = "The file to import." };

    private static Command Customers() => FileCommand("customers", "Create or update customers (idempotent on external_id and identities).",
        (session, counter, reader, format, progress, batchSize, token) => session.Get<CustomerIngestor>()
            .IngestAsync(counter.Count(ImportFiles.ReadCustomers(reader, format)), progress, batchSize ?? 5_000, token));

    private static Command Interactions() => FileCommand("interactions",
        "Import interactions (idempotent on external_id), then derive cases, repeats, FCR and SLA.",
        (session, counter, reader, format, progress, batchSize, token) => session.Get<InteractionIngestor>()
            .IngestAsync(counter.Count(ImportFiles.ReadInteractions(reader, format)), progress, batchSize ?? InteractionIngestor.DefaultBatchSize, token));

    /// <summary>Reads rows from a file in one of the import formats into a summary.</summary>
    private delegate Task<ImportSummary> Ingest(CliSession session, RowCounter counter, TextReader reader, ImportFormat format,
        IProgress<ImportProgress> progress, int? batchSize, CancellationToken token);

    /// <summary>`import KIND FILE`: format from the extension or --format, progress bar, summary table or --json.</summary>
    private static Command FileCommand(string kind, string description, Ingest ingest)
    {
        var file = FileArgument();
        var command = new Command(kind, description) { file, Format, Json, ShowRejections, BatchSize };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, ct, async (session, token) =>
        {
            var path = parse.GetRequiredValue(file).FullName;
            ImportInput.CheckFile(path);
            var format = ImportFiles.FormatOf(path, parse.GetValue(Format));
            using var input = ImportInput.Open(path);
            await session.EnsureSchemaAsync(token);
            var summary = await ImportView.RunAsync(session, parse.GetValue(Json), input, (progress, counter) =>
                ingest(session, counter, input.Reader, format, progress, parse.GetValue(BatchSize), token));
            ImportView.PrintSummary(session, kind, path, summary, parse.GetValue(Json), parse.GetValue(ShowRejections));
            if (kind == "interactions")
            {
                await DerivePendingAsync(session, token);
            }
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Derives what an earlier import wrote without deriving and did not get to derive (it failed before its end), so
    /// an import run again after a failure ends with every customer derived. Said on the error stream: --json stays JSON.
    /// </summary>
    private static async Task DerivePendingAsync(CliSession session, CancellationToken token)
    {
        var (customers, _) = await new InteractionDerivations(session.Target, session.Get<IOptions<InteractionOptions>>().Value)
            .RecomputePendingAsync(null, token);
        if (customers > 0)
        {
            await session.Error.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Derived {customers:N0} customers an earlier import had written without deriving."));
        }
    }

    private static Command Twcs()
    {
        var file = FileArgument();
        var command = new Command("twcs", "Import the \"Customer Support on Twitter\" data set (twcs.csv): tweets as Social interactions threaded into cases, with first-response times.")
        {
            file, Json, ShowRejections, BatchSize,
        };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, ct, async (session, token) =>
        {
            var path = parse.GetRequiredValue(file).FullName;
            var json = parse.GetValue(Json);
            TwcsThreads threads;
            using (var index = ImportInput.Open(path))
            {
                await session.EnsureSchemaAsync(token);
                threads = await ImportView.IndexAsync(session, json, index, () => TwcsThreads.Build(TwcsImport.ReadTweets(index.Reader), token));
            }
            using var input = ImportInput.Open(path);
            var ingestor = session.Get<InteractionIngestor>();
            var summary = await ImportView.RunAsync(session, json, input, (progress, counter) =>
                ingestor.IngestAsync(counter.Count(threads.ToInteractions(TwcsImport.ReadTweets(input.Reader), session.Get<TimeProvider>().GetUtcNow().UtcDateTime)), progress,
                    parse.GetValue(BatchSize) ?? InteractionIngestor.DefaultBatchSize, token));
            if (summary.Duplicates > 0)
            {
                // Tweets stored by an earlier, smaller file: this file's threads may answer them or find their roots.
                using var again = ImportInput.Open(path);
                var now = session.Get<TimeProvider>().GetUtcNow().UtcDateTime;
                var refreshed = await TwcsRefresh.ApplyAsync(session.Target, threads.ToInteractions(TwcsImport.ReadTweets(again.Reader), now),
                    session.Get<IOptions<InteractionOptions>>().Value, now, token);
                if (refreshed > 0)
                {
                    await session.Error.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"Updated {refreshed:N0} stored tweets whose first response, brand or conversation this file's threads tell differently."));
                }
            }
            var report = await new FirstResponseReport(session.Target, session.Get<IOptions<InteractionOptions>>())
                .ComputeAsync(new FirstResponseQuery(Channel.Social, TwcsThreads.Prefix), token);
            if (json)
            {
                ImportView.PrintJson(session, ImportView.SummaryJson("twcs", path, summary, ImportView.ThreadsJson(threads), FirstResponseView.ToJson(report)));
            }
            else
            {
                ImportView.PrintSummary(session, "twcs", path, summary, json: false, parse.GetValue(ShowRejections));
                ImportView.PrintThreads(session, threads);
                FirstResponseView.PrintTable(session, report, "First response per brand (twcs, social SLA)");
            }
            await DerivePendingAsync(session, token);
            return 0;
        }));
        return command;
    }
}

/// <summary>The file being imported, opened once; its position drives the progress bar.</summary>
internal sealed class ImportInput : IDisposable
{
    private readonly FileStream _stream;

    private ImportInput(FileStream stream)
    {
        _stream = stream;
        Reader = ImportFiles.OpenText(stream);
    }

    public TextReader Reader { get; }
    public long Length => _stream.Length;
    public long Position => _stream.CanSeek ? _stream.Position : 0;

    public static ImportInput Open(string path)
    {
        CheckFile(path);
        return new ImportInput(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));
    }

    /// <summary>A folder given for the file is said to be one (it was "file not found", or "cannot tell the format").</summary>
    public static void CheckFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new CliException($"{path} is a folder, not a file: name the file to import.");
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"File not found: {path}", path);
        }
    }

    public void Dispose() => Reader.Dispose();
}
