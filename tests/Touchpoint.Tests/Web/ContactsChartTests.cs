using System.Xml.Linq;
using Touchpoint.Interactions;
using Touchpoint.Server.Customers;

namespace Touchpoint.Tests.Web;

public sealed class ContactsChartTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(11, 20)]
    [InlineData(130, 200)]
    public void AxisMaximum_IsRound(int value, int expected) => Assert.Equal(expected, ContactsChart.NiceCeiling(value));

    [Fact]
    public void Chart_IsWellFormedSvg_WithOneTitledSegmentPerMonthAndChannel_AndAnAccessibleSummary()
    {
        var months = new List<MonthlyContacts>
        {
            new(new DateOnly(2026, 1, 1), new Dictionary<Channel, int> { [Channel.Phone] = 2, [Channel.Chat] = 1 }),
            new(new DateOnly(2026, 2, 1), new Dictionary<Channel, int>()),
            new(new DateOnly(2026, 3, 1), new Dictionary<Channel, int> { [Channel.Phone] = 4 }),
        };

        var html = ContactsChart.Render(months).ToString()!;
        var figure = XElement.Parse(html);
        XNamespace none = "";
        var svg = figure.Element("svg")!;

        Assert.Equal("img", svg.Attribute("role")?.Value);
        Assert.Equal("7 contacts from Jan 2026 to Mar 2026: Phone 6, Chat 1.", svg.Element("desc")?.Value);
        Assert.Equal(["Jan 2026 · Phone: 2", "Jan 2026 · Chat: 1", "Mar 2026 · Phone: 4"],
            svg.Elements("rect").Select(r => r.Element("title")!.Value));
        // The tallest bar reaches the top of the axis (5 here), so heights are proportional: 4 of 5.
        var heights = svg.Elements("rect").Select(r => double.Parse(r.Attribute("height")!.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(heights[2] / 4 * 2, heights[0], 0.2);
        Assert.Equal(["Phone 6", "Chat 1"], figure.Element("figcaption")!.Elements("span").Select(s => s.Value));
    }
}
