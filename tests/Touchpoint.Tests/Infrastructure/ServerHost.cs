using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Touchpoint.Tests.Infrastructure;

/// <summary>
/// The real server (Program.cs: start-up, auth, API, pages) over a test database, without demo data: in memory, or on
/// Kestrel at a free loopback port for a browser (<see cref="StartKestrel"/>). WebApplicationFactory runs Program.cs up to
/// app.Run, so PrepareAsync (migrations, first admin) runs as in production. Several hosts over one database behave like
/// several nodes behind a load balancer.
/// </summary>
public sealed partial class ServerHost(TestDatabase database, DateTimeOffset? now = null, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@test.local";
    public const string AdminPassword = "correct horse battery staple";

    public FakeTimeProvider Clock { get; } = new(now ?? new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var effective = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = database.Provider.ToString(),
            ["Storage:ConnectionString"] = database.Target.ConnectionString,
            ["Demo:SeedWhenEmpty"] = "false",
            ["Startup:AdminEmail"] = AdminEmail,
            ["Startup:AdminPassword"] = AdminPassword,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
            // Expected while several nodes race to migrate or to create the first admin; the code handles both.
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "None",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            effective[key] = value; // null removes a default
        }
        foreach (var (key, value) in effective.Where(s => s.Value is not null))
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>Starts the server on Kestrel at a free 127.0.0.1 port, for a real browser; returns its address.</summary>
    public Uri StartKestrel()
    {
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        return ClientOptions.BaseAddress;
    }

    /// <summary>A client signed in as the admin through the login form.</summary>
    public async Task<HttpClient> SignedInClientAsync()
    {
        var client = Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await LogInAsync(client)).StatusCode);
        return client;
    }

    /// <summary>A client signed in through the login form as a new user with <paramref name="role"/>.</summary>
    public async Task<HttpClient> SignedInAsAsync(Touchpoint.Platform.Role role)
    {
        var email = $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        const string password = "a long passphrase for tests";
        using (var scope = Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<Touchpoint.Platform.Accounts>()
                .CreateUserAsync(email, role.ToString(), role, password, TestContext.Current.CancellationToken);
        }
        var client = Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await LogInAsync(client, email, password)).StatusCode);
        return client;
    }

    /// <summary>A client that keeps cookies but does not follow redirects, so tests can see them.</summary>
    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public HttpClient WithApiKey(string secret)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        return client;
    }

    /// <summary>Signs in through the login form (antiforgery token included); returns the response of the POST.</summary>
    public static async Task<HttpResponseMessage> LogInAsync(HttpClient client, string email = AdminEmail, string password = AdminPassword)
    {
        var ct = TestContext.Current.CancellationToken;
        var form = await client.GetStringAsync("/login", ct);
        var token = FormToken(form);
        return await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email, ["Password"] = password, ["__RequestVerificationToken"] = token,
        }), ct);
    }

    /// <summary>Signs in as the admin and issues an API key with <paramref name="role"/>; returns the secret.</summary>
    public async Task<string> IssueApiKeyAsync(string role = "Manager")
    {
        var ct = TestContext.Current.CancellationToken;
        using var browser = Browser();
        var login = await LogInAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var response = await browser.PostAsync("/api/admin/api-keys",
            System.Net.Http.Json.JsonContent.Create(new { name = "test integration " + role, role }), ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(response.Content, ct);
        return body.GetProperty("secret").GetString()!;
    }

    /// <summary>The antiforgery token a server-rendered form carries, decoded, to post the form back.</summary>
    public static string FormToken(string html)
    {
        var token = WebUtility.HtmlDecode(AntiforgeryToken().Match(html).Groups[1].Value);
        Assert.False(string.IsNullOrEmpty(token), "the form carries an antiforgery token");
        return token;
    }

    /// <summary>
    /// Posts a server-rendered form as a browser would: reads the page at <paramref name="url"/>'s path for its
    /// antiforgery token, posts <paramref name="fields"/> to <paramref name="url"/>, checks the status and returns the body.
    /// </summary>
    public static async Task<string> PostFormAsync(HttpClient client, string url, Dictionary<string, string> fields,
        HttpStatusCode expect = HttpStatusCode.OK)
    {
        var ct = TestContext.Current.CancellationToken;
        var form = await client.GetStringAsync(url.Split('?')[0], ct);
        fields["__RequestVerificationToken"] = FormToken(form);
        using var response = await client.PostAsync(url, new FormUrlEncodedContent(fields), ct);
        Assert.Equal(expect, response.StatusCode);
        return await response.Content.ReadAsStringAsync(ct);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
