using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Html;
using Touchpoint.Interactions;
using static Touchpoint.Server.Platform.SharedResource;

namespace Touchpoint.Server.Pages.Shared;

/// <summary>
/// How pages write numbers, instants, durations and enum values, so every table reads the same; numbers and dates
/// in the request's culture, words from the shared resources.
/// </summary>
public static class Display
{
    private static CultureInfo Culture => CultureInfo.CurrentCulture;

    public static string Number(long value) => value.ToString("N0", Culture);

    public static string Number(double value, int decimals = 0) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), Culture);

    /// <summary>
    /// Instants are shown in UTC (the pages say so) in the culture's short ("g") or another standard format (English is
    /// year first on a 24-hour clock, see <see cref="Platform.Languages"/>); a machine-readable value travels in the time element.
    /// </summary>
    public static IHtmlContent Time(DateTime? utc, string format = "g") => utc is { } t
        ? new HtmlString($"<time datetime=\"{t.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}\">{WebUtility.HtmlEncode(t.ToString(format, Culture))}</time>")
        : new HtmlString("<span class=\"muted\">–</span>");

    public static string Date(DateTime? utc) => utc?.ToString("d", Culture) ?? "–";

    /// <summary>About 28,000 years: a TimeSpan holds this many seconds, a stored row's nonsense may hold more.</summary>
    private const long MaxSeconds = 900_000_000_000;

    /// <summary>Fractional seconds (medians, percentiles) rounded to whole seconds.</summary>
    public static string Duration(double? seconds) => Duration(seconds is { } s ? (long)Math.Round(Math.Clamp(s, -MaxSeconds, MaxSeconds)) : null);

    /// <summary>Seconds as people read them: "45s", "4m 05s", "2h 10m", "3d 4h" (units from the resources).</summary>
    public static string Duration(long? seconds)
    {
        if (seconds is not { } s)
        {
            return "–";
        }
        var t = TimeSpan.FromSeconds(Math.Clamp(s, -MaxSeconds, MaxSeconds));
        return t.TotalSeconds switch
        {
            < 60 => Text("Duration.Seconds", s),
            < 3600 => Text("Duration.Minutes", t.Minutes, t.Seconds),
            < 86400 => Text("Duration.Hours", (int)t.TotalHours, t.Minutes),
            _ => Text("Duration.Days", (int)t.TotalDays, t.Hours),
        };
    }

    /// <summary>A whole number of seconds, minutes, hours or days in its largest unit ("10s", "1m", "10h", "1d"), for axis ticks.</summary>
    public static string WholeDuration(long seconds) => seconds switch
    {
        < 60 => Text("Duration.Seconds", seconds),
        < 3600 => Text("Duration.WholeMinutes", seconds / 60),
        < 86_400 => Text("Duration.WholeHours", seconds / 3600),
        _ => Text("Duration.WholeDays", seconds / 86_400),
    };

    /// <summary>An enum value in the UI language (Channel.Phone, Outcome.FollowUp, ...).</summary>
    public static string Label<TEnum>(this TEnum value) where TEnum : struct, Enum => Text(typeof(TEnum).Name + "." + value);

    /// <summary>One colour per channel, shared by the channel badges and the chart, so a channel looks the same everywhere.</summary>
    public static string Color(this Channel channel) => channel switch
    {
        Channel.Phone => "#2456d6",
        Channel.Email => "#7a4cc2",
        Channel.Chat => "#0f8a7e",
        Channel.Sms => "#c2680c",
        Channel.Social => "#c23b6e",
        Channel.SelfService => "#5b6478",
        Channel.InApp => "#2a8fbd",
        Channel.Bot => "#8a7a12",
    };

    /// <summary>The channel as a small coloured badge with its name (the colour alone would not be accessible).</summary>
    public static IHtmlContent Badge(this Channel channel) =>
        new HtmlString($"<span class=\"channel\" data-channel=\"{channel.ToKey()}\"><i style=\"background:{channel.Color()}\"></i>{WebUtility.HtmlEncode(channel.Label())}</span>");

    /// <summary>Whether a subject says more than the reason next to it (sources often copy one into the other).</summary>
    public static bool Adds(string? subject, string? reason) =>
        !string.IsNullOrWhiteSpace(subject) && !string.Equals(subject.Trim(), reason?.Trim(), StringComparison.OrdinalIgnoreCase);

    public static string Arrow(this Direction direction) => Text(direction == Direction.Inbound ? "Direction.Arrow.Inbound" : "Direction.Arrow.Outbound");

    /// <summary>The derived facts of an interaction as small tags; SLA shows only where the channel has a target.</summary>
    public static IHtmlContent Flags(InteractionSummary i) => Flags(i.IsRepeat, i.FirstContactResolved, i.ChannelSwitch, i.SlaMet);

    public static IHtmlContent Flags(bool repeat, bool fcr, bool channelSwitch, bool? slaMet)
    {
        var tags = new List<string>();
        if (fcr)
        {
            tags.Add(Tag("ok", "fcr", "Flag.Fcr"));
        }
        if (repeat)
        {
            tags.Add(Tag("warn", "repeat", "Flag.Repeat"));
        }
        if (channelSwitch)
        {
            tags.Add(Tag("warn", "switch", "Flag.Switch"));
        }
        if (slaMet is { } met)
        {
            tags.Add(met ? Tag("ok", "sla-met", "Flag.SlaMet") : Tag("bad", "sla-missed", "Flag.SlaMissed"));
        }
        return new HtmlString(string.Join(" ", tags));
    }

    private static string Tag(string tone, string flag, string key) =>
        $"<span class=\"tag {tone}\" data-flag=\"{flag}\" title=\"{WebUtility.HtmlEncode(Text(key + ".Title"))}\">{WebUtility.HtmlEncode(Text(key))}</span>";

    /// <summary>A URL with one query value changed and empty values dropped, for paging links that keep the filters.</summary>
    public static string WithQuery(string path, IEnumerable<KeyValuePair<string, string?>> values) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(path, values.Where(v => !string.IsNullOrEmpty(v.Value)));
}
