using System.CommandLine;
using Touchpoint.Cli.Import;
using Touchpoint.Import;
using Touchpoint.Interactions;

namespace Touchpoint.Cli.Reports;

/// <summary>`report first-response`.</summary>
internal static class ReportCommands
{
    public static Command Build()
    {
        var command = new Command("report", "Reports computed from the stored data.");
        command.Subcommands.Add(FirstResponse());
        return command;
    }

    private static Command FirstResponse()
    {
        var channel = new Option<string?>("--channel") { Description = "Only this channel (phone, email, chat, sms, social, ...)." };
        var casePrefix = new Option<string?>("--case-prefix") { Description = "Only interactions whose case external id starts with this (e.g. twcs:)." };
        var from = new Option<DateOnly?>("--from") { Description = "Only contacts started on or after this UTC day (yyyy-mm-dd)." }.Day();
        var to = new Option<DateOnly?>("--to") { Description = "Only contacts started on or before this UTC day (yyyy-mm-dd)." }.Day();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var command = new Command("first-response", "First response per queue (brand) and channel: answered, median, p90, share within SLA, with sample sizes.")
        {
            channel, casePrefix, from, to, json,
        };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, ct, async (session, token) =>
        {
            Channel? only = parse.GetValue(channel) is { } name ? Cells.Channel("--channel", name) : null;
            await session.EnsureSchemaAsync(token);
            var rows = await session.Get<FirstResponseReport>().ComputeAsync(new FirstResponseQuery(only, parse.GetValue(casePrefix), parse.GetValue(from), parse.GetValue(to)), token);
            if (parse.GetValue(json))
            {
                ImportView.PrintJson(session, FirstResponseView.ToJson(rows));
            }
            else
            {
                FirstResponseView.PrintTable(session, rows, "First response per queue and channel");
            }
            return 0;
        }));
        return command;
    }
}
