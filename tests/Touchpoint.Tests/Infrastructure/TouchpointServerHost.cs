using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Touchpoint.Server.Platform;

namespace Touchpoint.Tests.Infrastructure;

/// <summary>
/// The real server (the same AddTouchpointServer / UseTouchpointServer / PrepareAsync that Program.cs runs) over a test
/// database, either in memory (<see cref="StartAsync(TestDatabase, TimeProvider?)"/>) or on Kestrel at a free loopback port for a browser
/// (<see cref="StartKestrelAsync"/>). Demo seeding is off and the first admin gets <see cref="AdminPassword"/>.
/// Tests talk to it through HTTP and the intent methods here, never through its service container.
/// </summary>
public sealed partial class TouchpointServerHost : IAsyncDisposable
{
    public const string AdminEmail = "admin@touchpoint.local";
    public const string AdminPassword = "correct-horse-battery-staple";

    private readonly WebApplication _app;
    private readonly bool _kestrel;

    private TouchpointServerHost(WebApplication app, bool kestrel, Uri baseAddress)
    {
        _app = app;
        _kestrel = kestrel;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static Task<TouchpointServerHost> StartAsync(TestDatabase database, TimeProvider? time = null) => StartAsync(database, time, kestrel: false);

    public static Task<TouchpointServerHost> StartKestrelAsync(TestDatabase database, TimeProvider? time = null) => StartAsync(database, time, kestrel: true);

    private static async Task<TouchpointServerHost> StartAsync(TestDatabase database, TimeProvider? time, bool kestrel)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // The server's assembly holds the compiled pages; its folder holds wwwroot.
            ApplicationName = typeof(ServerSetup).Assembly.GetName().Name,
            ContentRootPath = ServerProjectFolder(),
            EnvironmentName = "Testing",
        });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = database.Provider.ToString(),
            ["Storage:ConnectionString"] = database.Target.ConnectionString,
            ["Demo:SeedWhenEmpty"] = "false",
            ["Startup:AdminEmail"] = AdminEmail,
            ["Startup:AdminPassword"] = AdminPassword,
        });
        if (kestrel)
        {
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        }
        else
        {
            builder.WebHost.UseTestServer();
        }
        builder.AddTouchpointServer();
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }
        var app = builder.Build();
        app.UseTouchpointServer();
        await app.PrepareAsync(TestContext.Current.CancellationToken);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = kestrel
            ? new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single())
            : new Uri("http://localhost");
        return new TouchpointServerHost(app, kestrel, address);
    }

    /// <summary>A client that keeps cookies like a browser and shows redirects instead of following them.</summary>
    public HttpClient CreateClient()
    {
        HttpMessageHandler inner = _kestrel
            ? new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }
            : _app.GetTestServer().CreateHandler();
        return new HttpClient(new CookieContainerHandler(new CookieContainer()) { InnerHandler = inner }) { BaseAddress = BaseAddress };
    }

    /// <summary>Signs in through the real login form, antiforgery token included; the client then carries the cookie.</summary>
    public static async Task SignInAsync(HttpClient client, string email = AdminEmail, string password = AdminPassword)
    {
        var ct = TestContext.Current.CancellationToken;
        var form = await client.GetStringAsync("/login", ct);
        var token = AntiforgeryField().Match(form) is { Success: true } m
            ? WebUtility.HtmlDecode(m.Groups[1].Value)
            : throw new InvalidOperationException("The login form has no antiforgery token:\n" + form);
        using var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = password,
            ["__RequestVerificationToken"] = token,
        }), ct);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in failed with {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    /// <summary>A signed-in client.</summary>
    public async Task<HttpClient> SignedInClientAsync()
    {
        var client = CreateClient();
        await SignInAsync(client);
        return client;
    }

    private static string ServerProjectFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Touchpoint.Server");
            if (File.Exists(Path.Combine(candidate, "Touchpoint.Server.csproj")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("src/Touchpoint.Server was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
