using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Touchpoint.Demo;

namespace Touchpoint.Cli.Demo;

/// <summary>`demo [--customers N]`: the demo data set, through the same ingestion path as real data.</summary>
internal static class DemoCommand
{
    public static Command Build()
    {
        var customers = new Option<int>("--customers") { Description = "How many customers to generate.", DefaultValueFactory = _ => DemoSize.Default.Customers }
            .WholeNumber(1, 10_000_000);
        var seed = new Option<int>("--seed") { Description = "Random seed (the same seed gives the same data).", DefaultValueFactory = _ => DemoSize.Default.Seed }
            .WholeNumber(int.MinValue, int.MaxValue);
        var command = new Command("demo", "Generate the demo data set: customers, agents, two years of interactions with transcripts, cases and feedback.") { customers, seed };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, ct, async (session, token) =>
        {
            await session.EnsureSchemaAsync(token);
            var size = DemoSize.Default with { Customers = parse.GetValue(customers), Agents = Math.Min(DemoSize.Default.Agents, Math.Max(5, parse.GetValue(customers) / 100)), Seed = parse.GetValue(seed) };
            var generator = session.Get<DemoDataGenerator>();
            DemoSummary summary;
            if (session.Interactive)
            {
                summary = await session.Console.Status().StartAsync($"Generating demo data for {size.Customers:N0} customers…", _ => generator.GenerateAsync(size, cancellationToken: token));
            }
            else
            {
                summary = await generator.GenerateAsync(size, cancellationToken: token);
            }
            var table = new Table().Title("Demo data").AddColumn("").AddColumn(new TableColumn("created").RightAligned());
            foreach (var (label, value) in new (string, long)[]
                     {
                         ("customers", summary.Customers), ("agents", summary.Agents), ("interactions", summary.Interactions),
                         ("cases", summary.Cases), ("feedback responses", summary.Feedback),
                     })
            {
                table.AddRow(new Text(label), new Text(value.ToString("N0", CultureInfo.InvariantCulture)));
            }
            table.AddRow(new Text("elapsed"), new Text(summary.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s"));
            session.Console.Write(table);
            return 0;
        }));
        return command;
    }
}
