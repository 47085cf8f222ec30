using System.Net;
using System.Text.RegularExpressions;
using Touchpoint.Platform;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Web;

/// <summary>The segments page: managers write, check, save, change and delete rules through the real forms; agents only read.</summary>
public sealed partial class SegmentsPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Manager_ChecksABadRuleAtItsColumn_SavesAGoodOne_ChangesAndDeletesIt(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var admin = await host.SignedInClientAsync();

        var list = await admin.GetStringAsync("/segments", Ct);
        Assert.Equal("2", Members(list, "Premium")); // Ada and Cleo
        Assert.Contains("id=\"segment-form\"", list, StringComparison.Ordinal);

        // A bad rule: the error names its column, and the caret sits under it.
        var bad = await ServerHost.PostFormAsync(admin, "/segments?handler=Check", new() { ["Rule"] = "plan = \"premium\" and contacts_30d >=", ["Name"] = "x" });
        var column = int.Parse(RuleErrorColumn().Match(bad).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(37, column);
        Assert.Contains(new string(' ', column - 1) + "^</pre>", bad, StringComparison.Ordinal);

        var good = await ServerHost.PostFormAsync(admin, "/segments?handler=Check", new() { ["Rule"] = "plan = \"premium\" and contacts_7d >= 1" });
        Assert.Equal("0", RuleOk().Match(good).Groups[1].Value); // Ada's contacts are older than 7 days at the host's clock
        var openCases = await ServerHost.PostFormAsync(admin, "/segments?handler=Check", new() { ["Rule"] = "open_cases >= 1 or plan = \"basic\"" });
        Assert.Equal("2", RuleOk().Match(openCases).Groups[1].Value); // Ada (her refund case is open) and Bob

        var saved = await ServerHost.PostFormAsync(admin, "/segments?handler=Save",
            new() { ["Name"] = "Open or basic", ["Kind"] = "Segment", ["Rule"] = "open_cases >= 1 or plan = \"basic\"", ["Description"] = "anyone we heard from" }, HttpStatusCode.Redirect);
        Assert.Empty(saved);
        list = await admin.GetStringAsync("/segments", Ct);
        Assert.Equal("2", Members(list, "Open or basic"));
        var id = SegmentId(list, "Open or basic");
        var customers = await admin.GetStringAsync($"/customers?segment={id}", Ct);
        Assert.Contains("Ada Lovelace", customers, StringComparison.Ordinal);
        Assert.Contains("Bob Builder", customers, StringComparison.Ordinal);
        Assert.DoesNotContain("Cleo Patra", customers, StringComparison.Ordinal);

        // The same name again is refused with the reason, and nothing is added.
        var twin = await ServerHost.PostFormAsync(admin, "/segments?handler=Save", new() { ["Name"] = "Open or basic", ["Kind"] = "Persona", ["Rule"] = "plan = \"basic\"" },
            HttpStatusCode.BadRequest);
        Assert.Contains("id=\"name-error\"", twin, StringComparison.Ordinal);

        var editForm = await admin.GetStringAsync($"/segments?edit={id}", Ct);
        Assert.Contains(">open_cases &gt;= 1 or plan = &quot;basic&quot;</textarea>", editForm, StringComparison.Ordinal);
        await ServerHost.PostFormAsync(admin, $"/segments?edit={id}&handler=Save", new() { ["Name"] = "Open or basic", ["Kind"] = "Segment", ["Rule"] = "open_cases >= 1" },
            HttpStatusCode.Redirect);
        list = await admin.GetStringAsync("/segments", Ct);
        Assert.Equal("1", Members(list, "Open or basic"));
        Assert.Equal(id, SegmentId(list, "Open or basic"));

        await ServerHost.PostFormAsync(admin, $"/segments?id={id}&handler=Delete", [], HttpStatusCode.Redirect);
        list = await admin.GetStringAsync("/segments", Ct);
        Assert.DoesNotContain("data-segment=\"Contacted\"", list, StringComparison.Ordinal);
        Assert.Equal("2", Members(list, "Premium"));
        Assert.Equal(seed.Premium, SegmentId(list, "Premium"));
    }

    [Fact]
    public async Task FieldHelp_SaysWhatEachFieldMeans_InThePagesLanguage()
    {
        // The table of fields was in English on the Russian page.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = new ServerHost(database);
        using var english = await host.SignedInClientAsync();
        using var russian = await host.SignedInClientAsync();
        russian.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ru");

        foreach (var (client, contacts, consent) in new[]
        {
            (english, "Contacts the customer made (inbound) in the last 30 days.", "Whether the customer agreed to proactive contact by SMS."),
            (russian, "Обращения клиента (входящие) за последние 30 дней.", "Согласился ли клиент на проактивные контакты по каналу SMS."),
        })
        {
            var page = WebUtility.HtmlDecode(await client.GetStringAsync("/segments", TestContext.Current.CancellationToken));
            var meanings = System.Text.RegularExpressions.Regex.Matches(page, "<tr><td><code>([a-z_0-9]+)</code></td><td><code>.*?</code></td><td>([^<]*)</td></tr>")
                .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            Assert.Equal(Touchpoint.Customers.Segments.SegmentField.All.Select(f => f.Name).Order(), meanings.Keys.Order());
            Assert.All(meanings.Values, m => Assert.DoesNotContain("SegmentField.", m, StringComparison.Ordinal));
            Assert.Equal(contacts, meanings["contacts_30d"]);
            Assert.Equal(consent, meanings["consent_sms"]);
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task RuleError_IsInTheUiLanguage_WithTheCaretAtItsColumn(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var english = await host.SignedInClientAsync();
        using var russian = await host.SignedInClientAsync();
        russian.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ru");
        const string rule = "plan = \"premium\" and contacts_30d >=";

        foreach (var (client, message) in new[] { (english, "Expected a value after '>=' at column 37."), (russian, "После '>=' в столбце 37 нужно значение.") })
        {
            var page = await ServerHost.PostFormAsync(client, "/segments?handler=Check", new() { ["Rule"] = rule });
            Assert.Equal("37", RuleErrorColumn().Match(page).Groups[1].Value);
            Assert.Contains(new string(' ', 36) + "^</pre>", page, StringComparison.Ordinal);
            Assert.Contains($"<p>{message}</p>", WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        }

        // Saving a rule that does not parse says why in Russian too, quoting what was written.
        var unsaved = WebUtility.HtmlDecode(await ServerHost.PostFormAsync(russian, "/segments?handler=Save",
            new() { ["Name"] = "Typo", ["Kind"] = "Segment", ["Rule"] = "plann = \"premium\"" }, HttpStatusCode.BadRequest));
        Assert.Contains("<p>Неизвестное поле «plann» в столбце 1; возможно, имелось в виду «plan»?</p>", unsaved, StringComparison.Ordinal);

        // So do the other problems: a missing name, a name already taken.
        var unnamed = WebUtility.HtmlDecode(await ServerHost.PostFormAsync(russian, "/segments?handler=Save",
            new() { ["Name"] = "", ["Kind"] = "Segment", ["Rule"] = "plan = \"premium\"" }, HttpStatusCode.BadRequest));
        Assert.Contains("Укажите название сегмента или персоны.</p>", unnamed, StringComparison.Ordinal);
        var taken = WebUtility.HtmlDecode(await ServerHost.PostFormAsync(russian, "/segments?handler=Save",
            new() { ["Name"] = "Premium", ["Kind"] = "Segment", ["Rule"] = "plan = \"premium\"" }, HttpStatusCode.BadRequest));
        Assert.Contains("Название «Premium» уже занято другим сегментом или персоной.</p>", taken, StringComparison.Ordinal);
        var takenInEnglish = WebUtility.HtmlDecode(await ServerHost.PostFormAsync(english, "/segments?handler=Save",
            new() { ["Name"] = "Premium", ["Kind"] = "Segment", ["Rule"] = "plan = \"premium\"" }, HttpStatusCode.BadRequest));
        Assert.Contains("“Premium” is already the name of another segment or persona.</p>", takenInEnglish, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task RuleOnSeveralLines_ErrorNamesTheLine_AndTheCaretSitsUnderIt(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var english = await host.SignedInClientAsync();
        using var russian = await host.SignedInClientAsync();
        russian.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ru");
        // As a browser sends a text area: lines end in CR LF; the second line is indented with a tab.
        const string rule = "plan = \"premium\" and\r\n\tcontacts_30d >= \"3\"\r\n  or age > 3";

        foreach (var (client, message) in new[]
        {
            (english, "Line 2: contacts_30d compares with a number, not \"3\", at column 18."),
            (russian, "Строка 2: contacts_30d сравнивается с числом, а не с \"3\" (столбец 18)."),
        })
        {
            var page = WebUtility.HtmlDecode(await ServerHost.PostFormAsync(client, "/segments?handler=Check", new() { ["Rule"] = rule }));
            Assert.Contains("data-column=\"18\" data-line=\"2\"", page, StringComparison.Ordinal);
            Assert.Contains("<pre class=\"caret\">plan = \"premium\" and\n\tcontacts_30d >= \"3\"\n\t" + new string(' ', 16) + "^\n  or age > 3</pre>", page,
                StringComparison.Ordinal);
            Assert.Contains($"<p>{message}</p>", page, StringComparison.Ordinal);
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Agent_SeesTheRules_ButCannotChangeThem(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var agent = await host.SignedInAsAsync(Role.Agent);

        var list = await agent.GetStringAsync("/segments", Ct);
        Assert.Equal("2", Members(list, "Premium"));
        Assert.DoesNotContain("id=\"segment-form\"", list, StringComparison.Ordinal);
        // The form is not there, but a hand-made post is refused too.
        var fields = new Dictionary<string, string>
        {
            ["Name"] = "Sneaky", ["Kind"] = "Segment", ["Rule"] = "plan = \"basic\"", ["__RequestVerificationToken"] = ServerHost.FormToken(list),
        };
        using var response = await agent.PostAsync("/segments?handler=Save", new FormUrlEncodedContent(fields), Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/denied", response.Headers.Location?.AbsolutePath);
        Assert.DoesNotContain("Sneaky", await agent.GetStringAsync("/segments", Ct), StringComparison.Ordinal);
    }


    private static string Members(string html, string name) =>
        Regex.Match(html, $"<tr data-segment=\"{Regex.Escape(name)}\"[\\s\\S]*?data-members=\"(\\d*)\"").Groups[1].Value;

    private static long SegmentId(string html, string name) =>
        long.Parse(Regex.Match(html, $"<tr data-segment=\"{Regex.Escape(name)}\"[\\s\\S]*?href=\"/customers\\?segment=(\\d+)\"").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("id=\"rule-error\" data-column=\"(\\d+)\"")]
    private static partial Regex RuleErrorColumn();

    [GeneratedRegex("id=\"rule-ok\" data-members=\"(\\d+)\"")]
    private static partial Regex RuleOk();
}
