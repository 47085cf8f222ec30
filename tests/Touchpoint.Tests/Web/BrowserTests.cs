using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Web;

/// <summary>One walk through the web UI in a real browser against the server on Kestrel: sign in, find, open, drill down.</summary>
public sealed class BrowserTests
{
    // The walks an agent and a manager take every day run on both databases; the rest of this class on SQLite.
    [Theory, ClassData(typeof(Providers))]
    public async Task Agent_SignsIn_FindsCustomerByEmail_OpensTimeline_AndReadsTranscript(DatabaseProvider provider)
    {
        await using var site = await Site.OpenAsync(database => WebSeed.CreateAsync(database), provider: provider);
        var (page, failed) = (site.Page, site.Failed);

        // Not signed in: the customer list sends us to the login form, which brings us back.
        await page.GotoAsync("/customers");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/login\\?ReturnUrl=%2Fcustomers$"));
        await SignInAsync(page);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/customers$"));

        await page.GetByRole(AriaRole.Searchbox).FillAsync("ada.lovelace@example.com");
        await page.Locator("#customer-search button[type=submit]").ClickAsync();
        var rows = page.Locator("#customers tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Link, new() { Name = "Ada Lovelace" }).ClickAsync();

        await Assertions.Expect(page.Locator("#customer-name")).ToHaveTextAsync("Ada Lovelace");
        await Assertions.Expect(page.Locator("#identities")).ToContainTextAsync("ada.lovelace@example.com");
        await Assertions.Expect(page.Locator("#identities")).ToContainTextAsync("+1 555-010-2000");
        var timeline = page.Locator("#timeline tbody tr");
        await Assertions.Expect(timeline).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#timeline tbody tr[data-channel=phone]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#timeline tbody tr[data-channel=email]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#timeline tbody tr[data-channel=chat]")).ToHaveCountAsync(1);
        // The chart is drawn by plotly.js, served from the Plotly.Blazor package (no 404, no CDN).
        var chart = page.Locator("#contacts-chart [role=img]");
        await Assertions.Expect(chart).ToBeVisibleAsync();
        await Assertions.Expect(chart.Locator("svg.main-svg").First).ToBeVisibleAsync();
        await Assertions.Expect(chart.Locator(".barlayer .trace")).ToHaveCountAsync(3);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "touchpoint-360.png"), FullPage = true });

        await page.Locator("#timeline tbody tr[data-channel=email] a").First.ClickAsync();
        var transcript = page.Locator("#transcript");
        await Assertions.Expect(transcript).ToBeVisibleAsync();
        await Assertions.Expect(transcript.Locator("li")).ToHaveTextAsync([new Regex("Customer.*message of ada-email", RegexOptions.Singleline), new Regex("Agent.*reply", RegexOptions.Singleline)]);
        await Assertions.Expect(page.Locator("#case-interactions tbody tr")).ToHaveCountAsync(2);

        await page.Locator("#customer-link").ClickAsync();
        await Assertions.Expect(page.Locator("#customer-name")).ToHaveTextAsync("Ada Lovelace");

        // From the keyboard, the first Tab offers to skip the navigation, and Enter moves on to the page's content.
        await page.Keyboard.PressAsync("Tab");
        var skip = page.Locator("a.skip-link");
        await Assertions.Expect(skip).ToBeFocusedAsync();
        await Assertions.Expect(skip).ToBeInViewportAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("main#main")).ToBeFocusedAsync();
        await Assertions.Expect(skip).Not.ToBeInViewportAsync();
        Assert.Empty(failed);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Manager_WritesASegmentRule_FixesItsError_FiltersCustomersByIt_AndMergesADuplicate(DatabaseProvider provider)
    {
        WebSeed seed = null!;
        await using var site = await Site.OpenAsync(async database => seed = await WebSeed.CreateAsync(database), WebSeed.Now, provider);
        var (page, failed) = (site.Page, site.Failed);

        await page.GotoAsync("/login");
        await SignInAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Segments", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/segments$"));

        // A rule with a mistake: the error points at it; corrected, the rule says whom it selects; saved, it filters the list.
        await page.Locator("input[name=Name]").FillAsync("Open cases");
        await page.Locator("textarea[name=Rule]").FillAsync("open_cases >= ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check rule" }).ClickAsync();
        await Assertions.Expect(page.Locator("#rule-error")).ToContainTextAsync("column 15");
        await page.Locator("textarea[name=Rule]").FillAsync("open_cases >= 1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check rule" }).ClickAsync();
        await Assertions.Expect(page.Locator("#rule-ok")).ToHaveAttributeAsync("data-members", "1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator("#segment-saved")).ToBeVisibleAsync();
        await page.Locator("tr[data-segment='Open cases'] a[href^='/customers']").ClickAsync();
        await Assertions.Expect(page.Locator("#customers tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#customers tbody")).ToContainTextAsync("Ada Lovelace");

        // Bob and Ada are the same person after all: merge Ada's profile into Bob's from his page.
        await page.GotoAsync($"/customers/{seed.Bob}");
        await page.Locator("#merge summary").ClickAsync();
        await page.Locator("#merge-find input[name=duplicate]").FillAsync("@ada_l");
        await page.Locator("#merge-find button").ClickAsync();
        await Assertions.Expect(page.Locator("#merge-candidate")).ToContainTextAsync("Ada Lovelace");
        await page.Locator("#merge-candidate button").ClickAsync();
        await Assertions.Expect(page.Locator("#merge-done")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#customer-name")).ToHaveTextAsync("Bob Builder");
        await Assertions.Expect(page.Locator("#timeline tbody tr")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#identities")).ToContainTextAsync("ada.lovelace@example.com");
        Assert.Empty(failed);
    }

    [Fact]
    public async Task Manager_OpensFirstResponseReport_FromTheNavigation_AndSeesTheChart()
    {
        await using var site = await Site.OpenAsync(database => ReportPagesTests.SeedAsync(database));
        var (page, failed) = (site.Page, site.Failed);

        await page.GotoAsync("/login");
        await SignInAsync(page);
        await page.Locator("header nav a[href='/reports/first-response']").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/reports/first-response$"));
        var chart = page.Locator("#first-response-chart [role=img]");
        await Assertions.Expect(chart.Locator("svg.main-svg").First).ToBeVisibleAsync();
        // Two series (median, p90) over two queues.
        await Assertions.Expect(chart.Locator(".barlayer .trace")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#first-response tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#first-response tbody tr.small-sample")).ToHaveCountAsync(1);

        // Filter by channel through the form.
        await page.Locator("#report-filters select[name=channel]").SelectOptionAsync("Chat");
        await page.Locator("#report-filters button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#first-response tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#first-response tbody tr[data-queue=tech]")).ToHaveCountAsync(1);

        // Switch to Russian: the same report, filters kept, Russian text, the chart drawn again.
        await page.Locator("#language-switch button[value=ru]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/reports/first-response\\?channel=Chat&"));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Первый ответ");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ru");
        await Assertions.Expect(page.Locator("#first-response-chart svg.main-svg").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#first-response tbody tr.small-sample")).ToContainTextAsync("малая выборка");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "touchpoint-report-ru.png"), FullPage = true });

        // Signing out works from the layout's form (antiforgery token included).
        await page.Locator("#sign-out").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/logout$"));
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Вы вышли из системы.");
        Assert.Empty(failed);
    }

    [Fact]
    public async Task Admin_DeletesASegmentNamedWithAQuote_OnlyAfterConfirmingIt_AndRevokesAKeyOnlyAfterConfirming()
    {
        await using var site = await Site.OpenAsync(database => WebSeed.CreateAsync(database), WebSeed.Now);
        var (page, failed) = (site.Page, site.Failed);
        var dialogs = new List<string>();
        // The first question is answered no, later ones yes.
        page.Dialog += async (_, d) => { dialogs.Add(d.Message); await (dialogs.Count == 1 ? d.DismissAsync() : d.AcceptAsync()); };

        await page.GotoAsync("/login");
        await SignInAsync(page);
        await page.GotoAsync("/segments");
        const string name = "O'Brien's \"VIP\" list";
        await page.Locator("input[name=Name]").FillAsync(name);
        await page.Locator("textarea[name=Rule]").FillAsync("plan = \"premium\"");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator("#segment-saved")).ToBeVisibleAsync();
        var row = page.Locator("#segments tbody tr").Filter(new() { HasText = "O'Brien" });

        // A quote in the name must not break the question (the form was sent unasked, with a script error).
        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(1);
        Assert.Equal(["Delete " + name + "?"], dialogs);
        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);

        // Revoking a key breaks its integration at once, so it is asked too.
        await page.GotoAsync("/admin/access");
        await page.Locator("#issue-key input[name=name]").FillAsync("crm sync");
        await page.Locator("#issue-key button[type=submit]").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(page.Locator("#keys tbody")).ToContainTextAsync("revoked");
        Assert.Equal(3, dialogs.Count);
        Assert.Contains("crm sync", dialogs[2], StringComparison.Ordinal);
        Assert.Empty(failed);
    }

    [Fact]
    public async Task Pages_FitAPhoneScreen_TheHeaderWraps_AndWideTablesScrollInTheirOwnBox()
    {
        WebSeed seed = null!;
        await using var site = await Site.OpenAsync(async database => seed = await WebSeed.CreateAsync(database), WebSeed.Now);
        var (page, failed) = (site.Page, site.Failed);
        await page.SetViewportSizeAsync(390, 844);

        await page.GotoAsync("/login");
        await SignInAsync(page);
        // In both languages: Russian words are longer (the interaction's "Разговор / удержание / постобработка" pushed its
        // values 30px off the screen).
        foreach (var language in new[] { "English", "Русский" })
        {
            await page.GotoAsync("/customers");
            await page.Locator("#language-switch button", new() { HasText = language }).ClickAsync();
            await Assertions.Expect(page.Locator("#language-switch button[aria-pressed=true]")).ToHaveTextAsync(language);
            foreach (var url in new[] { "/customers", $"/customers/{seed.Ada}", $"/interactions/{seed.AdaEmailContact}", "/interactions", "/segments",
                "/admin/access", "/account/password", "/reports/first-response" })
            {
                await page.GotoAsync(url);
                // Opened, the tables in details (the chart's numbers, the rule fields) count too.
                await page.EvaluateAsync("() => document.querySelectorAll('main details').forEach(d => d.open = true)");
                // The page itself never scrolls sideways (the header and 420px-wide cards did, to about 1,000px).
                var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
                Assert.True(width <= 390, $"{url} ({language}) is {width}px wide on a 390px screen");
                var signOut = await page.Locator("#sign-out").BoundingBoxAsync();
                Assert.True(signOut is { } box && box.X + box.Width <= 390, $"{url} ({language}): the sign-out button is off the screen");
            }
        }
        await page.GotoAsync("/customers");
        await page.Locator("#language-switch button", new() { HasText = "English" }).ClickAsync();
        // Dates stay on one line (2026-11-26 broke after "2026-11-" in the narrow Created column).
        await page.GotoAsync("/admin/access");
        await page.Locator("#issue-key input[name=name]").FillAsync("crm sync");
        await page.Locator("#issue-key button[type=submit]").ClickAsync();
        // The form posts and the page comes back with the key: read the cells of that page, not the one being left.
        await Assertions.Expect(page.Locator("#keys tbody")).ToContainTextAsync("crm sync");
        const string OneLine = "e => { const r = document.createRange(); r.selectNodeContents(e); return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size === 1; }";
        foreach (var cell in await page.Locator("#users tbody td:nth-child(4), #keys tbody td:nth-child(4)").AllAsync())
        {
            Assert.True(await cell.EvaluateAsync<bool>(OneLine), "one line: " + await cell.InnerTextAsync());
        }
        // So do the dates of the consent decisions on the 360 page (2026-03- / 02 in its narrow grid).
        await page.GotoAsync($"/customers/{seed.Ada}");
        var consentDates = await page.Locator("#consents .consent-date").AllAsync();
        Assert.NotEmpty(consentDates);
        foreach (var date in consentDates)
        {
            Assert.True(await date.EvaluateAsync<bool>(OneLine), "one line: " + await date.InnerTextAsync());
        }
        // A wide table keeps its columns and scrolls inside its box.
        await page.GotoAsync("/interactions");
        var table = await page.Locator("#interactions").BoundingBoxAsync();
        Assert.True(table!.Width > 390, "the interactions table keeps its columns");
        var scroller = page.Locator(".table-scroll").Filter(new() { Has = page.Locator("#interactions") });
        Assert.True(await scroller.EvaluateAsync<bool>("e => e.scrollWidth > e.clientWidth && getComputedStyle(e).overflowX === 'auto'"));
        Assert.Empty(failed);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task ContactsChart_LegendClearsTheMonthLabels(int width)
    {
        WebSeed seed = null!;
        await using var site = await Site.OpenAsync(async database => seed = await WebSeed.CreateAsync(database), WebSeed.Now);
        var (page, failed) = (site.Page, site.Failed);
        await page.SetViewportSizeAsync(width, 900);

        await page.GotoAsync("/login");
        await SignInAsync(page);
        await page.GotoAsync($"/customers/{seed.Ada}");
        var chart = page.Locator("#contacts-chart [role=img]");
        await Assertions.Expect(chart.Locator("g.legend")).ToBeVisibleAsync();
        // The rotated month labels ran into a legend placed at a fixed distance under the plot.
        var overlaps = await chart.EvaluateAsync<string[]>("""
            e => {
                const legend = e.querySelector('g.legend').getBoundingClientRect();
                return [...e.querySelectorAll('g.xtick text')].map(t => [t.textContent, t.getBoundingClientRect()])
                    .filter(([, b]) => b.left < legend.right && legend.left < b.right && b.top < legend.bottom && legend.top < b.bottom)
                    .map(([text]) => text);
            }
            """);
        Assert.Empty(overlaps);
        Assert.Empty(failed);
    }

    [Fact]
    public async Task EveryTimeShown_SaysItIsUtc_InItsColumn_ItsLine_OrItsSection()
    {
        WebSeed seed = null!;
        await using var site = await Site.OpenAsync(async database => seed = await WebSeed.CreateAsync(database), WebSeed.Now);
        var (page, failed) = (site.Page, site.Failed);

        await page.GotoAsync("/login");
        await SignInAsync(page);
        foreach (var url in new[] { "/customers", $"/customers/{seed.Ada}", $"/interactions/{seed.AdaEmailContact}", "/interactions" })
        {
            await page.GotoAsync(url);
            // A time shown bare next to one marked UTC reads as local time (the contact's end, the case's opening, messages).
            var unmarked = await page.EvaluateAsync<string[]>("""
                () => [...document.querySelectorAll('main time')].filter(t => {
                    const cell = t.closest('td');
                    if (cell) {
                        const header = cell.closest('table').querySelectorAll('thead th')[cell.cellIndex];
                        return !header?.textContent.includes('UTC');
                    }
                    const dd = t.closest('dd');
                    if (dd) {
                        return !dd.textContent.includes('UTC') && !dd.previousElementSibling?.textContent.includes('UTC');
                    }
                    const heading = t.closest('section')?.querySelector('h2');
                    return !heading?.textContent.includes('UTC');
                }).map(t => t.closest('td, dd, li, p')?.textContent.trim() ?? t.textContent)
                """);
            Assert.True(unmarked.Length == 0, $"{url}: not marked UTC: {string.Join(" | ", unmarked)}");
        }
        Assert.Empty(failed);
    }

    [Fact]
    public async Task Agent_ClicksAColumnHeader_TheListSortsByIt_AndAgainTheOtherWay()
    {
        await using var site = await Site.OpenAsync(database => WebSeed.CreateAsync(database), WebSeed.Now);
        var (page, failed) = (site.Page, site.Failed);

        await page.GotoAsync("/login");
        await SignInAsync(page);
        await page.GotoAsync("/interactions");
        var channels = page.Locator("#interactions tbody tr td:nth-child(3) .channel");
        var channelHeader = page.Locator("#interactions th[data-sort=channel]");
        // Newest first to begin with, which the time column says.
        await Assertions.Expect(channels).ToHaveCountAsync(4);
        var rows = page.Locator("#interactions tbody tr td:first-child a");
        var newestFirst = await rows.EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.Equal(["chat", "email", "phone", "phone"], await channels.EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.channel)"));
        await Assertions.Expect(page.Locator("#interactions th[data-sort=startedAt]")).ToHaveAttributeAsync("aria-sort", "descending");
        await Assertions.Expect(channelHeader).Not.ToHaveAttributeAsync("aria-sort", new Regex("."));

        await channelHeader.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/interactions\\?sort=channel$"));
        await Assertions.Expect(channelHeader).ToHaveAttributeAsync("aria-sort", "ascending");
        await Assertions.Expect(channelHeader).ToContainTextAsync("▲");
        await Assertions.Expect(page.Locator("#interactions th[data-sort=startedAt]")).Not.ToHaveAttributeAsync("aria-sort", new Regex("."));
        Assert.Equal(["chat", "email", "phone", "phone"], await channels.EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.channel)"));
        // Within a channel in time order: the two phone calls swapped places.
        var ascendingRows = await rows.EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.Equal([newestFirst[0], newestFirst[1], newestFirst[3], newestFirst[2]], ascendingRows);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "touchpoint-interactions-sorted.png"), FullPage = true });

        await channelHeader.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/interactions\\?sort=-channel$"));
        await Assertions.Expect(channelHeader).ToHaveAttributeAsync("aria-sort", "descending");
        Assert.Equal(["phone", "phone", "email", "chat"], await channels.EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.channel)"));
        Assert.Equal(ascendingRows.Reverse(), await rows.EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"));
        await Assertions.Expect(page.Locator("#interaction-count")).ToHaveTextAsync("1–4 of 4");

        // A filter applied from the form keeps the sort.
        await page.Locator("#interaction-filters select[name=channel]").SelectOptionAsync("Phone");
        await page.Locator("#interaction-filters button[type=submit]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("channel=Phone.*&sort=-channel"));
        await Assertions.Expect(channelHeader).ToHaveAttributeAsync("aria-sort", "descending");
        await Assertions.Expect(page.Locator("#interaction-count")).ToHaveTextAsync("1–2 of 2");
        Assert.Empty(failed);
    }

    /// <summary>A page on the server over Kestrel that records every failed response and script error in <c>Failed</c>.</summary>
    /// <summary>
    /// What every test here starts from: headless Chromium on a page of the server on Kestrel, over a fresh SQLite
    /// database seeded by the test; <see cref="Failed"/> collects every 4xx/5xx answer and script error the page met.
    /// </summary>
    private sealed class Site(IPlaywright playwright, IBrowser browser, TestDatabase database, ServerHost host, IPage page) : IAsyncDisposable
    {
        public IPage Page { get; } = page;
        public List<string> Failed { get; } = [];

        public static async Task<Site> OpenAsync(Func<TestDatabase, Task> seed, DateTimeOffset? now = null, DatabaseProvider provider = DatabaseProvider.Sqlite)
        {
            var (playwright, browser) = await Chromium.LaunchAsync();
            var database = await TestDatabase.CreateAsync(provider);
            await seed(database);
            var host = new ServerHost(database, now);
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = host.StartKestrel().ToString() });
            page.SetDefaultTimeout(15_000);
            var site = new Site(playwright, browser, database, host, page);
            page.Response += (_, r) => { if (r.Status >= 400) { site.Failed.Add($"{r.Status} {r.Url}"); } };
            page.PageError += (_, e) => site.Failed.Add("script error: " + e);
            return site;
        }

        public async ValueTask DisposeAsync()
        {
            await host.DisposeAsync();
            await database.DisposeAsync();
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    /// <summary>Signs in as the admin on the login form the page shows.</summary>
    private static async Task SignInAsync(IPage page)
    {
        await page.Locator("#email").FillAsync(ServerHost.AdminEmail);
        await page.Locator("#password").FillAsync(ServerHost.AdminPassword);
        await page.Locator("#login button[type=submit]").ClickAsync();
    }
}
