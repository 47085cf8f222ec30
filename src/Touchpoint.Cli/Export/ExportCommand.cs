using System.CommandLine;
using System.Globalization;
using System.Text;
using Touchpoint.Import;

namespace Touchpoint.Cli.Export;

/// <summary>`export customers|interactions --format csv|jsonl --out FILE`: streamed from the database, re-importable.</summary>
internal static class ExportCommand
{
    public static Command Build()
    {
        var what = new Argument<string>("what") { Description = "customers or interactions" };
        what.AcceptOnlyFromAmong("customers", "interactions");
        var format = new Option<string?>("--format") { Description = "csv or jsonl (default: from --out's extension, else csv)." };
        format.AcceptOnlyFromAmong("csv", "jsonl", "json");
        var output = new Option<FileInfo?>("--out", "-o") { Description = "File to write (default: standard output)." };
        var command = new Command("export", "Export customers or interactions in the import file formats.") { what, format, output };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, ct, async (session, token) =>
        {
            var file = parse.GetValue(output);
            var chosen = parse.GetValue(format) is { } f ? ImportFiles.FormatOf("", f)
                : file is not null && file.Extension.Length > 0 && file.Extension != ".csv" ? ImportFiles.FormatOf(file.FullName)
                : ImportFormat.Csv;
            await session.EnsureSchemaAsync(token);
            var writer = file is null ? session.Output : new StreamWriter(file.FullName, append: false, new UTF8Encoding(false), 1 << 16);
            long count;
            try
            {
                count = parse.GetRequiredValue(what) == "customers"
                    ? await RecordExport.WriteAsync(RecordExport.CustomersAsync(session.Target, session.Get<Microsoft.Extensions.Options.IOptions<Touchpoint.Customers.CustomerOptions>>().Value.PhoneRegion, cancellationToken: token), writer, chosen, CustomerRecord.Fields, token)
                    : await RecordExport.WriteAsync(RecordExport.InteractionsAsync(session.Target, token), writer, chosen, InteractionRecord.Fields, token);
            }
            finally
            {
                if (file is not null)
                {
                    await writer.DisposeAsync();
                }
            }
            if (file is not null)
            {
                await session.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Exported {count:N0} {parse.GetRequiredValue(what)} to {file.FullName}"));
            }
            return 0;
        }));
        return command;
    }
}
