using System.Globalization;
using Spectre.Console;
using Touchpoint.Interactions;

namespace Touchpoint.Cli.Reports;

internal static class FirstResponseView
{
    public static object ToJson(IReadOnlyList<FirstResponseRow> rows) => rows.Select(r => new
    {
        r.Queue,
        Channel = r.Channel.ToString(),
        r.CustomerContacts,
        r.Answered,
        r.AnsweredShare,
        r.MedianSeconds,
        r.P90Seconds,
        r.SlaSeconds,
        r.WithinSla,
        r.ShareWithinSla,
        ShareWithinSlaLow95 = r.SlaShare?.Interval95?.Low,
        ShareWithinSlaHigh95 = r.SlaShare?.Interval95?.High,
        MarginOfError95 = r.SlaShare?.MarginOfError95,
        SmallSample = r.IsSmallSample,
    }).ToList();

    public static void PrintTable(CliSession session, IReadOnlyList<FirstResponseRow> rows, string title)
    {
        if (rows.Count == 0)
        {
            session.Console.Write(new Text("No inbound interactions match.\n"));
            return;
        }
        var table = new Table().Title(title).AddColumn("queue").AddColumn("channel");
        foreach (var c in new[] { "customer contacts", "answered", "median", "p90", "SLA", "within SLA" })
        {
            table.AddColumn(new TableColumn(c).RightAligned());
        }
        foreach (var r in rows)
        {
            table.AddRow(
                new Text(r.Queue), new Text(r.Channel.ToKey()), new Text(N(r.CustomerContacts)),
                new Text(string.Create(CultureInfo.InvariantCulture, $"{N(r.Answered)} ({r.AnsweredShare:P0})")),
                new Text(Duration(r.MedianSeconds)), new Text(Duration(r.P90Seconds)), new Text(Duration(r.SlaSeconds)),
                new Text(r.SlaShare is { Share: { } share } sla
                    ? string.Create(CultureInfo.InvariantCulture, $"{share:P1} ±{sla.MarginOfError95 * 100:0.#} of {N(r.Answered)}{(r.IsSmallSample ? " (small)" : "")}")
                    : "–"));
        }
        session.Console.Write(table);
        session.Console.Write(new Text("Median, p90 and within SLA are over answered contacts (first response known); sample sizes shown; " +
            $"± is the 95 % margin of error (Wilson); \"small\" marks fewer than {Touchpoint.Metrics.Proportion.SmallSample} answered contacts.\n"));
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Seconds as "42 s", "12.5 min" or "3.2 h".</summary>
    private static string Duration(double? seconds) => seconds switch
    {
        null => "–",
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.#} s"),
        < 7_200 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.#} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:0.#} h"),
    };
}
