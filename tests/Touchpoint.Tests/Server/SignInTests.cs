using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Server;

/// <summary>Login, roles and several server nodes over one database.</summary>
public sealed class SignInTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Pages_NeedLogin_AndWrongPasswordIsRefused(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var browser = host.Browser();

        var page = await browser.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("http://localhost/login?ReturnUrl=", page.Headers.Location?.ToString(), StringComparison.Ordinal);

        var wrong = await ServerHost.LogInAsync(browser, password: "not the password");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("id=\"login-failed\"", await wrong.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/", Ct)).StatusCode);

        var right = await ServerHost.LogInAsync(browser, email: "ADMIN@test.local");
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        // The start page is the customer list (it was a card with three links, Segments not among them).
        var home = await browser.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/customers", home.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/customers", Ct)).StatusCode);
    }

    [Fact]
    public async Task EveryResponse_ForbidsFraming_AndTypeSniffing_PagesApiErrorsAndFiles()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = new ServerHost(database);
        using var browser = await host.SignedInClientAsync();
        using var anonymous = host.Browser();
        var responses = new[]
        {
            await anonymous.GetAsync("/login", Ct), await anonymous.GetAsync("/customers", Ct), await anonymous.GetAsync("/api/customers", Ct),
            await browser.GetAsync("/admin/access", Ct), await browser.GetAsync("/customers/424242", Ct), await browser.GetAsync("/api/admin/users", Ct),
            await browser.GetAsync("/api/no-such-thing", Ct), await browser.GetAsync("/css/site.css", Ct),
        };
        Assert.All(responses, r =>
        {
            var at = $"{r.RequestMessage!.RequestUri} ({(int)r.StatusCode})";
            Assert.True(r.Headers.TryGetValues("X-Frame-Options", out var frame) && frame.Single() == "DENY", at);
            Assert.True(r.Headers.TryGetValues("Content-Security-Policy", out var csp) && csp.Single() == "frame-ancestors 'none'", at);
            Assert.True(r.Headers.TryGetValues("X-Content-Type-Options", out var sniff) && sniff.Single() == "nosniff", at);
        });
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PasswordGuessing_LocksTheAccount_After10WrongInARow_For15Minutes_FromAnyAddress(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var clock = Ingest.Clock();
        await using var db = database.CreateDb();
        var accounts = new Touchpoint.Platform.Accounts(db, clock);
        var sam = (await accounts.CreateUserAsync("sam@example.com", "Sam", Touchpoint.Platform.Role.Agent, "sam's own long passphrase", Ct)).User;
        async Task<int> WrongAsync(int times)
        {
            var signedIn = 0;
            for (var n = 0; n < times; n++)
            {
                signedIn += await accounts.VerifyPasswordAsync("sam@example.com", $"guess {n}", Ct) is null ? 0 : 1;
            }
            return signedIn;
        }

        // Nine wrong, then the right one: the count starts again.
        Assert.Equal(0, await WrongAsync(9));
        Assert.NotNull(await accounts.VerifyPasswordAsync("sam@example.com", "sam's own long passphrase", Ct));
        Assert.Equal(0, await WrongAsync(9));
        Assert.NotNull(await accounts.VerifyPasswordAsync("sam@example.com", "sam's own long passphrase", Ct));
        // Ten in a row: even the right password is refused for 15 minutes; the server's own check is not a sign-in.
        Assert.Equal(0, await WrongAsync(10));
        Assert.Null(await accounts.VerifyPasswordAsync("sam@example.com", "sam's own long passphrase", Ct));
        Assert.True(await accounts.IsPasswordAsync("sam@example.com", "sam's own long passphrase", Ct));
        clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Null(await accounts.VerifyPasswordAsync("sam@example.com", "sam's own long passphrase", Ct));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.NotNull(await accounts.VerifyPasswordAsync("sam@example.com", "sam's own long passphrase", Ct));
        // Locked again, an administrator's new password lifts the lock.
        Assert.Equal(0, await WrongAsync(10));
        var fresh = await accounts.ResetPasswordAsync(sam.Id, "admin@test.local", Ct);
        Assert.NotNull(await accounts.VerifyPasswordAsync("sam@example.com", fresh!, Ct));
        Assert.Equal(2, await db.AuditLog.CountAsync(a => a.Action == "user.locked_out" && a.Target == "sam@example.com", Ct));
    }

    [Fact]
    public async Task PasswordGuessing_IsSlowedDown_After20AttemptsAMinute()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = new ServerHost(database);
        using var browser = host.Browser();
        var statuses = new List<HttpStatusCode>();
        for (var n = 0; n < 21; n++)
        {
            statuses.Add((await ServerHost.LogInAsync(browser, password: $"guess {n}")).StatusCode);
        }
        Assert.All(statuses.Take(20), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[20]);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PasswordGuessing_IsLimitedOnAllNodesTogether_NotPerNode_AndAllowedAgainTheNextMinute(DatabaseProvider provider)
    {
        // Each node kept its own count, so behind a load balancer a guesser had 20 tries a minute per node.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var first = new ServerHost(database);
        await using var second = new ServerHost(database);
        using var onFirst = first.Browser();
        using var onSecond = second.Browser();

        var statuses = new List<HttpStatusCode>();
        for (var n = 0; n < 10; n++)
        {
            // Guesses at an address nobody has, so the admin's own lockout (ten wrong passwords) stays out of it.
            statuses.Add((await ServerHost.LogInAsync(onFirst, "nobody@example.com", $"guess {n}")).StatusCode);
            statuses.Add((await ServerHost.LogInAsync(onSecond, "nobody@example.com", $"guess {n}")).StatusCode);
        }
        var over = await ServerHost.LogInAsync(onSecond, "nobody@example.com", "guess 21");
        var overOnFirst = await ServerHost.LogInAsync(onFirst);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        // Even the right password waits: the limit is on attempts, not on failures.
        Assert.Equal(HttpStatusCode.TooManyRequests, overOnFirst.StatusCode);

        first.Clock.Advance(TimeSpan.FromMinutes(1));
        second.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Redirect, (await ServerHost.LogInAsync(onFirst)).StatusCode);
        // The minute that passed is swept by the next minute's first attempt.
        await using var db = database.CreateDb();
        Assert.Equal([1], await db.LoginAttempts.Select(w => w.Attempts).ToListAsync(Ct));
    }

    [Fact]
    public async Task BehindAKnownProxy_EachForwardedClientHasItsOwnLoginLimit()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = new ServerHost(database, settings: new Dictionary<string, string?>
        {
            // One comma-separated value, as an environment variable would give it; a network counts like an address.
            ["ForwardedHeaders:KnownProxies"] = "::1, 127.0.0.1/32",
        });
        var server = host.StartKestrel();

        var first = await GuessPasswordsAsync(server, forwardedFor: "127.0.0.2", attempts: 21);
        Assert.Equal(HttpStatusCode.TooManyRequests, first[20]);
        Assert.Equal([HttpStatusCode.Unauthorized], await GuessPasswordsAsync(server, forwardedFor: "127.0.0.3", attempts: 1));
    }

    [Fact]
    public async Task OverHttps_BehindAKnownProxy_ResponsesTellBrowsersToUseHttpsOnly_ButNotOverPlainHttp()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = new ServerHost(database, settings: new Dictionary<string, string?>
        {
            ["environment"] = "Production",
            ["ForwardedHeaders:KnownProxies"] = "127.0.0.1",
        });
        var server = host.StartKestrel();
        using var client = new HttpClient { BaseAddress = server };

        async Task<HttpResponseMessage> GetAsync(string? forwardedProto)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/login");
            // A public name: the middleware leaves localhost alone.
            request.Headers.Host = "cx.example.com";
            if (forwardedProto is not null)
            {
                request.Headers.Add("X-Forwarded-Proto", forwardedProto);
            }
            return await client.SendAsync(request, Ct);
        }

        using var https = await GetAsync("https");
        Assert.Equal(HttpStatusCode.OK, https.StatusCode);
        Assert.Equal("max-age=2592000", string.Join(",", https.Headers.GetValues("Strict-Transport-Security")));
        using var http = await GetAsync(null);
        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        Assert.False(http.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task WithoutKnownProxies_XForwardedForIsIgnored()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = new ServerHost(database);
        var server = host.StartKestrel();

        Assert.All(await GuessPasswordsAsync(server, forwardedFor: "127.0.0.2", attempts: 20), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        // Another claimed client from the same connection address shares the bucket.
        Assert.Equal([HttpStatusCode.TooManyRequests], await GuessPasswordsAsync(server, forwardedFor: "127.0.0.3", attempts: 1));
    }

    [Fact]
    public async Task KnownProxies_ThatAreNotAddresses_StopTheStart()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = new ServerHost(database, settings: new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
            ["ForwardedHeaders:KnownProxies:1"] = "proxy.internal",
        });
        var error = Assert.Throws<InvalidOperationException>(() => host.CreateClient());
        Assert.Contains("ForwardedHeaders:KnownProxies: \"proxy.internal\"", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Wrong passwords posted over Kestrel from 127.0.0.1, each request claiming to be for <paramref name="forwardedFor"/>.</summary>
    private static async Task<List<HttpStatusCode>> GuessPasswordsAsync(Uri server, string forwardedFor, int attempts)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new System.Net.CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = server };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        var statuses = new List<HttpStatusCode>();
        for (var n = 0; n < attempts; n++)
        {
            statuses.Add((await ServerHost.LogInAsync(client, password: $"guess {n}")).StatusCode);
        }
        return statuses;
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task LoginOnOneNode_IsValidOnAnother(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var nodeA = new ServerHost(database);
        await using var nodeB = new ServerHost(database);
        using var onB = nodeB.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        // Signed in on node A; the same cookie sent to node B decrypts with the key ring both read from the database.
        var cookieHeader = await LoginCookieAsync(nodeA);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/users");
        request.Headers.Add("Cookie", cookieHeader);
        var response = await onB.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var users = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(ServerHost.AdminEmail, users[0].GetProperty("email").GetString());

        using var forged = new HttpRequestMessage(HttpMethod.Get, "/api/admin/users");
        forged.Headers.Add("Cookie", cookieHeader[..^4] + "AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.SendAsync(forged, Ct)).StatusCode);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task SigningOut_EndsTheSession_OnEveryNode_ACopyOfTheCookieIsRefused(DatabaseProvider provider)
    {
        // The whole ticket rode in the cookie, and signing out only told the browser to forget it: a copy stayed valid for 12 hours.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var nodeA = new ServerHost(database);
        await using var nodeB = new ServerHost(database);
        using var onA = nodeA.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var onB = nodeB.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var auth = await LoginCookieAsync(nodeA);
        var other = await LoginCookieAsync(nodeA);
        async Task<HttpStatusCode> UsersAsync(HttpClient client, string cookie)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/users");
            request.Headers.Add("Cookie", cookie);
            return (await client.SendAsync(request, Ct)).StatusCode;
        }
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (await UsersAsync(onA, auth), await UsersAsync(onB, auth)));

        // Sign out with the page's own form on node A.
        using var page = new HttpRequestMessage(HttpMethod.Get, "/customers");
        page.Headers.Add("Cookie", auth);
        var shown = await onA.SendAsync(page, Ct);
        var antiforgery = shown.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/logout")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = ServerHost.FormToken(await shown.Content.ReadAsStringAsync(Ct)) }),
        };
        signOut.Headers.Add("Cookie", $"{auth}; {antiforgery}");
        Assert.Equal(HttpStatusCode.Redirect, (await onA.SendAsync(signOut, Ct)).StatusCode);

        // The copy is refused on both nodes; another session of the same user goes on.
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (await UsersAsync(onA, auth), await UsersAsync(onB, auth)));
        Assert.Equal(HttpStatusCode.OK, await UsersAsync(onB, other));
    }

    /// <summary>Logs in on <paramref name="node"/> without a cookie container and returns the auth cookie as a Cookie header.</summary>
    private static async Task<string> LoginCookieAsync(ServerHost node)
    {
        using var client = node.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var form = await client.GetAsync("/login", Ct);
        var antiforgeryCookie = form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).ToList();
        var html = await form.Content.ReadAsStringAsync(Ct);
        var token = ServerHost.FormToken(html);
        using var post = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Email"] = ServerHost.AdminEmail, ["Password"] = ServerHost.AdminPassword, ["__RequestVerificationToken"] = token,
            }),
        };
        post.Headers.Add("Cookie", string.Join("; ", antiforgeryCookie));
        var response = await client.SendAsync(post, Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(".Touchpoint.Auth=", StringComparison.Ordinal));
    }
}
