using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;
using Touchpoint.Interactions;
using Touchpoint.Server.Pages.Shared;

namespace Touchpoint.Server.Customers;

/// <summary>
/// Contacts per month by channel as an inline SVG stacked bar chart, rendered on the server: it needs no script,
/// prints, and works offline. The SVG has a title and a description with the totals; each bar segment carries its
/// own title (shown on hover and read by screen readers); the legend is HTML beside it.
/// </summary>
public static class ContactsChart
{
    private const int Width = 1000;
    private const int Height = 200;
    private const int Left = 32;
    private const int Bottom = 22;
    private const int Top = 8;

    public static IHtmlContent Render(IReadOnlyList<MonthlyContacts> months, string id = "contacts-chart")
    {
        var ci = CultureInfo.InvariantCulture;
        var total = months.Sum(m => m.Total);
        var channels = Enum.GetValues<Channel>().Where(ch => months.Any(m => m.ByChannel.ContainsKey(ch))).ToList();
        var max = Math.Max(1, months.Count == 0 ? 0 : months.Max(m => m.Total));
        var scaleMax = NiceCeiling(max);
        var plotHeight = Height - Top - Bottom;
        var slot = (double)(Width - Left - 4) / Math.Max(1, months.Count);
        var barWidth = Math.Max(2, slot * 0.7);

        var sb = new StringBuilder();
        var range = months.Count == 0 ? "" : $" from {months[0].Month:MMM yyyy} to {months[^1].Month:MMM yyyy}";
        var byChannel = string.Join(", ", channels.Select(ch => $"{ch.Label()} {Display.Number(months.Sum(m => m.ByChannel.GetValueOrDefault(ch)))}"));
        sb.Append(ci, $"<figure class=\"chart\"><svg id=\"{id}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" preserveAspectRatio=\"xMidYMid meet\">");
        sb.Append(ci, $"<title id=\"{id}-title\">Contacts per month by channel</title>");
        sb.Append(ci, $"<desc id=\"{id}-desc\">{Display.Number(total)} contacts{range}{(byChannel.Length > 0 ? ": " + WebUtility.HtmlEncode(byChannel) : "")}.</desc>");

        // Grid lines at 0, the top of the scale and, when it is a whole number, half way.
        int[] ticks = scaleMax % 2 == 0 ? [0, scaleMax / 2, scaleMax] : [0, scaleMax];
        foreach (var tick in ticks)
        {
            var y = Top + plotHeight - (double)tick / scaleMax * plotHeight;
            sb.Append(ci, $"<line x1=\"{Left}\" x2=\"{Width}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" class=\"grid\"/>");
            sb.Append(ci, $"<text x=\"{Left - 4}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" class=\"axis\">{Display.Number(tick)}</text>");
        }
        for (var n = 0; n < months.Count; n++)
        {
            var month = months[n];
            var x = Left + n * slot + (slot - barWidth) / 2;
            var y = (double)(Top + plotHeight);
            foreach (var ch in channels)
            {
                if (month.ByChannel.GetValueOrDefault(ch) is var count and > 0)
                {
                    var h = (double)count / scaleMax * plotHeight;
                    y -= h;
                    sb.Append(ci, $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{barWidth:0.#}\" height=\"{h:0.#}\" fill=\"{ch.Color()}\"><title>{month.Month:MMM yyyy} · {ch.Label()}: {count}</title></rect>");
                }
            }
            // Every third month is labelled; the rest would overlap.
            if (n % 3 == 0 || n == months.Count - 1)
            {
                sb.Append(ci, $"<text x=\"{x + barWidth / 2:0.#}\" y=\"{Height - 6}\" text-anchor=\"middle\" class=\"axis\">{month.Month.ToString("MMM yy", ci)}</text>");
            }
        }
        sb.Append("</svg><figcaption class=\"legend\">");
        if (channels.Count == 0)
        {
            sb.Append("<span class=\"muted\">No contacts in this period.</span>");
        }
        foreach (var ch in channels)
        {
            sb.Append(ci, $"<span><i style=\"background:{ch.Color()}\"></i>{ch.Label()} {Display.Number(months.Sum(m => m.ByChannel.GetValueOrDefault(ch)))}</span>");
        }
        sb.Append("</figcaption></figure>");
        return new HtmlString(sb.ToString());
    }

    /// <summary>A round axis maximum (1, 2, 5, 10, 20, ...) at or above <paramref name="value"/>.</summary>
    public static int NiceCeiling(int value)
    {
        var step = 1;
        while (true)
        {
            foreach (var m in new[] { 1, 2, 5 })
            {
                if (step * m >= value)
                {
                    return step * m;
                }
            }
            step *= 10;
        }
    }
}
