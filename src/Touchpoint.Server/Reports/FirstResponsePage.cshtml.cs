using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Touchpoint.Interactions;
using Touchpoint.Server.Pages.Shared;
using Touchpoint.Server.Platform;

namespace Touchpoint.Server.Reports;

/// <summary>First response per queue (brand) and channel, the same figures as `touchpoint report first-response`.</summary>
public sealed class FirstResponsePageModel(FirstResponseReport report) : PageModel
{
    /// <summary>Below this many answered contacts a median or p90 moves a lot from one week to the next; such rows are flagged.</summary>
    public const int SmallSample = Touchpoint.Metrics.Proportion.SmallSample;

    public const int ChartQueues = 20;

    [BindProperty(SupportsGet = true, Name = "channel"), Display(Name = "Column.Channel")] public Channel? Channel { get; set; }
    [BindProperty(SupportsGet = true, Name = "from"), Display(Name = "Common.From")] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true, Name = "to"), Display(Name = "Common.To")] public DateOnly? To { get; set; }

    public IReadOnlyList<FirstResponseRow> Rows { get; private set; } = [];

    public bool Filtered => Channel is not null || From is not null || To is not null;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (From > To)
        {
            // A reversed range matches nothing, and the page said only that nothing matched.
            ModelState.AddModelError("to", SharedResource.Text("Validation.RangeReversed"));
        }
        if (!ModelState.IsValid)
        {
            return;
        }
        Rows = await report.ComputeAsync(new FirstResponseQuery(Channel, From: From, To: To), cancellationToken);
    }

    public static bool IsSmall(FirstResponseRow row) => row.IsSmallSample;

    /// <summary>
    /// Median and p90 of the busiest queues, each bar labelled with its sample size: in minutes, or, when the bars span
    /// more than <see cref="LogScaleSpan"/> times (phone answered in seconds, email in hours), in seconds on a
    /// logarithmic axis ticked in whole units, where minutes drew the phone queues as empty.
    /// </summary>
    public BarChart Chart(string title, string categoryHeader, string median, string p90, string minutes, string logScale, string summary)
    {
        var shown = Rows.Where(r => r.Answered > 0).Take(ChartQueues).ToList();
        var oneChannel = shown.Select(r => r.Channel).Distinct().Count() <= 1;
        var categories = shown.Select(r => (oneChannel ? r.Queue : $"{r.Queue} · {r.Channel.Label()}")
            + $" (n={r.Answered.ToString("N0", CultureInfo.CurrentCulture)})").ToList();
        var positive = shown.SelectMany(r => new[] { r.MedianSeconds, r.P90Seconds }).OfType<double>().Where(s => s > 0).ToList();
        var log = positive.Count > 0 && positive.Max() / Math.Max(positive.Min(), 1) > LogScaleSpan;
        BarSeries Series(string name, Func<FirstResponseRow, double?> seconds, string color) => new(name,
            // On a log axis a bar of 0 has no height; under a second is drawn as one.
            shown.Select(r => seconds(r) is { } s ? log ? Math.Max(s, 1) : Math.Round(s / 60, 2) : (double?)null).ToList(),
            shown.Select(r => Display.Duration(seconds(r))).ToList(), color);
        return new BarChart("first-response-chart", title, categoryHeader, categories,
            [Series(median, r => r.MedianSeconds, "#2456d6"), Series(p90, r => r.P90Seconds, "#c2680c")])
        {
            ValueAxisTitle = log ? logScale : minutes,
            Summary = summary,
            Height = 340,
            LogTicks = log ? LogTickSeconds.Where(t => t <= positive.Max() * 10).Select(t => ((double)t, Display.WholeDuration(t))).ToList() : null,
        };
    }

    public const double LogScaleSpan = 100;

    private static readonly long[] LogTickSeconds = [1, 10, 60, 600, 3600, 86_400, 864_000];
}
