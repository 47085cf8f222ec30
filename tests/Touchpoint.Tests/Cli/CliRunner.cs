using Touchpoint.Cli;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Cli;

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- output ---\n{Output}\n--- error ---\n{Error}";
}

/// <summary>Runs the `touchpoint` command tree in-process against a test database, capturing what a user would see.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(TestDatabase database, params string[] args)
    {
        string[] all = [.. args, "--provider", database.Provider.ToString(), "--connection", database.Target.ConnectionString];
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await TouchpointCli.RunAsync(all, output, error, TestContext.Current.CancellationToken);
        return new CliResult(exit, output.ToString(), error.ToString());
    }
}

/// <summary>A temporary folder for the files one test writes and reads; removed afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "touchpoint-cli-tests", Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string content)
    {
        var file = File(name);
        System.IO.File.WriteAllText(file, content);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
