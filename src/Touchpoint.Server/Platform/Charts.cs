using System.Text.Json;

namespace Touchpoint.Server.Platform;

/// <summary>One series of a bar chart: a value per category (null: no value), and how each value reads in text.</summary>
public sealed record BarSeries(string Name, IReadOnlyList<double?> Values, IReadOnlyList<string> Labels, string? Color = null);

/// <summary>
/// A bar chart drawn in the browser by plotly.js, which Plotly.Blazor ships as a static web asset (NuGet at build time:
/// no CDN, no Node). The page renders the partial _Chart.cshtml: a container with role="img" and the title as its name,
/// the data as JSON in a data- attribute (wwwroot/js/charts.js draws it), and the same numbers in a table inside a
/// details element, for screen readers, for copying and for when the script does not run.
/// </summary>
public sealed record BarChart(string Id, string Title, string CategoryHeader, IReadOnlyList<string> Categories, IReadOnlyList<BarSeries> Series)
{
    /// <summary>plotly.js (the basic bundle: bar, scatter and pie) inside the Plotly.Blazor package; the file name carries the plotly.js version, so it changes with the package.</summary>
    public const string PlotlyScript = "/_content/Plotly.Blazor/plotly-basic-3.7.0.min.js";

    public bool Stacked { get; init; }

    public string? ValueAxisTitle { get; init; }

    /// <summary>A sentence shown under the chart (totals, sample sizes).</summary>
    public string? Summary { get; init; }

    public int Height { get; init; } = 280;

    /// <summary>
    /// When set, the value axis is logarithmic with a tick at each of these values, labelled as given: for values
    /// spanning orders of magnitude (a phone answer in seconds beside an email answer in hours), where a linear axis
    /// draws the small ones as nothing.
    /// </summary>
    public IReadOnlyList<(double Value, string Label)>? LogTicks { get; init; }

    /// <summary>The figure for Plotly.newPlot(element, data, layout, config), serialized by System.Text.Json.</summary>
    public string ToPlotlyJson()
    {
        var data = Series.Select(s => new
        {
            type = "bar",
            name = Plain(s.Name),
            x = Categories.Select(Plain),
            y = s.Values,
            // Hover shows the same text as the table (durations, localized numbers), not plotly's own formatting.
            text = s.Labels.Select(Plain),
            textposition = "none",
            hovertemplate = "%{x}: %{text}<extra>%{fullData.name}</extra>",
            marker = s.Color is null ? null : new { color = s.Color },
        });
        var layout = new
        {
            barmode = Stacked ? "stack" : "group",
            height = Height,
            margin = new { l = 56, r = 8, t = 8, b = 64 },
            paper_bgcolor = "rgba(0,0,0,0)",
            plot_bgcolor = "rgba(0,0,0,0)",
            font = new { family = "system-ui, sans-serif", size = 11 },
            xaxis = new { type = "category", automargin = true, fixedrange = true },
            yaxis = LogTicks is { } ticks
                ? new { title = new { text = Plain(ValueAxisTitle ?? "") }, type = "log", rangemode = (string?)null, fixedrange = true, separatethousands = true,
                    tickvals = (double[]?)ticks.Select(t => t.Value).ToArray(), ticktext = (string[]?)ticks.Select(t => Plain(t.Label)).ToArray() }
                : new { title = new { text = Plain(ValueAxisTitle ?? "") }, type = "linear", rangemode = (string?)"tozero", fixedrange = true, separatethousands = true,
                    tickvals = (double[]?)null, ticktext = (string[]?)null },
            // Above the plot: under it, at a fixed distance, the rotated category labels ran into it on narrow screens and
            // with long labels (queue · channel).
            legend = new { orientation = "h", x = 0, xanchor = "left", y = 1, yanchor = "bottom", traceorder = "normal" },
            showlegend = Series.Count > 1,
        };
        var config = new { displayModeBar = false, responsive = true };
        return JsonSerializer.Serialize(new { data, layout, config }, JsonOptions);
    }

    /// <summary>
    /// Plotly reads a few HTML tags in its texts (&lt;b&gt;, &lt;br&gt;, &lt;a&gt;): a queue named "a&lt;b&gt;x&lt;/b&gt;" was drawn in bold and
    /// "&amp;lt;" as "&lt;". Escaped, every text is drawn as it is stored.
    /// </summary>
    private static string Plain(string? text) =>
        (text ?? "").Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static readonly JsonSerializerOptions JsonOptions = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}
