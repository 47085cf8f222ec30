using System.Globalization;
using Microsoft.AspNetCore.Html;
using Touchpoint.Interactions;

namespace Touchpoint.Server.Pages.Shared;

/// <summary>How pages write numbers, instants, durations and channels, so every table reads the same.</summary>
public static class Display
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static string Number(long value) => value.ToString("N0", Culture);

    public static string Number(double value, int decimals = 0) => value.ToString("N" + decimals.ToString(Culture), Culture);

    /// <summary>Instants are shown in UTC (the pages say so); a machine-readable value travels in the time element.</summary>
    public static IHtmlContent Time(DateTime? utc, string format = "yyyy-MM-dd HH:mm") => utc is { } t
        ? new HtmlString($"<time datetime=\"{t.ToString("yyyy-MM-ddTHH:mm:ssZ", Culture)}\">{t.ToString(format, Culture)}</time>")
        : new HtmlString("<span class=\"muted\">–</span>");

    public static string Date(DateTime? utc) => utc?.ToString("yyyy-MM-dd", Culture) ?? "–";

    /// <summary>Fractional seconds (medians, percentiles) rounded to whole seconds.</summary>
    public static string Duration(double? seconds) => Duration(seconds is { } s ? (int)Math.Round(s) : null);

    /// <summary>Seconds as people read them: "45s", "4m 05s", "2h 10m", "3d 4h".</summary>
    public static string Duration(int? seconds)
    {
        if (seconds is not { } s)
        {
            return "–";
        }
        var t = TimeSpan.FromSeconds(s);
        return t.TotalSeconds switch
        {
            < 60 => $"{s}s",
            < 3600 => $"{t.Minutes}m {t.Seconds:00}s",
            < 86400 => $"{(int)t.TotalHours}h {t.Minutes:00}m",
            _ => $"{(int)t.TotalDays}d {t.Hours}h",
        };
    }

    public static string Label(this Channel channel) => channel switch
    {
        Channel.Phone => "Phone",
        Channel.Email => "Email",
        Channel.Chat => "Chat",
        Channel.Sms => "SMS",
        Channel.Social => "Social",
        Channel.SelfService => "Self-service",
        Channel.InApp => "In-app",
        Channel.Bot => "Bot",
    };

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
        new HtmlString($"<span class=\"channel\" data-channel=\"{channel.ToKey()}\"><i style=\"background:{channel.Color()}\"></i>{channel.Label()}</span>");

    /// <summary>Whether a subject says more than the reason next to it (sources often copy one into the other).</summary>
    public static bool Adds(string? subject, string? reason) =>
        !string.IsNullOrWhiteSpace(subject) && !string.Equals(subject.Trim(), reason?.Trim(), StringComparison.OrdinalIgnoreCase);

    public static string Label(this Outcome outcome) => outcome switch
    {
        Outcome.Resolved => "Resolved",
        Outcome.Unresolved => "Unresolved",
        Outcome.Escalated => "Escalated",
        Outcome.Abandoned => "Abandoned",
        Outcome.FollowUp => "Follow-up",
    };

    public static string Arrow(this Direction direction) => direction == Direction.Inbound ? "← in" : "→ out";

    /// <summary>The derived facts of an interaction as small tags; SLA shows only where the channel has a target.</summary>
    public static IHtmlContent Flags(InteractionSummary i) => Flags(i.IsRepeat, i.FirstContactResolved, i.ChannelSwitch, i.SlaMet);

    public static IHtmlContent Flags(bool repeat, bool fcr, bool channelSwitch, bool? slaMet)
    {
        var tags = new List<string>();
        if (fcr)
        {
            tags.Add("<span class=\"tag ok\" title=\"Resolved on the first contact of its case\">FCR</span>");
        }
        if (repeat)
        {
            tags.Add("<span class=\"tag warn\" title=\"Same customer and reason (or case) within the repeat window\">Repeat</span>");
        }
        if (channelSwitch)
        {
            tags.Add("<span class=\"tag warn\" title=\"The previous contact of this case was on another channel\">Switch</span>");
        }
        if (slaMet is { } met)
        {
            tags.Add(met
                ? "<span class=\"tag ok\" title=\"First response within the channel's SLA\">SLA met</span>"
                : "<span class=\"tag bad\" title=\"First response slower than the channel's SLA\">SLA missed</span>");
        }
        return new HtmlString(string.Join(" ", tags));
    }

    /// <summary>A URL with one query value changed and empty values dropped, for paging links that keep the filters.</summary>
    public static string WithQuery(string path, IEnumerable<KeyValuePair<string, string?>> values) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(path, values.Where(v => !string.IsNullOrEmpty(v.Value)));
}
