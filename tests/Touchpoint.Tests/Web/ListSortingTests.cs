using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Customers;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using static Touchpoint.Tests.Infrastructure.Ingest;

namespace Touchpoint.Tests.Web;

/// <summary>
/// Sorting the customer and interaction lists, and the interaction list's total, through the real server: the API
/// pages through every sort both ways with ties on each page boundary, and the pages keep the sort in their links.
/// </summary>
public sealed partial class ListSortingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTime Jan2024 = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// Seven customers with names, plans and start dates that tie (three Ann Lees, two without a plan), nine contacts
    /// whose channels, times, handle times, queues and agents tie, two agents called Agent Kay, and one customer never contacted.
    /// </summary>
    private static async Task SeedAsync(TestDatabase database)
    {
        CustomerInput Customer(string id, string name, string? plan, DateTime since) =>
            new() { ExternalId = id, Name = name, Email = $"{id}@example.com", Plan = plan, CustomerSince = since };
        await CustomersAsync(database,
            Customer("s1", "Ann Lee", "premium", Jan2024),
            Customer("s2", "Ann Lee", "basic", Jan2024),
            Customer("s3", "Ann Lee", null, Jan2024.AddMonths(-7)),
            Customer("s4", "Bo Chen", "premium", Jan2024),
            Customer("s5", "Bo Chen", "basic", Jan2024.AddMonths(13)),
            Customer("s6", "Cy Diaz", "premium", Jan2024.AddMonths(-7)),
            Customer("s7", "Dee Fox", null, Jan2024.AddMonths(13)));
        InteractionInput At(string id, string customer, Channel channel, int hours, string? agent, string? queue, int talk, int wrap = 0) =>
            Contact(id, customer, channel, T0.AddHours(hours)) with
            {
                AgentExternalId = agent,
                AgentName = agent is null ? null : agent == "a2" ? "Agent Ray" : "Agent Kay",
                Queue = queue,
                TalkSeconds = talk,
                WrapSeconds = wrap,
            };
        await InteractionsAsync(database,
        [
            At("i1", "s1", Channel.Phone, 0, "a1", "billing", 300),
            At("i2", "s1", Channel.Chat, 0, "a2", "support", 0, wrap: 300),
            At("i3", "s2", Channel.Phone, 1, null, null, 120),
            At("i4", "s2", Channel.Email, 1, "a1", "billing", 0, wrap: 120),
            At("i5", "s4", Channel.Chat, 2, "a2", "support", 300),
            At("i6", "s4", Channel.Phone, 0, "a1", "billing", 60),
            At("i7", "s5", Channel.Phone, 1, null, null, 60),
            At("i8", "s6", Channel.Email, 3, "a2", "support", 0),
            At("i9", "s3", Channel.Chat, 2, "a3", "billing", 0),
        ]);
    }

    private sealed record CustomerRow(long Id, string Name, string? Plan, DateTime CustomerSince, DateTime? LastContactAt);

    private sealed record InteractionRow(long Id, long CustomerId, string CustomerName, string Channel, DateTime StartedAt, long? AgentId,
        string? AgentName, string? Queue, long HandleSeconds);

    /// <summary>
    /// The order each sort promises, written out independently of the server: ascending by the column, then the tiebreaks;
    /// descending is that list reversed; rows without a value come last either way.
    /// </summary>
    private static List<long> Expected<TRow>(IEnumerable<TRow> rows, Func<TRow, bool> blank, Func<IEnumerable<TRow>, IEnumerable<TRow>> ascending,
        bool descending, Func<TRow, long> id)
    {
        var valued = ascending(rows.Where(r => !blank(r))).Select(id).ToList();
        var blanks = ascending(rows.Where(blank)).Select(id).ToList();
        if (descending)
        {
            valued.Reverse();
            blanks.Reverse();
        }
        return [.. valued, .. blanks];
    }

    private static List<long> ExpectedCustomers(List<CustomerRow> rows, string key, bool descending) => key switch
    {
        "name" => Expected(rows, _ => false, r => r.OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Id), descending, c => c.Id),
        "plan" => Expected(rows, c => c.Plan is null, r => r.OrderBy(c => c.Plan, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Id),
            descending, c => c.Id),
        "customerSince" => Expected(rows, _ => false, r => r.OrderBy(c => c.CustomerSince).ThenBy(c => c.Id), descending, c => c.Id),
        "lastContactAt" => Expected(rows, c => c.LastContactAt is null, r => r.OrderBy(c => c.LastContactAt).ThenBy(c => c.Id), descending, c => c.Id),
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };

    private static List<long> ExpectedInteractions(List<InteractionRow> rows, string key, bool descending)
    {
        IEnumerable<InteractionRow> Then(IOrderedEnumerable<InteractionRow> ordered) => ordered.ThenBy(i => i.StartedAt).ThenBy(i => i.Id);
        return key switch
        {
            "startedAt" => Expected(rows, _ => false, r => r.OrderBy(i => i.StartedAt).ThenBy(i => i.Id), descending, i => i.Id),
            "channel" => Expected(rows, _ => false, r => Then(r.OrderBy(i => i.Channel, StringComparer.Ordinal)), descending, i => i.Id),
            "handleSeconds" => Expected(rows, _ => false, r => Then(r.OrderBy(i => i.HandleSeconds)), descending, i => i.Id),
            "customerName" => Expected(rows, _ => false, r => Then(r.OrderBy(i => i.CustomerName, StringComparer.Ordinal).ThenBy(i => i.CustomerId)),
                descending, i => i.Id),
            "agentName" => Expected(rows, i => i.AgentId is null, r => Then(r.OrderBy(i => i.AgentName, StringComparer.Ordinal).ThenBy(i => i.AgentId)),
                descending, i => i.Id),
            "queue" => Expected(rows, i => i.Queue is null, r => Then(r.OrderBy(i => i.Queue, StringComparer.Ordinal)), descending, i => i.Id),
            _ => throw new ArgumentOutOfRangeException(nameof(key)),
        };
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: expected 200, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Every page of <paramref name="url"/> at two rows a page, the items' ids in the order the pages gave them.</summary>
    private static async Task<List<long>> AllPagesAsync(HttpClient client, string url)
    {
        var ids = new List<long>();
        for (var page = 1; page < 50; page++)
        {
            var body = await GetJsonAsync(client, $"{url}&pageSize=2&page={page}");
            var items = body.GetProperty("items").EnumerateArray().ToList();
            ids.AddRange(items.Select(i => i.GetProperty("id").GetInt64()));
            var more = body.TryGetProperty("hasMore", out var hasMore) ? hasMore.GetBoolean() : page * 2 < body.GetProperty("total").GetInt32();
            if (!more)
            {
                return ids;
            }
        }
        throw new InvalidOperationException($"{url} did not end");
    }

    private static DateTime? Time(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDateTime().ToUniversalTime();

    private static string? Text(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetString();

    [Theory, ClassData(typeof(Providers))]
    public async Task Api_SortsEachColumnBothWays_PageAfterPage_WithTiesBrokenByIdSoNoRowRepeatsOrGoesMissing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await SeedAsync(database);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();
        Dictionary<long, long?> agentOf;
        await using (var db = database.CreateDb())
        {
            agentOf = await db.Interactions.ToDictionaryAsync(i => i.Id, i => i.AgentId, Ct);
        }

        var customerPage = await GetJsonAsync(client, "/api/customers?pageSize=200");
        var customers = customerPage.GetProperty("items").EnumerateArray().Select(c => new CustomerRow(c.GetProperty("id").GetInt64(),
            c.GetProperty("name").GetString()!, Text(c.GetProperty("plan")), Time(c.GetProperty("customerSince"))!.Value,
            Time(c.GetProperty("lastContactAt")))).ToList();
        var interactionPage = await GetJsonAsync(client, "/api/interactions?pageSize=200");
        var interactions = interactionPage.GetProperty("items").EnumerateArray().Select(i => new InteractionRow(i.GetProperty("id").GetInt64(),
            i.GetProperty("customerId").GetInt64(), i.GetProperty("customerName").GetString()!, i.GetProperty("channel").GetString()!,
            Time(i.GetProperty("startedAt"))!.Value, agentOf[i.GetProperty("id").GetInt64()], Text(i.GetProperty("agentName")), Text(i.GetProperty("queue")),
            i.GetProperty("handleSeconds").GetInt64())).ToList();

        Assert.Equal(7, customers.Count);
        Assert.Equal(9, interactions.Count);
        Assert.Equal(9, interactionPage.GetProperty("total").GetInt32());
        Assert.False(interactionPage.GetProperty("totalIsCapped").GetBoolean());
        // Without sort=, both lists keep the order they always had.
        Assert.Equal(ExpectedCustomers(customers, "name", false), customers.Select(c => c.Id));
        Assert.Equal(ExpectedInteractions(interactions, "startedAt", true), interactions.Select(i => i.Id));
        foreach (var key in new[] { "name", "plan", "customerSince", "lastContactAt" })
        {
            foreach (var descending in new[] { false, true })
            {
                var sort = (descending ? "-" : "") + key;
                Assert.True(ExpectedCustomers(customers, key, descending).SequenceEqual(await AllPagesAsync(client, $"/api/customers?sort={sort}")),
                    $"customers sort={sort}");
            }
        }
        foreach (var key in new[] { "startedAt", "channel", "handleSeconds", "customerName", "agentName", "queue" })
        {
            foreach (var descending in new[] { false, true })
            {
                var sort = (descending ? "-" : "") + key;
                var pages = await AllPagesAsync(client, $"/api/interactions?sort={sort}");
                Assert.True(ExpectedInteractions(interactions, key, descending).SequenceEqual(pages),
                    $"interactions sort={sort}: got {string.Join(",", pages)}, expected {string.Join(",", ExpectedInteractions(interactions, key, descending))}");
            }
        }
        // Sorting works with the filters, and the key is read in any case.
        var phones = interactions.Where(i => i.Channel == "Phone").ToList();
        Assert.Equal(ExpectedInteractions(phones, "handleSeconds", true), await AllPagesAsync(client, "/api/interactions?channel=phone&sort=-HANDLESECONDS"));
        var premium = await GetJsonAsync(client, "/api/customers?q=ann&sort=-customerSince");
        Assert.Equal(ExpectedCustomers([.. customers.Where(c => c.Name == "Ann Lee")], "customerSince", true),
            premium.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Api_UnknownSort_Is400NamingTheFieldAndListingWhatItTakes_AndTheOpenApiDocumentListsThem(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        foreach (var (url, accepted) in new[]
        {
            ("/api/interactions?sort=time", "startedAt, -startedAt, channel, -channel, handleSeconds, -handleSeconds, customerName, -customerName, agentName, -agentName, queue, -queue"),
            ("/api/interactions?sort=-", null),
            ("/api/interactions?sort=1", null),
            ("/api/interactions?sort=channel,queue", null),
            ("/api/customers?sort=id", "name, -name, plan, -plan, customerSince, -customerSince, lastContactAt, -lastContactAt"),
            ("/api/customers/export?sort=--name", null),
        })
        {
            using var response = await client.GetAsync(url, Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var reason = Assert.Single(JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("sort").EnumerateArray()).GetString()!;
            Assert.Contains(" is not one of ", reason, StringComparison.Ordinal);
            if (accepted is not null)
            {
                Assert.EndsWith(accepted, reason, StringComparison.Ordinal);
            }
        }

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var parameter = document.GetProperty("paths").GetProperty("/api/interactions").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == "sort");
        Assert.Contains("-startedAt", parameter.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        Assert.Contains("Without it: -startedAt", parameter.GetProperty("description").GetString(), StringComparison.Ordinal);
        var customerSort = document.GetProperty("paths").GetProperty("/api/customers").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == "sort");
        Assert.Contains("-lastContactAt", customerSort.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
    }

    private static async Task<string> GetPageAsync(HttpClient client, string url, string? acceptLanguage = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (acceptLanguage is not null)
        {
            request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        }
        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: expected 200, got {(int)response.StatusCode}: {body}");
        return WebUtility.HtmlDecode(body);
    }

    private static List<string> ListedNames(string html) => CustomerLink().Matches(html).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex("<td><a href=\"/customers/\\d+\">([^<]+)</a>")]
    private static partial Regex CustomerLink();

    private static List<long> ListedInteractions(string html) => InteractionLink().Matches(html)
        .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    [GeneratedRegex("<tr>\\s*<td><a href=\"/interactions/(\\d+)\">")]
    private static partial Regex InteractionLink();

    /// <summary>The header of column <paramref name="key"/>: its aria-sort (or null) and where its link goes.</summary>
    private static (string? AriaSort, string Href) Header(string html, string key)
    {
        var th = Regex.Match(html, $"<th class=\"[^\"]*\" data-sort=\"{key}\"( aria-sort=\"(?<aria>[a-z]+)\")?><a href=\"(?<href>[^\"]*)\"");
        Assert.True(th.Success, $"no sortable header {key}");
        return (th.Groups["aria"].Success ? th.Groups["aria"].Value : null, th.Groups["href"].Value);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task CustomerList_HeadersSortAndReverse_TheSortSurvivesPagingSearchSegmentAndExport_AndAnUnknownSortIsIgnored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        // 52 more, so the list has a second page.
        await CustomersAsync(database, [.. Enumerable.Range(0, 52).Select(n => new CustomerInput { ExternalId = $"p{n:00}", Name = $"P {n:00}" })]);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var client = await host.SignedInClientAsync();

        var usual = await GetPageAsync(client, "/customers");
        Assert.Equal(("ascending", "/customers?sort=-name"), Header(usual, "name"));
        Assert.Equal((null, "/customers?sort=plan"), Header(usual, "plan"));
        Assert.Equal((null, "/customers?sort=-lastContactAt"), Header(usual, "lastContactAt")); // most recent first on the first click
        Assert.Equal("Ada Lovelace", ListedNames(usual)[0]);

        var reversed = await GetPageAsync(client, "/customers?sort=-name");
        Assert.Equal(("descending", "/customers"), Header(reversed, "name")); // back to the usual order
        Assert.Equal([.. Enumerable.Range(2, 50).Select(n => $"P {n:00}").Reverse()], ListedNames(reversed));
        Assert.Contains("href=\"/customers?sort=-name&p=2\" rel=\"next\"", reversed, StringComparison.Ordinal);
        var second = await GetPageAsync(client, "/customers?sort=-name&p=2");
        Assert.Equal(["P 01", "P 00", "Cleo Patra", "Bob Builder", "Ada Lovelace"], ListedNames(second));
        Assert.Equal("descending", Header(second, "name").AriaSort);

        // Most recent contact first; the customers never contacted come after them, whichever way the list is sorted.
        Assert.Equal(["Ada Lovelace", "Bob Builder"], ListedNames(await GetPageAsync(client, "/customers?sort=-lastContactAt")).Take(2));
        Assert.Equal(["Bob Builder", "Ada Lovelace"], ListedNames(await GetPageAsync(client, "/customers?sort=lastContactAt")).Take(2));

        // Search and segment stay when the sort changes, and the sort stays in the export link.
        var premium = await GetPageAsync(client, $"/customers?q=a&segment={seed.Premium}&sort=-name");
        Assert.Equal(["Cleo Patra", "Ada Lovelace"], ListedNames(premium));
        Assert.Equal($"/customers?q=a&segment={seed.Premium}&sort=plan", Header(premium, "plan").Href);
        Assert.Contains($"href=\"/api/customers/export?q=a&segmentId={seed.Premium}&sort=-name\"", premium, StringComparison.Ordinal);
        // A new search from the form keeps the order; clearing the search keeps it too.
        Assert.Contains("<input type=\"hidden\" name=\"sort\" value=\"-name\" />", premium, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/customers?sort=-name\" class=\"button secondary\">", premium, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"sort\"", usual, StringComparison.Ordinal);
        var export = await client.GetStringAsync($"/api/customers/export?q=a&segmentId={seed.Premium}&sort=-name", Ct);
        Assert.Equal(["c-cleo", "c-ada"], export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[0]));

        // A sort the list does not know (an old or edited link) shows the usual order.
        var unknown = await GetPageAsync(client, "/customers?sort=-revenue");
        Assert.Equal(ListedNames(usual), ListedNames(unknown));
        Assert.Equal("ascending", Header(unknown, "name").AriaSort);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task InteractionList_HeadersSortTheList_AndTheFiltersStay(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var client = await host.SignedInClientAsync();

        var usual = await GetPageAsync(client, "/interactions");
        Assert.Equal([seed.AdaChatContact, seed.AdaEmailContact, ListedInteractions(usual)[2], seed.AdaPhoneContact], ListedInteractions(usual));
        Assert.Equal(("descending", "/interactions?sort=startedAt"), Header(usual, "startedAt"));
        Assert.Equal((null, "/interactions?sort=channel"), Header(usual, "channel"));
        Assert.Contains("id=\"interaction-count\" data-total=\"4\" data-capped=\"false\">1–4 of 4</span>", usual, StringComparison.Ordinal);

        var byChannel = await GetPageAsync(client, "/interactions?sort=channel");
        Assert.Equal([seed.AdaChatContact, seed.AdaEmailContact, seed.AdaPhoneContact], ListedInteractions(byChannel).Take(3));
        Assert.Equal(("ascending", "/interactions?sort=-channel"), Header(byChannel, "channel"));
        Assert.Equal(ListedInteractions(byChannel).AsEnumerable().Reverse(), ListedInteractions(await GetPageAsync(client, "/interactions?sort=-channel")));
        // In Russian the column reads Телефон, Чат, Эл. почта, and sorts so (by stored name it read Чат, Эл. почта, Телефон).
        var russian = await GetPageAsync(client, "/interactions?sort=channel", "ru");
        Assert.Equal([seed.AdaPhoneContact, seed.AdaChatContact, seed.AdaEmailContact], ListedInteractions(russian).Where(new[] { seed.AdaPhoneContact, seed.AdaChatContact, seed.AdaEmailContact }.Contains));

        var filtered = await GetPageAsync(client, "/interactions?channel=Phone&reason=billing+question&sort=-handleSeconds");
        Assert.Equal([seed.AdaPhoneContact], ListedInteractions(filtered));
        Assert.Equal("/interactions?channel=Phone&reason=billing%20question&sort=queue", Header(filtered, "queue").Href);
        Assert.Contains("1–1 of 1", filtered, StringComparison.Ordinal);
        Assert.Contains("<input type=\"hidden\" name=\"sort\" value=\"-handleSeconds\" />", filtered, StringComparison.Ordinal);

        var unknown = await GetPageAsync(client, "/interactions?sort=outcome");
        Assert.Equal(ListedInteractions(usual), ListedInteractions(unknown));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task InteractionList_CountsUpToTenThousand_SaysMoreThanPastIt_AndPagesASortWithTiesWithoutRepeats(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        // 10,001 contacts of 100 customers on three channels, many at the same minute.
        var channels = new[] { Channel.Phone, Channel.Chat, Channel.Email };
        await InteractionsAsync(database, Enumerable.Range(0, InteractionSearch.CountLimit + 1).Select(n =>
            Contact($"x{n}", $"c{n % 100}", channels[n % 3], T0.AddMinutes(n / 7)) with { Messages = [] }), batchSize: 5000);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        var all = await GetPageAsync(client, "/interactions");
        Assert.Contains("id=\"interaction-count\" data-total=\"10000\" data-capped=\"true\">1–50 of more than 10,000</span>", all, StringComparison.Ordinal);
        Assert.Contains("<span>Page 1</span>", all, StringComparison.Ordinal); // no page count it cannot know
        var chats = await GetPageAsync(client, "/interactions?channel=Chat&p=2");
        Assert.Contains("data-capped=\"false\">51–100 of 3,334</span>", chats, StringComparison.Ordinal);
        Assert.Contains("Page 2 of 67", chats, StringComparison.Ordinal);
        var past = await GetPageAsync(client, "/interactions?channel=Chat&p=70");
        Assert.Contains("id=\"past-last-page\"", past, StringComparison.Ordinal);
        Assert.Contains("href=\"/interactions?channel=Chat&p=67\"", past, StringComparison.Ordinal);

        // Two pages by channel: the ties (3,334 chats, seven a minute) continue from one page to the next.
        List<long> expected;
        await using (var db = database.CreateDb())
        {
            expected = await db.Interactions.OrderBy(i => i.Channel).ThenBy(i => i.StartedAt).ThenBy(i => i.Id).Select(i => i.Id).Take(100).ToListAsync(Ct);
        }
        var first = await GetPageAsync(client, "/interactions?sort=channel");
        Assert.Contains("href=\"/interactions?sort=channel&p=2\" rel=\"next\"", first, StringComparison.Ordinal);
        var next = await GetPageAsync(client, "/interactions?sort=channel&p=2");
        Assert.Equal(expected, [.. ListedInteractions(first), .. ListedInteractions(next)]);
    }
}
