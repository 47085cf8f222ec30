using System.Net;
using Microsoft.AspNetCore.Html;
using Touchpoint.Storage;
using static Touchpoint.Server.Platform.SharedResource;

namespace Touchpoint.Server.Pages.Shared;

/// <summary>Column headers that sort a server-rendered list by following a link, as help desks' lists do.</summary>
public static class SortHeader
{
    /// <summary>
    /// A <c>th</c> whose label links to the list sorted by <paramref name="key"/>: the current column's link reverses its
    /// direction; another column's starts <paramref name="descendingFirst"/> (dates and durations newest or longest first).
    /// The current column carries aria-sort and an arrow.
    /// </summary>
    public static IHtmlContent Column<TKey>(string label, TKey key, ListSort<TKey> current, Func<ListSort<TKey>, string> url,
        bool descendingFirst = false, string? cssClass = null) where TKey : struct, Enum
    {
        var active = EqualityComparer<TKey>.Default.Equals(current.Key, key);
        var next = active ? current with { Descending = !current.Descending } : new ListSort<TKey>(key, descendingFirst);
        var aria = active ? $" aria-sort=\"{(current.Descending ? "descending" : "ascending")}\"" : "";
        var arrow = active ? $"<span class=\"sort-arrow\" aria-hidden=\"true\">{(current.Descending ? "▼" : "▲")}</span>" : "";
        var css = WebUtility.HtmlEncode(string.Join(' ', new[] { "sortable", cssClass }.Where(c => c is not null)));
        var title = WebUtility.HtmlEncode(next.Descending ? Text("Sort.Descending") : Text("Sort.Ascending"));
        return new HtmlString(
            $"<th class=\"{css}\" data-sort=\"{ListSort<TKey>.KeyName(key)}\"{aria}><a href=\"{WebUtility.HtmlEncode(url(next))}\" title=\"{title}\">"
            + $"{WebUtility.HtmlEncode(label)}{arrow}</a></th>");
    }
}
