namespace Touchpoint.Cli;

internal static class Program
{
    private static async Task<int> Main(string[] args) => await TouchpointCli.RunAsync(args);
}
