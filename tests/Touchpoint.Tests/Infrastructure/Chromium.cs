using Microsoft.Playwright;

namespace Touchpoint.Tests.Infrastructure;

/// <summary>
/// The system Chromium driven by Playwright (no browser download: `playwright install` is never run). When the
/// browser is missing, tests that need it skip with the reason, except in CI (CI=true), where they fail, as the
/// PostgreSQL tests do.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var path = Environment.GetEnvironmentVariable("TOUCHPOINT_CHROMIUM") is { Length: > 0 } custom ? custom : ExecutablePath;
        if (!File.Exists(path))
        {
            var reason = $"Chromium was not found at {path}; install the Debian package 'chromium' or set TOUCHPOINT_CHROMIUM.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail("CI must run the browser tests: " + reason);
            }
            Assert.Skip(reason);
        }
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}
