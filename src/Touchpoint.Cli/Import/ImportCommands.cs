using System.CommandLine;
using System.Text;
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

    private static readonly Option<int> ShowRejections = new("--show-rejections")
    {
        Description = "How many rejected rows the summary table lists.",
        DefaultValueFactory = _ => 20,
    };

    private static readonly Option<int?> BatchSize = new("--batch-size")
    {
        Description = "Rows written per transaction.",
    };

    public static Command Build()
    {
        var command = new Command("import", "Import customers or interactions from CSV or JSON Lines, or the twcs data set.");
        command.Subcommands.Add(Customers());
        command.Subcommands.Add(Interactions());
        command.Subcommands.Add(Twcs());
        return command;
    }

    private static Argument<FileInfo> FileArgument() => new("file") { Description = "The file to import." };

    private static Command Customers()
    {
        var file = FileArgument();
        var command = new Command("customers", "Create or update customers (idempotent on external_id and identities).") { file, Format, Json, ShowRejections, BatchSize };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, ct, async (session, token) =>
        {
            var path = parse.GetRequiredValue(file).FullName;
            var format = ImportFiles.FormatOf(path, parse.GetValue(Format));
            using var input = ImportInput.Open(path);
            await session.EnsureSchemaAsync(token);
            var ingestor = session.Get<CustomerIngestor>();
            var summary = await ImportView.RunAsync(session, parse.GetValue(Json), input, (progress, counter) =>
                ingestor.IngestAsync(counter.Count(ImportFiles.ReadCustomers(input.Reader, format)), progress, parse.GetValue(BatchSize) ?? 5_000, token));
            ImportView.PrintSummary(session, "customers", path, summary, parse.GetValue(Json), parse.GetValue(ShowRejections));
            return 0;
        }));
        return command;
    }

    private static Command Interactions()
    {
        var file = FileArgument();
        var command = new Command("interactions", "Import interactions (idempotent on external_id), then derive cases, repeats, FCR and SLA.") { file, Format, Json, ShowRejections, BatchSize };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, ct, async (session, token) =>
        {
            var path = parse.GetRequiredValue(file).FullName;
            var format = ImportFiles.FormatOf(path, parse.GetValue(Format));
            using var input = ImportInput.Open(path);
            await session.EnsureSchemaAsync(token);
            var ingestor = session.Get<InteractionIngestor>();
            var summary = await ImportView.RunAsync(session, parse.GetValue(Json), input, (progress, counter) =>
                ingestor.IngestAsync(counter.Count(ImportFiles.ReadInteractions(input.Reader, format)), progress,
                    parse.GetValue(BatchSize) ?? InteractionIngestor.DefaultBatchSize, token));
            ImportView.PrintSummary(session, "interactions", path, summary, parse.GetValue(Json), parse.GetValue(ShowRejections));
            return 0;
        }));
        return command;
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
                ingestor.IngestAsync(counter.Count(threads.ToInteractions(TwcsImport.ReadTweets(input.Reader))), progress,
                    parse.GetValue(BatchSize) ?? InteractionIngestor.DefaultBatchSize, token));
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
        Reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    public TextReader Reader { get; }
    public long Length => _stream.Length;
    public long Position => _stream.CanSeek ? _stream.Position : 0;

    public static ImportInput Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"File not found: {path}", path);
        }
        return new ImportInput(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));
    }

    public void Dispose() => Reader.Dispose();
}
