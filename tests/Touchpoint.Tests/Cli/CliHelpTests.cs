using Touchpoint.Cli;

namespace Touchpoint.Tests.Cli;

/// <summary>What `touchpoint --help` shows, whatever executable runs the command tree (here the test process).</summary>
public sealed class CliHelpTests
{
    [Theory]
    [InlineData(new[] { "--help" }, "touchpoint [command] [options]")]
    [InlineData(new[] { "import", "--help" }, "touchpoint import [command] [options]")]
    public async Task Help_NamesTheCommandTouchpoint(string[] args, string usage)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await TouchpointCli.RunAsync(args, output, error, TestContext.Current.CancellationToken);

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        var lines = output.ToString().Split('\n').Select(l => l.TrimEnd('\r').Trim()).ToList();
        Assert.Equal(usage, lines[lines.IndexOf("Usage:") + 1]);
    }

    [Fact]
    public async Task Version_IsShown()
    {
        using var output = new StringWriter();
        Assert.Equal(0, await TouchpointCli.RunAsync(["--version"], output, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Matches(@"^\d+\.\d+\.\d+", output.ToString());
    }
}
