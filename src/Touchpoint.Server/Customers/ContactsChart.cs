using System.Globalization;
using Touchpoint.Interactions;
using Touchpoint.Server.Pages.Shared;
using Touchpoint.Server.Platform;
using static Touchpoint.Server.Platform.SharedResource;

namespace Touchpoint.Server.Customers;

/// <summary>
/// Contacts per month by channel for the customer 360 page: stacked bars, one series per channel that has contacts,
/// months and words in the request's culture.
/// </summary>
public static class ContactsChart
{
    public static BarChart Build(IReadOnlyList<MonthlyContacts> months, string id = "contacts-chart")
    {
        var channels = Enum.GetValues<Channel>().Where(ch => months.Any(m => m.ByChannel.ContainsKey(ch))).ToList();
        var series = channels.Select(ch =>
        {
            var counts = months.Select(m => m.ByChannel.GetValueOrDefault(ch)).ToList();
            return new BarSeries(ch.Label(), counts.Select(c => (double?)c).ToList(), counts.Select(c => Display.Number(c)).ToList(), ch.Color());
        }).ToList();
        var total = months.Sum(m => m.Total);
        var byChannel = string.Join(", ", channels.Select(ch => $"{ch.Label()} {Display.Number(months.Sum(m => m.ByChannel.GetValueOrDefault(ch)))}"));
        return new BarChart(id, Text("ContactsChart.Title"), Text("ContactsChart.Month"),
            months.Select(m => m.Month.ToString("MMM yyyy", CultureInfo.CurrentCulture)).ToList(), series)
        {
            Stacked = true,
            ValueAxisTitle = Text("ContactsChart.Contacts"),
            Summary = total == 0 ? Text("ContactsChart.Empty") : Text("ContactsChart.Summary", Plural("ContactsChart.Total", total), byChannel),
        };
    }
}
