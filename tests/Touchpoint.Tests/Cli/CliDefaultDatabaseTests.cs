using System.Diagnostics;

namespace Touchpoint.Tests.Cli;

/// <summary>
/// The default SQLite file, seen from a fresh account. It is computed from the user's home folder, which a test
/// cannot change for its own process, so the `touchpoint` command runs as a child process with another HOME.
/// </summary>
public sealed class CliDefaultDatabaseTests
{
    [Fact]
    public async Task Migrate_WithoutSettings_OnAFreshAccount_CreatesTheFileUnderTheHomeFolder_NotInTheWorkingDirectory()
    {
        using var home = new TempFolder();
        using var workingDirectory = new TempFolder();
        // The app host built next to the tests (the CLI project is referenced); a fresh account has no ~/.local/share.
        var cli = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Touchpoint.Cli.exe" : "Touchpoint.Cli");
        Assert.False(Directory.Exists(Path.Combine(home.Path, ".local")));
        var start = new ProcessStartInfo(cli, "migrate")
        {
            WorkingDirectory = workingDirectory.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["HOME"] = home.Path;
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Storage__", StringComparison.OrdinalIgnoreCase) || k == "XDG_DATA_HOME").ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{await output}\n{await error}");
        Assert.True(File.Exists(Path.Combine(home.Path, ".local", "share", "touchpoint", "touchpoint.db")), await output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(workingDirectory.Path));
    }
}
