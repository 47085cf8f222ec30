using System.Net;
using System.Text.Json;
using Touchpoint.Interactions;
using Touchpoint.Server.Customers;
using Touchpoint.Server.Platform;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Web;

public sealed class ContactsChartTests
{
    private static readonly List<MonthlyContacts> Months =
    [
        new(new DateOnly(2026, 1, 1), new Dictionary<Channel, int> { [Channel.Phone] = 2, [Channel.Chat] = 1 }),
        new(new DateOnly(2026, 2, 1), new Dictionary<Channel, int>()),
        new(new DateOnly(2026, 3, 1), new Dictionary<Channel, int> { [Channel.Phone] = 4 }),
    ];

    [Fact]
    public void PlotlyTexts_AreEscaped_SoAStoredNameIsDrawnAsItIs_NotReadAsMarkup()
    {
        // Plotly reads <b>, <br> and <a> in its texts and entities like &lt;: a queue named "a<b>x</b>" was drawn in bold.
        var chart = new BarChart("c", "title", "queue", ["a<b>x</b> & co"], [new BarSeries("median <i>", [1.0], ["1 s &lt;"])])
        {
            ValueAxisTitle = "seconds <br>",
        };

        var figure = JsonDocument.Parse(chart.ToPlotlyJson()).RootElement;

        var series = figure.GetProperty("data")[0];
        Assert.Equal("a&lt;b&gt;x&lt;/b&gt; &amp; co", series.GetProperty("x")[0].GetString());
        Assert.Equal("median &lt;i&gt;", series.GetProperty("name").GetString());
        Assert.Equal("1 s &amp;lt;", series.GetProperty("text")[0].GetString());
        Assert.Equal("seconds &lt;br&gt;", figure.GetProperty("layout").GetProperty("yaxis").GetProperty("title").GetProperty("text").GetString());
        // The table beside the chart shows the stored text; Razor encodes it once.
        Assert.Equal("a<b>x</b> & co", chart.Categories[0]);
    }

    [Fact]
    public void Chart_HasOneStackedSeriesPerChannelWithContacts_AndOneBucketPerMonth_EmptyMonthsIncluded()
    {
        var chart = ContactsChart.Build(Months);

        Assert.True(chart.Stacked);
        Assert.Equal(3, chart.Categories.Count);
        // Channels in their usual order, only those with contacts; a zero for a month without any.
        Assert.Equal(["Phone", "Chat"], chart.Series.Select(s => s.Name));
        Assert.Equal([2.0, 0, 4], chart.Series[0].Values);
        Assert.Equal([1.0, 0, 0], chart.Series[1].Values);
        Assert.Equal("7 contacts: Phone 6, Chat 1.", chart.Summary);
    }

    [Fact]
    public void PlotlyFigure_IsJsonWithTheSameSeries_AndStacksTheBars()
    {
        var figure = JsonDocument.Parse(ContactsChart.Build(Months).ToPlotlyJson()).RootElement;

        Assert.Equal("stack", figure.GetProperty("layout").GetProperty("barmode").GetString());
        var data = figure.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["Phone", "Chat"], data.Select(d => d.GetProperty("name").GetString()));
        Assert.All(data, d => Assert.Equal("bar", d.GetProperty("type").GetString()));
        Assert.Equal([2.0, 0, 4], data[0].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(3, data[0].GetProperty("x").GetArrayLength());
    }

    [Fact]
    public void NoContacts_NoSeries_AndTheSummarySaysSo()
    {
        var chart = ContactsChart.Build([new(new DateOnly(2026, 1, 1), new Dictionary<Channel, int>())]);

        Assert.Empty(chart.Series);
        Assert.Equal("No contacts in this period.", chart.Summary);
    }

    [Fact]
    public async Task PlotlyScript_FromThePackage_IsServedByTheTestHostToo()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = new ServerHost(database);
        using var client = host.Browser();

        using var response = await client.GetAsync(BarChart.PlotlyScript, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("plotly", (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))[..2000], StringComparison.OrdinalIgnoreCase);
    }
}
