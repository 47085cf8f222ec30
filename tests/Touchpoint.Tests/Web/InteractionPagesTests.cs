using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Web;

/// <summary>The interaction page and the interaction list through the real server.</summary>
public sealed class InteractionPagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> GetPageAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: expected 200, got {(int)response.StatusCode}: {body}");
        return body;
    }

    private static List<long> ListedInteractions(string html) =>
        Regex.Matches(html, "<tr>\\s*<td><a href=\"/interactions/(\\d+)\">")
            .Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    [Theory, ClassData(typeof(Providers))]
    public async Task InteractionPage_ShowsMetadataTranscriptAndTheCaseAcrossChannels(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        var page = await GetPageAsync(client, $"/interactions/{seed.AdaChatContact}");

        var transcript = Regex.Match(page, "<ol class=\"transcript\" id=\"transcript\">(.*?)</ol>", RegexOptions.Singleline);
        Assert.True(transcript.Success, page);
        Assert.Matches("from-customer.*message of ada-chat.*from-agent.*reply", transcript.Value.ReplaceLineEndings(" "));
        Assert.Contains($"<a id=\"customer-link\" href=\"/customers/{seed.Ada}\">Ada Lovelace</a>", page, StringComparison.Ordinal);
        Assert.Contains("<dt>Reason</dt><dd>refund request</dd>", page, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"first-response\">30s</dd>", page, StringComparison.Ordinal);
        // The case holds the earlier email too; the chat switched channel within it.
        var caseTable = Regex.Match(page, "<table class=\"grid compact\" id=\"case-interactions\">(.*?)</table>", RegexOptions.Singleline).Value;
        Assert.Contains($"href=\"/interactions/{seed.AdaEmailContact}\"", caseTable, StringComparison.Ordinal);
        Assert.Contains("data-channel=\"email\"", caseTable, StringComparison.Ordinal);
        Assert.Contains("data-channel=\"chat\"", caseTable, StringComparison.Ordinal);
        Assert.Contains("data-flag=\"switch\"", page, StringComparison.Ordinal);

        using var unknown = await client.GetAsync("/interactions/999999", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Transcript_AMessageOnAnotherDay_ShowsItsDate_NotOnlyItsTime(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WebSeed.CreateAsync(database);
        // An email written in the evening and answered the next morning.
        var asked = Ingest.T0.AddDays(2).AddHours(8); // 2026-03-04 17:00
        var email = Ingest.Contact("bob-email", "c-bob", Touchpoint.Interactions.Channel.Email, asked) with
        {
            Messages =
            [
                new(Touchpoint.Interactions.MessageAuthor.Customer, asked, "Where is my parcel?"),
                new(Touchpoint.Interactions.MessageAuthor.Agent, asked.AddHours(16).AddMinutes(30), "It left the depot this morning."),
                new(Touchpoint.Interactions.MessageAuthor.Customer, asked.AddHours(16).AddMinutes(40), "Thanks."),
            ],
        };
        await Ingest.InteractionsAsync(database, [email]);
        await using var db = database.CreateDb();
        var id = await db.Interactions.Where(x => x.ExternalId == "bob-email").Select(x => x.Id).SingleAsync(Ct);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        var page = await GetPageAsync(client, $"/interactions/{id}");

        var times = Regex.Matches(Regex.Match(page, "<ol class=\"transcript\".*?</ol>", RegexOptions.Singleline).Value, "<time datetime=\"[^\"]+\">([^<]+)</time>")
            .Select(m => m.Groups[1].Value).ToList();
        // With the time alone, the reply's 09:30 under 17:00 read as an answer before the question.
        Assert.Equal(["17:00:00", "2026-03-05 09:30:00", "09:40:00"], times);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task InteractionList_FiltersByChannelDateAndReason(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        Assert.Equal(4, ListedInteractions(await GetPageAsync(client, "/interactions")).Count);
        Assert.Equal([seed.AdaEmailContact], ListedInteractions(await GetPageAsync(client, "/interactions?channel=Email")));
        // T0 is 2026-03-02; the range is inclusive of its last day.
        Assert.Equal([seed.AdaChatContact, seed.AdaEmailContact],
            ListedInteractions(await GetPageAsync(client, "/interactions?from=2026-03-12&to=2026-03-13")));
        Assert.Equal([seed.AdaPhoneContact], ListedInteractions(await GetPageAsync(client, "/interactions?reason=billing+question")));
        // Whatever the case it is typed in.
        Assert.Equal([seed.AdaPhoneContact], ListedInteractions(await GetPageAsync(client, "/interactions?reason=Billing+Question")));
        var none = await GetPageAsync(client, "/interactions?channel=Sms");
        Assert.Empty(ListedInteractions(none));
        Assert.Contains("id=\"interactions-empty\"", none, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task InteractionList_PastTheLastPage_OrWithABadFilter_DoesNotSayThereAreNoInteractions(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        // Both said "No interactions yet. Import interactions with the CLI or the API." over four stored contacts.
        var past = await GetPageAsync(client, "/interactions?channel=Phone&p=40");
        Assert.DoesNotContain("No interactions yet", past, StringComparison.Ordinal);
        Assert.Contains("id=\"past-last-page\"", past, StringComparison.Ordinal);
        Assert.Contains("href=\"/interactions?channel=Phone\"", past, StringComparison.Ordinal); // back to the first page, filters kept
        // A page number that does not parse is the first page, not a filter to fix (it said so naming "PageNumber").
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ru");
        foreach (var url in new[] { "/interactions?p=abc", "/interactions?p=", "/interactions?p=99999999999" })
        {
            var first = await GetPageAsync(client, url);
            Assert.Equal(4, ListedInteractions(first).Count);
            Assert.DoesNotContain("notice error", first, StringComparison.Ordinal);
        }
        // A range typed the wrong way round says so, where it said only that nothing matched.
        var reversed = await GetPageAsync(client, "/interactions?from=2026-03-13&to=2026-03-12");
        Assert.Empty(ListedInteractions(reversed));
        Assert.Contains("<span data-field=\"to\">Дата «По» раньше даты «С».</span>", reversed, StringComparison.Ordinal);
        client.DefaultRequestHeaders.AcceptLanguage.Clear();
        var bad = await GetPageAsync(client, "/interactions?from=2026-13-01");
        Assert.DoesNotContain("No interactions yet", bad, StringComparison.Ordinal);
        Assert.Contains("data-field=\"from\"", bad, StringComparison.Ordinal);
    }
}
