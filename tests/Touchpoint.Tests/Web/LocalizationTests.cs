using Microsoft.EntityFrameworkCore;
using System.Collections;
using System.Globalization;
using System.Net;
using System.Resources;
using System.Text.RegularExpressions;
using Touchpoint.Customers;
using Touchpoint.Interactions;
using Touchpoint.Server.Customers;
using Touchpoint.Server.Platform;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Web;

/// <summary>English and Russian UI text: the two resource files agree, and pages follow the language cookie and Accept-Language.</summary>
public sealed partial class LocalizationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ResourceManager Resources = new(typeof(SharedResource).FullName!, typeof(SharedResource).Assembly);

    private static Dictionary<string, string> Strings(CultureInfo culture) =>
        Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false)!.Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string)e.Value!);

    [Fact]
    public void EnglishAndRussianResources_HaveTheSameKeys_NoEmptyRussianValue_AndTheSamePlaceholders()
    {
        var english = Strings(CultureInfo.InvariantCulture);
        var russian = Strings(CultureInfo.GetCultureInfo("ru"));

        Assert.True(english.Count > 100, $"only {english.Count} English strings: is the neutral resource embedded?");
        Assert.Empty(english.Keys.Except(russian.Keys));
        Assert.Empty(russian.Keys.Except(english.Keys));
        Assert.Empty(russian.Where(r => string.IsNullOrWhiteSpace(r.Value)).Select(r => r.Key));
        Assert.Empty(english.Where(e => string.IsNullOrWhiteSpace(e.Value)).Select(e => e.Key));
        // A translation that drops or invents a {0} would print the wrong thing or throw.
        var mismatched = english.Keys.Where(k => !Placeholders(english[k]).SetEquals(Placeholders(russian[k]))).ToList();
        Assert.Empty(mismatched);
        // Mostly really translated, not copied: only a few terms (SMS, SLA, API, CRM, FCR) are the same in both.
        Assert.True(english.Count(e => e.Value == russian[e.Key]) < 12, string.Join(", ", english.Where(e => e.Value == russian[e.Key]).Select(e => e.Key)));
    }

    private static HashSet<string> Placeholders(string text) => Placeholder().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();

    [GeneratedRegex("\\{(\\d+)")]
    private static partial Regex Placeholder();

    [Fact]
    public void EveryKeyThePagesUse_AndEveryEnumLabel_IsInTheResources()
    {
        var english = Strings(CultureInfo.InvariantCulture);
        var server = Path.Combine(RepositoryRoot(), "src", "Touchpoint.Server");
        var used = new HashSet<string>();
        foreach (var file in Directory.EnumerateFiles(server, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cshtml", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            used.UnionWith(UsedKey().Matches(text).Select(m => m.Groups[1].Value));
            used.UnionWith(PluralKey().Matches(text).SelectMany(m => new[] { "One", "Few", "Many" }.Select(f => m.Groups[1].Value + "." + f)));
        }
        Assert.True(used.Count > 100, $"found only {used.Count} keys in {server}");
        var missing = used.Where(k => !english.ContainsKey(k)).ToList();
        Assert.Empty(missing);

        string[] labels = [.. Names<Channel>(), .. Names<Outcome>(), .. Names<Direction>(), .. Names<MessageAuthor>(), .. Names<IdentityKind>(), .. Names<CaseStatus>(), .. Names<Touchpoint.Platform.Role>(),
            .. Names<Touchpoint.Customers.Segments.SegmentRuleErrorKind>(), .. Names<Touchpoint.Customers.Segments.SegmentDraftProblem>()];
        var missingLabels = labels.Where(k => !english.ContainsKey(k)).ToList();
        Assert.Empty(missingLabels);
    }

    private static IEnumerable<string> Names<TEnum>() where TEnum : struct, Enum => Enum.GetNames<TEnum>().Select(n => typeof(TEnum).Name + "." + n);

    [GeneratedRegex("(?:T\\[|Text\\()\"([A-Za-z0-9.]+)\"")]
    private static partial Regex UsedKey();

    [GeneratedRegex("Plural\\(\"([A-Za-z0-9.]+)\"")]
    private static partial Regex PluralKey();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Touchpoint.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Touchpoint.slnx not found above " + AppContext.BaseDirectory);
    }

    [Theory]
    [InlineData(1, "1 клиент")]
    [InlineData(2, "2 клиента")]
    [InlineData(4, "4 клиента")]
    [InlineData(5, "5 клиентов")]
    [InlineData(11, "11 клиентов")]
    [InlineData(12, "12 клиентов")]
    [InlineData(21, "21 клиент")]
    [InlineData(22, "22 клиента")]
    [InlineData(111, "111 клиентов")]
    public void RussianPlurals(long n, string expected)
    {
        using var _ = new UiCulture("ru");
        Assert.Equal(expected, SharedResource.Plural("Customers.Count", n));
    }

    [Fact]
    public void ContactsChart_InRussian_NamesChannelsAndMonthsInRussian()
    {
        using var _ = new UiCulture("ru");
        var chart = ContactsChart.Build([new(new DateOnly(2026, 1, 1), new Dictionary<Channel, int> { [Channel.Phone] = 2, [Channel.Chat] = 3 })]);

        Assert.Equal("Контакты по месяцам и каналам", chart.Title);
        Assert.Equal(["Телефон", "Чат"], chart.Series.Select(s => s.Name));
        Assert.Equal(new DateOnly(2026, 1, 1).ToString("MMM yyyy", CultureInfo.GetCultureInfo("ru")), chart.Categories[0]);
        Assert.Equal("5 контактов: Телефон 2, Чат 3.", chart.Summary);
    }

    /// <summary>Sets the thread's culture for one test, as RequestLocalization does for a request.</summary>
    private sealed class UiCulture : IDisposable
    {
        private readonly (CultureInfo Culture, CultureInfo Ui) saved = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);

        public UiCulture(string name) => CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(name);

        public void Dispose() => (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = saved;
    }

    private static async Task<string> GetPageAsync(HttpClient client, string url, string? acceptLanguage = null, bool decode = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (acceptLanguage is not null)
        {
            request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        }
        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: expected 200, got {(int)response.StatusCode}: {body}");
        // Razor writes non-ASCII text as character references; decoded, the page reads as a person sees it.
        return decode ? WebUtility.HtmlDecode(body) : body;
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task AcceptLanguageRu_CustomerListAnd360_AreInRussian_WithRussianNumbersAndDates(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        var list = await GetPageAsync(client, "/customers", "ru-RU,ru;q=0.9,en;q=0.5");
        Assert.Contains("<html lang=\"ru\">", list, StringComparison.Ordinal);
        Assert.Contains("<h1>Клиенты</h1>", list, StringComparison.Ordinal);
        Assert.Contains(">3 клиента</span>", list, StringComparison.Ordinal);
        Assert.Contains(">Взаимодействия</a>", list, StringComparison.Ordinal);
        // A sortable header: its label and what a click does, in Russian.
        Assert.Contains("<a href=\"/customers?sort=-lastContactAt\" title=\"Сортировать по убыванию\">Последний контакт (UTC)</a></th>", list, StringComparison.Ordinal);

        var ada = await GetPageAsync(client, $"/customers/{seed.Ada}", "ru");
        Assert.Contains("<h2 id=\"profile-h\">Профиль</h2>", ada, StringComparison.Ordinal);
        Assert.Contains("Эл. почта: <strong>дано</strong>", ada, StringComparison.Ordinal);
        Assert.Contains("SMS: <strong>отказ</strong>", ada, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"quiet-hours\">21:00–08:00 по местному времени</dd>", ada, StringComparison.Ordinal);
        Assert.Contains(">Хроника ", ada, StringComparison.Ordinal);
        Assert.Contains("data-flag=\"sla-met\" title=\"Первый ответ уложился в SLA канала\">SLA соблюдён</span>", ada, StringComparison.Ordinal);
        // Dates in the Russian format (day.month.year), as in the timeline's first row (2026-03-13 09:00 UTC).
        var ru = CultureInfo.GetCultureInfo("ru");
        Assert.StartsWith("13.03.2026", new DateTime(2026, 3, 13, 9, 0, 0).ToString("g", ru), StringComparison.Ordinal);
        Assert.Contains($"<time datetime=\"2026-03-13T09:00:00Z\">{new DateTime(2026, 3, 13, 9, 0, 0).ToString("g", ru)}</time>", ada, StringComparison.Ordinal);
        // The chart's series carry the Russian channel names.
        var raw = await GetPageAsync(client, $"/customers/{seed.Ada}", "ru", decode: false);
        var figure = System.Text.Json.JsonDocument.Parse(WebUtility.HtmlDecode(Regex.Match(raw, "data-chart=\"([^\"]+)\"").Groups[1].Value)).RootElement;
        Assert.Equal(["Телефон", "Эл. почта", "Чат"], figure.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("name").GetString()));

        // Without the header: English.
        Assert.Contains("<h1>Customers</h1>", await GetPageAsync(client, "/customers"), StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Dates_InEnglish_AreYearFirstWithA24HourClock_AndInRussianDayFirst(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();
        // Ada's last contact, the chat: 2026-03-13 09:00 UTC (not 3/13/2026 9:00 AM, which most of the world reads as 3 December).
        const string chat = "<time datetime=\"2026-03-13T09:00:00Z\">";

        foreach (var language in new[] { "en-US,en;q=0.9", "en" })
        {
            Assert.Contains(chat + "2026-03-13 09:00</time>", await GetPageAsync(client, "/customers", language), StringComparison.Ordinal);
            Assert.Contains(chat + "2026-03-13 09:00</time>", await GetPageAsync(client, $"/customers/{seed.Ada}", language), StringComparison.Ordinal);
            Assert.Contains(chat + "2026-03-13 09:00</time>", await GetPageAsync(client, "/interactions", language), StringComparison.Ordinal);
            var interaction = await GetPageAsync(client, $"/interactions/{seed.AdaChatContact}", language);
            Assert.Contains(chat + "2026-03-13 09:00:00</time> UTC", interaction, StringComparison.Ordinal);
            Assert.Contains("<time datetime=\"2026-03-13T09:05:00Z\">2026-03-13 09:05:00</time>", interaction, StringComparison.Ordinal);
        }

        Assert.Contains(chat + "13.03.2026 09:00</time>", await GetPageAsync(client, "/customers", "ru"), StringComparison.Ordinal);
        Assert.Contains(chat + "13.03.2026 09:00</time>", await GetPageAsync(client, "/interactions", "ru"), StringComparison.Ordinal);
        Assert.Contains(chat + "13.03.2026 09:00:00</time> UTC", await GetPageAsync(client, $"/interactions/{seed.AdaChatContact}", "ru"), StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task LanguageSwitch_OnAnErrorPage_ReturnsToTheAddressAsked_AndIsOnceOnTheLanguagePage(DatabaseProvider provider)
    {
        // On a 404 it came back to /status/404; the language page showed it in the header and in the page, one id twice.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        using var missing = await client.GetAsync("/customers/999999?show=50", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var form = Regex.Match(await missing.Content.ReadAsStringAsync(Ct), "<form method=\"post\" action=\"/language\".*?</form>", RegexOptions.Singleline).Value;
        Assert.Contains("name=\"ReturnUrl\" value=\"/customers/999999?show=50\"", form, StringComparison.Ordinal);

        var languagePage = await GetPageAsync(client, "/language?returnUrl=/customers", "en");
        Assert.Single(Regex.Matches(languagePage, "id=\"language-switch\""));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task LanguageSwitch_SetsTheCookie_WhichWinsOverAcceptLanguage_AndReturnsToThePage(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();

        var page = await client.GetStringAsync($"/customers/{seed.Ada}", Ct);
        var form = Regex.Match(page, "<form method=\"post\" action=\"/language\".*?</form>", RegexOptions.Singleline).Value;
        var token = ServerHost.FormToken(form);
        Assert.False(string.IsNullOrEmpty(token), "the language switch carries an antiforgery token: " + form);
        Assert.Contains($"name=\"ReturnUrl\" value=\"/customers/{seed.Ada}\"", form, StringComparison.Ordinal);

        using var switched = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["culture"] = "ru", ["ReturnUrl"] = $"/customers/{seed.Ada}", ["__RequestVerificationToken"] = token,
        }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        Assert.Equal($"/customers/{seed.Ada}", switched.Headers.Location?.OriginalString);

        // The cookie wins over the browser's English.
        var ada = await GetPageAsync(client, $"/customers/{seed.Ada}", "en-US,en;q=0.9");
        Assert.Contains("<h2 id=\"profile-h\">Профиль</h2>", ada, StringComparison.Ordinal);
        Assert.Contains("<h1>Клиенты</h1>", await GetPageAsync(client, "/customers", "en"), StringComparison.Ordinal);

        // An unknown language or a missing token is refused; a foreign return URL is not followed.
        using var unknown = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["culture"] = "xx", ["__RequestVerificationToken"] = token,
        }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        using var forged = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string> { ["culture"] = "en" }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        using var away = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["culture"] = "en", ["ReturnUrl"] = "https://evil.example/", ["__RequestVerificationToken"] = token,
        }), Ct);
        Assert.Equal("/", away.Headers.Location?.OriginalString);
        Assert.Contains("<h1>Customers</h1>", await GetPageAsync(client, "/customers", "ru"), StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task NotFound_IsAPageInTheUiLanguage_WithStatus404_AndProblemDetailsForTheApi(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();
        using var anonymous = host.Browser();

        async Task<(HttpStatusCode Status, string? Type, string Body)> GetAsync(HttpClient c, string url, string language)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
            request.Headers.AcceptLanguage.ParseAdd(language);
            using var response = await c.SendAsync(request, Ct);
            return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct)));
        }

        // A missing customer (the page answers NotFound) and a path no page has, signed in or not.
        var missingCustomer = await GetAsync(client, "/customers/999999", "ru");
        Assert.Equal(HttpStatusCode.NotFound, missingCustomer.Status);
        Assert.Equal("text/html", missingCustomer.Type);
        Assert.Contains("<html lang=\"ru\">", missingCustomer.Body, StringComparison.Ordinal);
        Assert.Contains("<h1>Страница не найдена</h1>", missingCustomer.Body, StringComparison.Ordinal);
        Assert.Contains(">Клиенты</a>", missingCustomer.Body, StringComparison.Ordinal);
        var noPage = await GetAsync(client, "/no/such/page", "en");
        Assert.Equal(HttpStatusCode.NotFound, noPage.Status);
        Assert.Contains("<h1>Page not found</h1>", noPage.Body, StringComparison.Ordinal);
        var anonymousNoPage = await GetAsync(anonymous, "/no/such/page", "ru");
        Assert.Equal(HttpStatusCode.NotFound, anonymousNoPage.Status);
        Assert.Contains("<h1>Страница не найдена</h1>", anonymousNoPage.Body, StringComparison.Ordinal);

        // The page opened by its own address still answers the status it describes.
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(anonymous, "/status/404", "en")).Status);

        // A form posted without its antiforgery token: refused with 400, explained in the UI language.
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/language")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["culture"] = "en" }),
        };
        forged.Headers.AcceptLanguage.ParseAdd("ru");
        using var refused = await anonymous.SendAsync(forged, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("<h1>Не удалось обработать запрос</h1>", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);

        // The API keeps answering problem details.
        var api = await GetAsync(client, "/api/no/such/thing", "ru");
        Assert.Equal(HttpStatusCode.NotFound, api.Status);
        Assert.Equal("application/problem+json", api.Type);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task AFailure_IsAPageInTheUiLanguage_WithStatus500_AndProblemDetailsForTheApi(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var client = await host.SignedInClientAsync();
        // Every query of customers now fails, as with a broken database.
        await using (var db = database.CreateDb())
        {
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE customers RENAME TO customers_gone", Ct);
        }

        using var page = new HttpRequestMessage(HttpMethod.Get, "/customers");
        page.Headers.AcceptLanguage.ParseAdd("ru");
        using var failed = await client.SendAsync(page, Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("text/html", failed.Content.Headers.ContentType?.MediaType);
        var body = WebUtility.HtmlDecode(await failed.Content.ReadAsStringAsync(Ct));
        Assert.Contains("<h1>Что-то пошло не так</h1>", body, StringComparison.Ordinal);
        Assert.Contains("Сервер ответил ошибкой 500.", body, StringComparison.Ordinal);

        using var api = await client.GetAsync("/api/customers?q=ada", Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task LoginPage_AndInteractionAndReportPages_InRussian(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var anonymous = host.Browser();
        var login = await GetPageAsync(anonymous, "/login", "ru");
        Assert.Contains("<h1>Вход</h1>", login, StringComparison.Ordinal);
        Assert.Contains(">Войти</button>", login, StringComparison.Ordinal);
        Assert.Contains("<label for=\"password\">Пароль</label>", login, StringComparison.Ordinal);

        using var client = await host.SignedInClientAsync();
        var chat = await GetPageAsync(client, $"/interactions/{seed.AdaChatContact}", "ru");
        Assert.Contains("<dd id=\"first-response\">30 с</dd>", chat, StringComparison.Ordinal);
        Assert.Contains("<h2 id=\"transcript-h\">Переписка <span class=\"muted\">время в UTC</span></h2>", chat, StringComparison.Ordinal);
        Assert.Contains(">Требует продолжения</span>", chat, StringComparison.Ordinal);
        Assert.Contains("<strong>Клиент</strong>", chat, StringComparison.Ordinal);
        var list = await GetPageAsync(client, "/interactions?channel=Sms", "ru");
        Assert.Contains("Нет взаимодействий, подходящих под эти фильтры.", list, StringComparison.Ordinal);
        var badDate = await GetPageAsync(client, "/interactions?from=yesterday", "ru");
        // The field as the form labels it, in the UI language (it was the property's name, From).
        Assert.Contains("<span data-field=\"from\">Значение «yesterday» недопустимо для поля «С».</span>", badDate, StringComparison.Ordinal);
        var badAgent = await GetPageAsync(client, "/interactions?agent=x", "ru");
        Assert.Contains("<span data-field=\"agent\">Значение «x» недопустимо для поля «Оператор».</span>", badAgent, StringComparison.Ordinal);
        var report = await GetPageAsync(client, "/reports/first-response", "ru");
        Assert.Contains("<h1>Первый ответ</h1>", report, StringComparison.Ordinal);
        Assert.Contains("<th class=\"num\">Медиана</th>", report, StringComparison.Ordinal);
        Assert.Contains(">малая выборка</span>", report, StringComparison.Ordinal);
    }
}
