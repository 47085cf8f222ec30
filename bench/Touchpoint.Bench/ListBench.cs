using System.Diagnostics;
using Microsoft.Extensions.Options;
using Touchpoint.Customers;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint.Bench;

/// <summary>
/// Time per page of the customer and interaction lists in every sort, each direction, over an existing database (the
/// demo: <c>touchpoint demo</c>), as the pages and the API call them: a new DbContext per page, warm. Also the interaction
/// list with filters, whose count is part of each page. Usage: lists Sqlite|Postgres "connection string" [repeats]
/// </summary>
internal static class ListBench
{
    public static async Task RunAsync(string[] args)
    {
        var target = new DatabaseTarget(Enum.Parse<DatabaseProvider>(args[0]), args[1]);
        var repeats = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var time = TimeProvider.System;
        var interactionOptions = Options.Create(new InteractionOptions());
        var customerOptions = Options.Create(new CustomerOptions());

        foreach (var key in Enum.GetValues<CustomerSortKey>())
        {
            foreach (var descending in new[] { false, true })
            {
                var sort = new ListSort<CustomerSortKey>(key, descending);
                foreach (var page in new[] { 1, 2, 200 })
                {
                    await MeasureAsync($"customers sort={sort} p={page}", repeats, async () =>
                    {
                        await using var db = StorageServices.CreateDb(target);
                        var result = await new CustomerSearch(db, time, interactionOptions, customerOptions).SearchAsync(new CustomerQuery(Page: page, Sort: sort));
                        return $"{result.Items.Count} of {result.Total}";
                    });
                }
            }
        }
        InteractionQuery[] filters =
        [
            new(),
            new(Channel: Channel.Chat),
            new(From: new DateOnly(2025, 1, 1), To: new DateOnly(2025, 3, 31)),
            new(Reason: "no such reason"),
            new(Queue: "billing"),
        ];
        foreach (var filter in filters)
        {
            foreach (var key in Enum.GetValues<InteractionSortKey>())
            {
                foreach (var descending in new[] { false, true })
                {
                    var sort = new ListSort<InteractionSortKey>(key, descending);
                    foreach (var page in filter == filters[0] ? new[] { 1, 2, 200 } : [1])
                    {
                        await MeasureAsync($"interactions {Describe(filter)} sort={sort} p={page}", repeats, async () =>
                        {
                            await using var db = StorageServices.CreateDb(target);
                            var result = await new InteractionSearch(db).SearchAsync(filter with { Page = page, Sort = sort });
                            return $"{result.Items.Count} of {(result.TotalIsCapped ? "more than " : "")}{result.Total}";
                        });
                    }
                }
            }
        }
    }

    /// <summary>The first-response report as its page and the API call it. Usage: reports Sqlite|Postgres "connection string" [repeats]</summary>
    public static async Task RunReportsAsync(string[] args)
    {
        var target = new DatabaseTarget(Enum.Parse<DatabaseProvider>(args[0]), args[1]);
        var repeats = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var interactionOptions = Options.Create(new InteractionOptions());
        FirstResponseQuery[] reports = [new(), new(Channel: Channel.Phone), new(From: new DateOnly(2025, 1, 1), To: new DateOnly(2025, 3, 31))];
        foreach (var query in reports)
        {
            await MeasureAsync($"first-response report {(query.Channel is { } c ? $"channel={c}" : query.From is { } f ? $"from={f:yyyy-MM-dd} to={query.To:yyyy-MM-dd}" : "unfiltered")}",
                repeats, async () =>
                {
                    var rows = await new FirstResponseReport(target, interactionOptions).ComputeAsync(query);
                    return $"{rows.Count} rows over {rows.Sum(r => r.CustomerContacts)} contacts";
                });
        }
    }

    private static string Describe(InteractionQuery q) =>
        q.Channel is { } c ? $"channel={c}" : q.From is { } f ? $"from={f:yyyy-MM-dd} to={q.To:yyyy-MM-dd}" : q.Reason is { } r ? $"reason='{r}'"
        : q.Queue is { } queue ? $"queue={queue}" : "unfiltered";

    /// <summary>One call to warm up, then the median and the slowest of <paramref name="repeats"/>.</summary>
    private static async Task MeasureAsync(string what, int repeats, Func<Task<string>> run)
    {
        var outcome = await run();
        var times = new List<double>();
        for (var n = 0; n < repeats; n++)
        {
            var stopwatch = Stopwatch.StartNew();
            await run();
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"{what,-70} median {times[times.Count / 2],7:F1} ms  max {times[^1],7:F1} ms  ({outcome})");
    }
}
