using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Platform;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Web;

/// <summary>The customer list and the customer 360 page through the real server, signed in with the real login form.</summary>
public sealed partial class CustomerPagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> GetPageAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: expected 200, got {(int)response.StatusCode}: {body}");
        return body;
    }

    /// <summary>The customer names listed in the customers table, in order.</summary>
    private static List<string> ListedNames(string html) =>
        CustomerLink().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    [GeneratedRegex("<td><a href=\"/customers/\\d+\">([^<]+)</a>")]
    private static partial Regex CustomerLink();

    [Theory, ClassData(typeof(Providers))]
    public async Task Customer360_AnAgentRecordsWhatTheCustomerAsks_ConsentPreferredChannelAndQuietHours_Audited(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var agent = await host.SignedInAsAsync(Role.Agent);
        var page = $"/customers/{seed.Bob}";

        // "Stop texting me, email is fine, and never call after nine."
        var fields = new Dictionary<string, string> { ["consent-sms"] = "no", ["consent-email"] = "yes", ["preferred"] = "email", ["quietStart"] = "21:00", ["quietEnd"] = "08:00" };
        await ServerHost.PostFormAsync(agent, $"{page}?handler=Preferences", fields, expect: HttpStatusCode.Redirect);
        var after = await GetPageAsync(agent, $"{page}?preferences=saved");
        Assert.Contains("class=\"consent-no\" data-channel=\"sms\"", after, StringComparison.Ordinal);
        // Each decision shows when it was made (today, by the server's clock).
        var today = host.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Matches($"data-channel=\"sms\">[^<]*<strong>[^<]*</strong> <span class=\"muted consent-date\" title=\"When this decision was made \\(UTC\\)\">{today}</span>", after);
        // The form the agent used stays open, saying it was saved.
        Assert.Contains("<details id=\"preferences\" open", after, StringComparison.Ordinal);
        Assert.Contains("id=\"preferences-saved\"", after, StringComparison.Ordinal);
        Assert.Contains("class=\"consent-yes\" data-channel=\"email\"", after, StringComparison.Ordinal);
        // Sent again unchanged: nothing to record.
        await ServerHost.PostFormAsync(agent, $"{page}?handler=Preferences", new(fields), expect: HttpStatusCode.Redirect);
        // Half a quiet-hours range is refused, and nothing changes.
        var half = await ServerHost.PostFormAsync(agent, $"{page}?handler=Preferences",
            new() { ["consent-sms"] = "yes", ["quietStart"] = "22:00" }, expect: HttpStatusCode.BadRequest);
        Assert.Contains("id=\"preferences-error\"", half, StringComparison.Ordinal);

        await using var db = database.CreateDb();
        var bob = await db.Customers.Include(c => c.Consents).SingleAsync(c => c.Id == seed.Bob, Ct);
        Assert.Equal((Touchpoint.Interactions.Channel?)Touchpoint.Interactions.Channel.Email, bob.PreferredChannel);
        Assert.Equal((new TimeOnly(21, 0), new TimeOnly(8, 0)), (bob.QuietHoursStart!.Value, bob.QuietHoursEnd!.Value));
        Assert.False(bob.Consents.Single(c => c.Channel == Touchpoint.Interactions.Channel.Sms).Granted);
        var audit = await db.AuditLog.Where(a => a.Action == "customer.preferences_changed").ToListAsync(Ct);
        var entry = Assert.Single(audit);
        Assert.StartsWith("agent-", entry.Actor, StringComparison.Ordinal);
        Assert.Contains("Sms consent: not asked -> refused", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("quiet hours: none -> 21:00-08:00", entry.Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// The fields of the preferences form as a browser sends them untouched: hidden fields, each select's chosen option
    /// (the first when none is marked) and the time inputs.
    /// </summary>
    private static Dictionary<string, string> PreferencesForm(string html)
    {
        var form = Regex.Match(html, "<form[^>]*class=\"preferences-form\"[^>]*>(.*?)</form>", RegexOptions.Singleline);
        Assert.True(form.Success, html);
        var fields = new Dictionary<string, string>();
        foreach (Match input in Regex.Matches(form.Groups[1].Value, "<input type=\"(?:hidden|time)\" name=\"([^\"]+)\"(?: value=\"([^\"]*)\")?"))
        {
            fields[input.Groups[1].Value] = WebUtility.HtmlDecode(input.Groups[2].Value);
        }
        foreach (Match select in Regex.Matches(form.Groups[1].Value, "<select name=\"([^\"]+)\">(.*?)</select>", RegexOptions.Singleline))
        {
            var options = Regex.Matches(select.Groups[2].Value, "<option value=\"([^\"]*)\"( selected)?");
            fields[select.Groups[1].Value] = (options.FirstOrDefault(o => o.Groups[2].Success) ?? options[0]).Groups[1].Value;
        }
        return fields;
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Customer360_PreferencesFormLeftOpen_RecordsWhatItsUserChanged_NotWhatItShowedBefore(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using (var db = database.CreateDb())
        {
            // Quiet hours imported with a start only (files and the API take one end): the form shows it and must still save.
            await db.Customers.Where(c => c.Id == seed.Bob).ExecuteUpdateAsync(s => s.SetProperty(c => c.QuietHoursStart, new TimeOnly(21, 0)), Ct);
        }
        await using var host = new ServerHost(database);
        using var first = await host.SignedInAsAsync(Role.Agent);
        using var second = await host.SignedInAsAsync(Role.Agent);
        var page = $"/customers/{seed.Ada}";

        // The first agent has Ada's page open (email granted); meanwhile the second records "no more email" on a contact.
        var open = PreferencesForm(await GetPageAsync(first, page));
        Assert.Equal("yes", open["consent-email"]);
        var stop = PreferencesForm(await GetPageAsync(second, page));
        stop["consent-email"] = "no";
        await ServerHost.PostFormAsync(second, $"{page}?handler=Preferences", stop, HttpStatusCode.Redirect);
        // The first agent then sets quiet hours on the page still open: the form sends email "yes" as it showed it.
        open["quietStart"] = "22:00";
        open["quietEnd"] = "07:00";
        await ServerHost.PostFormAsync(first, $"{page}?handler=Preferences", open, HttpStatusCode.Redirect);
        await using (var db = database.CreateDb())
        {
            var ada = await db.Customers.Include(c => c.Consents).SingleAsync(c => c.Id == seed.Ada, Ct);
            Assert.False(ada.Consents.Single(c => c.Channel == Touchpoint.Interactions.Channel.Email).Granted);
            Assert.Equal((new TimeOnly(22, 0), new TimeOnly(7, 0)), (ada.QuietHoursStart!.Value, ada.QuietHoursEnd!.Value));
        }
        // Bob's form, with the half range it shows, saves the consent it changes and keeps the start as stored.
        var bob = PreferencesForm(await GetPageAsync(first, $"/customers/{seed.Bob}"));
        Assert.Equal(("21:00", ""), (bob["quietStart"], bob["quietEnd"]));
        bob["consent-sms"] = "no";
        await ServerHost.PostFormAsync(first, $"/customers/{seed.Bob}?handler=Preferences", bob, HttpStatusCode.Redirect);

        await using var check = database.CreateDb();
        var bobStored = await check.Customers.Include(c => c.Consents).SingleAsync(c => c.Id == seed.Bob, Ct);
        Assert.False(bobStored.Consents.Single(c => c.Channel == Touchpoint.Interactions.Channel.Sms).Granted);
        Assert.Equal((TimeOnly?)new TimeOnly(21, 0), bobStored.QuietHoursStart);
        Assert.Null(bobStored.QuietHoursEnd);
        var audit = await check.AuditLog.Where(a => a.Action == "customer.preferences_changed").OrderBy(a => a.Id).Select(a => a.Detail).ToListAsync(Ct);
        Assert.Equal(["Email consent: granted -> refused", "quiet hours: 21:00-08:00 -> 22:00-07:00", "Sms consent: not asked -> refused"], audit);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Customer360_OneConsentSavedByManyAtOnce_IsRecordedOnce_NotA500(DatabaseProvider provider)
    {
        // Each request read "not asked" before any wrote, and the consent's key failed all but one with a 500.
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var agent = await host.SignedInAsAsync(Role.Agent);
        var page = $"/customers/{seed.Cleo}";
        var html = await GetPageAsync(agent, page);
        var form = PreferencesForm(html);
        form["__RequestVerificationToken"] = ServerHost.FormToken(html);

        string[] channels = ["chat", "social", "bot"];
        foreach (var channel in channels)
        {
            var fields = new Dictionary<string, string>(form) { [$"consent-{channel}"] = "yes" };
            var posts = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
                agent.PostAsync($"{page}?handler=Preferences", new FormUrlEncodedContent(fields), Ct)));
            foreach (var post in posts)
            {
                Assert.True(post.StatusCode == HttpStatusCode.Redirect, $"{(int)post.StatusCode}: {await post.Content.ReadAsStringAsync(Ct)}");
            }
        }

        await using var db = database.CreateDb();
        var consents = await db.ChannelConsents.Where(c => c.CustomerId == seed.Cleo).ToListAsync(Ct);
        Assert.Equal(3, consents.Count(c => c.Granted));
        Assert.Equal(3, await db.AuditLog.CountAsync(a => a.Action == "customer.preferences_changed", Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Customer360_PreferredChannelWithoutConsent_SaysSoBesideIt(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var agent = await host.SignedInAsAsync(Role.Agent);

        async Task<string> PreferredAsync(Touchpoint.Interactions.Channel channel)
        {
            await using (var db = database.CreateDb())
            {
                await db.Customers.Where(c => c.Id == seed.Ada).ExecuteUpdateAsync(s => s.SetProperty(c => c.PreferredChannel, channel), Ct);
            }
            return Regex.Match(await GetPageAsync(agent, $"/customers/{seed.Ada}"), "<dd id=\"preferred-channel\">.*?</dd>", RegexOptions.Singleline).Value;
        }

        // Ada said yes to email and no to SMS; chat was never asked.
        Assert.DoesNotContain("data-flag", await PreferredAsync(Touchpoint.Interactions.Channel.Email), StringComparison.Ordinal);
        // "Preferred channel: SMS" beside "SMS: refused" lower down, and nothing else said it.
        var sms = await PreferredAsync(Touchpoint.Interactions.Channel.Sms);
        Assert.Contains("data-channel=\"sms\"", sms, StringComparison.Ordinal);
        Assert.Contains("data-flag=\"preferred-refused\">no consent: refused</span>", sms, StringComparison.Ordinal);
        Assert.Contains("data-flag=\"preferred-not-asked\">no consent asked yet</span>", await PreferredAsync(Touchpoint.Interactions.Channel.Chat), StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Customer360_ManagerFindsADuplicateByEmail_ConfirmsTheMerge_AndBothHistoriesAreOnOnePage(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var admin = await host.SignedInClientAsync();
        var bobPage = $"/customers/{seed.Bob}";
        var adaId = seed.Ada.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // Finding merges nothing: the candidate is shown for confirmation.
        var missing = await ServerHost.PostFormAsync(admin, $"{bobPage}?handler=FindDuplicate", new() { ["duplicate"] = "nobody@example.com" });
        Assert.Contains("id=\"merge-error\"", missing, StringComparison.Ordinal);
        var self = await ServerHost.PostFormAsync(admin, $"{bobPage}?handler=FindDuplicate", new() { ["duplicate"] = "+44 20 7946 0000" });
        Assert.Contains("id=\"merge-error\"", self, StringComparison.Ordinal);
        var found = await ServerHost.PostFormAsync(admin, $"{bobPage}?handler=FindDuplicate", new() { ["duplicate"] = " ADA.lovelace@example.com " });
        Assert.Contains($"id=\"merge-candidate\" data-customer=\"{seed.Ada}\"", found, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/customers/{seed.Ada}", Ct)).StatusCode);

        await ServerHost.PostFormAsync(admin, $"{bobPage}?handler=Merge", new() { ["mergeId"] = adaId }, HttpStatusCode.Redirect);
        var merged = await GetPageAsync(admin, $"{bobPage}?merged={seed.Ada}&moved=3");
        Assert.Contains("id=\"merge-done\"", merged, StringComparison.Ordinal);
        Assert.Contains("ada.lovelace@example.com", merged, StringComparison.Ordinal); // Ada's email is one of Bob's identities now
        Assert.Contains($"href=\"/interactions/{seed.AdaChatContact}\"", merged, StringComparison.Ordinal);
        var adaOld = await admin.GetAsync($"/customers/{seed.Ada}", Ct);
        Assert.Equal(HttpStatusCode.Redirect, adaOld.StatusCode);
        Assert.Equal(bobPage, adaOld.Headers.Location?.OriginalString);
        await using var db = database.CreateDb();
        Assert.Equal(4, await db.Interactions.CountAsync(i => i.CustomerId == seed.Bob, Ct));

        // Merging the same profile again is refused, not repeated.
        var again = await ServerHost.PostFormAsync(admin, $"{bobPage}?handler=Merge", new() { ["mergeId"] = adaId }, HttpStatusCode.Conflict);
        Assert.Contains("id=\"merge-error\"", again, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Customer360_Agent_SeesNoMergeForm_AndCannotPostOne(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var agent = await host.SignedInAsAsync(Role.Agent);

        var page = await GetPageAsync(agent, $"/customers/{seed.Bob}");
        Assert.DoesNotContain("id=\"merge\"", page, StringComparison.Ordinal);
        var fields = new Dictionary<string, string>
        {
            ["mergeId"] = seed.Ada.ToString(System.Globalization.CultureInfo.InvariantCulture), ["__RequestVerificationToken"] = ServerHost.FormToken(page),
        };
        using var response = await agent.PostAsync($"/customers/{seed.Bob}?handler=Merge", new FormUrlEncodedContent(fields), Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/denied", response.Headers.Location?.AbsolutePath);
        await using var db = database.CreateDb();
        Assert.Null((await db.Customers.SingleAsync(c => c.Id == seed.Ada, Ct)).MergedIntoId);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Customers_WithoutSignIn_RedirectsToLogin(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var client = host.Browser();

        using var response = await client.GetAsync("/customers?q=ada", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", response.Headers.Location?.AbsolutePath);
        Assert.Contains("ReturnUrl=%2Fcustomers", response.Headers.Location?.Query, StringComparison.Ordinal);
        // Pages are found from the project root now; the ones that opt out of sign-in must still do so.
        foreach (var open in new[] { "/login", "/denied" })
        {
            using var page = await client.GetAsync(open, Ct);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task CustomerList_Search_FindsByEmailPhoneInAnotherFormatNameAndHandle(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        Assert.Equal(["Ada Lovelace", "Bob Builder", "Cleo Patra"], ListedNames(await GetPageAsync(client, "/customers")));
        // Email: case differs from the stored address and only its start is typed.
        Assert.Equal(["Ada Lovelace"], ListedNames(await GetPageAsync(client, "/customers?q=ADA.lovelace%40example")));
        // Phone stored as "+1 555 010 2000": found with brackets and dashes, and without the "+".
        Assert.Equal(["Ada Lovelace"], ListedNames(await GetPageAsync(client, "/customers?q=" + Uri.EscapeDataString("+1 (555) 010-2000"))));
        Assert.Equal(["Ada Lovelace"], ListedNames(await GetPageAsync(client, "/customers?q=1-555-010")));
        Assert.Equal(["Ada Lovelace"], ListedNames(await GetPageAsync(client, "/customers?q=lovelace")));
        // A name pasted with a double space or a tab (from a CRM or an email signature) still finds the customer.
        Assert.Equal(["Ada Lovelace"], ListedNames(await GetPageAsync(client, "/customers?q=Ada%20%20Lovelace")));
        Assert.Equal(["Ada Lovelace"], ListedNames(await GetPageAsync(client, "/customers?q=Ada%09Lovelace%20")));
        Assert.Equal(["Ada Lovelace"], ListedNames(await GetPageAsync(client, "/customers?q=%40ada_")));
        Assert.Equal(["Bob Builder"], ListedNames(await GetPageAsync(client, "/customers?q=c-bo")));

        var none = await GetPageAsync(client, "/customers?q=nobody%40nowhere.example");
        Assert.Empty(ListedNames(none));
        Assert.Contains("id=\"customers-empty\"", none, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task CustomerList_PastTheLastPage_SaysSo_AndLinksTheLastPage(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        // It said "No customers yet. Import customers with the CLI or the API" with three customers stored.
        var past = await GetPageAsync(client, $"/customers?segment={seed.Premium}&p=999");
        Assert.DoesNotContain("No customers yet", past, StringComparison.Ordinal);
        Assert.Contains("id=\"past-last-page\"", past, StringComparison.Ordinal);
        Assert.Contains($"href=\"/customers?segment={seed.Premium}\"", past, StringComparison.Ordinal); // the last page is the first here
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task CustomerList_SegmentFilter_RestrictsTheList(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        var page = await GetPageAsync(client, $"/customers?segment={seed.Premium}");

        Assert.Equal(["Ada Lovelace", "Cleo Patra"], ListedNames(page));
        Assert.Contains($"<option value=\"{seed.Premium}\" selected=\"selected\">Premium</option>", page, StringComparison.Ordinal);
        Assert.Equal(["Cleo Patra"], ListedNames(await GetPageAsync(client, $"/customers?segment={seed.Premium}&q=cleo")));
        Assert.Empty(ListedNames(await GetPageAsync(client, $"/customers?segment={seed.Premium}&q=bob")));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Customer360_ShowsProfileIdentitiesTimelineAcrossChannelsAndOpenCase(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        // A day after the chat that came back about the refund: inside the repeat window.
        await using var host = new ServerHost(database, new DateTimeOffset(Ingest.T0.AddDays(12)));
        using var client = await host.SignedInClientAsync();

        // Decoded: Razor encodes "+" and the like in text.
        var raw = await GetPageAsync(client, $"/customers/{seed.Ada}");
        var page = WebUtility.HtmlDecode(raw);

        Assert.Contains("<h1 id=\"customer-name\">Ada Lovelace</h1>", page, StringComparison.Ordinal);
        // The context flags: the chat came back about the same refund within the window, after an email, and is not resolved.
        var strip = Regex.Match(page, "<section class=\"context-strip\".*?</section>", RegexOptions.Singleline).Value;
        Assert.Equal(["repeat", "switch", "unresolved"], Regex.Matches(strip, "data-flag=\"([a-z]+)\"").Select(m => m.Groups[1].Value));
        // Identities as stored, normalised; a phone number as people read one (stored as +15550102000).
        Assert.Contains("<code>ada.lovelace@example.com</code>", page, StringComparison.Ordinal);
        Assert.Contains("<code>+1 555-010-2000</code>", page, StringComparison.Ordinal);
        Assert.Contains("<code>ada_l</code>", page, StringComparison.Ordinal);
        Assert.Contains("Europe/London", page, StringComparison.Ordinal);
        // Revenue is a yearly figure (as the segment field says), not a bare number.
        Assert.Contains("<dt>Yearly revenue</dt>", page, StringComparison.Ordinal);
        // No language asked for: English, times on the 24-hour clock the UI uses.
        Assert.Contains("<dd id=\"quiet-hours\">21:00–08:00 local</dd>", page, StringComparison.Ordinal);
        Assert.Contains("<li class=\"consent-yes\" data-channel=\"email\">Email: <strong>granted</strong> <span class=\"muted consent-date\"", page, StringComparison.Ordinal);
        Assert.Contains("<li class=\"consent-no\" data-channel=\"sms\">SMS: <strong>refused</strong> <span class=\"muted consent-date\"", page, StringComparison.Ordinal);
        Assert.Contains($"<a class=\"pill\" href=\"/customers?segment={seed.Premium}\">Premium</a>", page, StringComparison.Ordinal);

        // One timeline across channels, newest first, each row linking to its interaction.
        var rows = Regex.Matches(page, "<tr data-channel=\"([a-z-]+)\">\\s*<td><a href=\"/interactions/(\\d+)\">")
            .Select(m => (m.Groups[1].Value, long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal([("chat", seed.AdaChatContact), ("email", seed.AdaEmailContact), ("phone", seed.AdaPhoneContact)], rows);
        Assert.Contains("data-flag=\"sla-met\"", page, StringComparison.Ordinal);
        Assert.Contains("data-flag=\"fcr\"", page, StringComparison.Ordinal);

        // The open case spans email and chat.
        var openCases = Regex.Match(page, "<table class=\"grid compact\" id=\"open-cases\">(.*?)</table>", RegexOptions.Singleline);
        Assert.True(openCases.Success, page);
        Assert.Contains("refund request", openCases.Value, StringComparison.Ordinal);
        Assert.Contains("data-channel=\"email\"", openCases.Value, StringComparison.Ordinal);
        Assert.Contains("data-channel=\"chat\"", openCases.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("billing question", openCases.Value, StringComparison.Ordinal);

        // The chart describes the same three contacts, one series per channel, and loads plotly.js from the package.
        var chart = Regex.Match(raw, "<figure class=\"chart\" id=\"contacts-chart\">.*?data-chart=\"([^\"]+)\"", RegexOptions.Singleline);
        Assert.True(chart.Success, raw);
        var figure = System.Text.Json.JsonDocument.Parse(WebUtility.HtmlDecode(chart.Groups[1].Value)).RootElement;
        Assert.Equal(["Phone", "Email", "Chat"], figure.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.All(figure.GetProperty("data").EnumerateArray(), d => Assert.Equal(24, d.GetProperty("y").GetArrayLength()));
        Assert.Equal(3, figure.GetProperty("data").EnumerateArray().Sum(d => d.GetProperty("y").EnumerateArray().Sum(v => v.GetDouble())));
        Assert.Contains($"<script src=\"{Touchpoint.Server.Platform.BarChart.PlotlyScript}\"", page, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Customer360_ALongTimeline_LoadsMoreUpTo200_ThenPagesOlderContacts_UntilTheFirst(DatabaseProvider provider)
    {
        // "Load more" grew the list to 500 by asking the timeline for that many, which gives at most 200: past 200 it
        // showed the same 200 again, and the customer's first contacts could not be reached from the page.
        await using var database = await TestDatabase.CreateAsync(provider);
        await Ingest.InteractionsAsync(database, [.. Enumerable.Range(1, 230).Select(n =>
            Ingest.Contact($"call-{n:000}", "c-long", Touchpoint.Interactions.Channel.Phone, Ingest.T0.AddHours(n), "billing"))]);
        await using var host = new ServerHost(database, new DateTimeOffset(Ingest.T0.AddDays(30)));
        using var client = await host.SignedInClientAsync();
        await using var db = database.CreateDb();
        var id = await db.Customers.Where(c => c.ExternalId == "c-long").Select(c => c.Id).SingleAsync(Ct);
        var externalIds = await db.Interactions.ToDictionaryAsync(i => i.Id, i => i.ExternalId, Ct);
        List<string> Shown(string html) => Regex.Matches(html, "<tr data-channel=\"phone\">\\s*<td><a href=\"/interactions/(\\d+)\">")
            .Select(m => externalIds[long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]).ToList();

        var first = await GetPageAsync(client, $"/customers/{id}");
        Assert.Equal(25, Shown(first).Count);
        Assert.Contains($"href=\"/customers/{id}?show=50#timeline\"", first, StringComparison.Ordinal);

        var most = await GetPageAsync(client, $"/customers/{id}?show=225");
        Assert.Equal([.. Enumerable.Range(31, 200).Reverse().Select(n => $"call-{n:000}")], Shown(most));
        Assert.DoesNotContain("id=\"load-more\"", most, StringComparison.Ordinal);
        Assert.Contains("contacts 1–200, newest first", most, StringComparison.Ordinal);
        Assert.Contains($"id=\"timeline-older\" href=\"/customers/{id}?older=2#timeline\"", most, StringComparison.Ordinal);

        var older = await GetPageAsync(client, $"/customers/{id}?older=2");
        Assert.Equal([.. Enumerable.Range(1, 30).Reverse().Select(n => $"call-{n:000}")], Shown(older));
        Assert.Contains("contacts 201–230, newest first", older, StringComparison.Ordinal);
        Assert.Contains($"id=\"timeline-newer\" href=\"/customers/{id}?show=200#timeline\"", older, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"timeline-older\"", older, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Customer360_MergedProfile_RedirectsToSurvivor_AndUnknownIdIs404(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using (var db = database.CreateDb())
        {
            await db.Customers.Where(c => c.Id == seed.Cleo).ExecuteUpdateAsync(s => s.SetProperty(c => c.MergedIntoId, seed.Ada), Ct);
        }
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        using var merged = await client.GetAsync($"/customers/{seed.Cleo}", Ct);
        Assert.Equal(HttpStatusCode.Redirect, merged.StatusCode);
        Assert.Equal($"/customers/{seed.Ada}", merged.Headers.Location?.OriginalString);
        // A merged profile is not listed on its own.
        Assert.Equal(["Ada Lovelace", "Bob Builder"], ListedNames(await GetPageAsync(client, "/customers")));

        using var unknown = await client.GetAsync("/customers/999999", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task CustomerList_ExportsWhatItFinds_ForManagersOnly_AsAFileThatImportsAgain(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var admin = await host.SignedInClientAsync();
        using var agent = await host.SignedInAsAsync(Role.Agent);

        var list = await GetPageAsync(admin, $"/customers?segment={seed.Premium}");
        var csv = await admin.GetAsync($"/api/customers/export?segmentId={seed.Premium}", Ct);
        var byName = await admin.GetStringAsync("/api/customers/export?q=Lovelace&format=jsonl", Ct);
        var agentList = await GetPageAsync(agent, "/customers");
        var agentExport = await agent.GetAsync("/api/customers/export", Ct);
        var goneSegment = await admin.GetAsync("/api/customers/export?segmentId=424242", Ct);

        // The list links to the export of what it shows: the same segment, every page.
        Assert.Contains($"href=\"/api/customers/export?segmentId={seed.Premium}\"", WebUtility.HtmlDecode(list), StringComparison.Ordinal);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("customers.csv", csv.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var lines = (await csv.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("external_id,name,", lines[0], StringComparison.Ordinal);
        Assert.Equal(["c-ada", "c-cleo"], lines.Skip(1).Select(l => l.Split(',')[0]).Order());
        Assert.Equal("c-ada", System.Text.Json.JsonDocument.Parse(Assert.Single(byName.Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement.GetProperty("external_id").GetString());
        // The file imports again as it is: nothing new, nothing rejected.
        var again = await new Touchpoint.Customers.CustomerIngestor(database.Target, Ingest.Clock(), Options.Create(new Touchpoint.Interactions.InteractionOptions()),
                Options.Create(new Touchpoint.Customers.CustomerOptions()))
            .IngestAsync(Touchpoint.Import.ImportFiles.ReadCustomers(new StringReader(string.Join('\n', lines)), Touchpoint.Import.ImportFormat.Csv), cancellationToken: Ct);
        Assert.Equal((0L, 2L, 0L), (again.Imported, again.Duplicates, again.Rejected));
        // An agent sees no export, and may not take one.
        Assert.DoesNotContain("customer-export", agentList, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, agentExport.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, goneSegment.StatusCode);
        // A search holding a NUL finds nothing, and is on record too (PostgreSQL cannot store the NUL itself).
        var nul = await admin.GetAsync("/api/customers/export?q=a%00b", Ct);
        Assert.Equal(HttpStatusCode.OK, nul.StatusCode);
        Assert.Single((await nul.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // Each export that went out is on record with who took what (the refused ones are not).
        await using var db = database.CreateDb();
        var exports = await db.AuditLog.Where(a => a.Action == "customer.exported").OrderBy(a => a.Id).ToListAsync(Ct);
        Assert.Equal(
            [(ServerHost.AdminEmail, $"segment {seed.Premium}", "2 customers as csv"), (ServerHost.AdminEmail, null, "1 customer as jsonl, search 'Lovelace'"),
                (ServerHost.AdminEmail, null, "0 customers as csv, search 'a\\0b'")],
            exports.Select(a => (a.Actor, a.Target, a.Detail)));
    }
}
