using System.CommandLine;
using Touchpoint.Cli.Demo;
using Touchpoint.Cli.Export;
using Touchpoint.Cli.Import;
using Touchpoint.Cli.Reports;
using Touchpoint.Cli.Storage;
using Touchpoint.Storage;

namespace Touchpoint.Cli;

/// <summary>The `touchpoint` command tree: import, export, migrate, demo, report.</summary>
internal static class TouchpointCli
{
    public static readonly Option<DatabaseProvider?> Provider = new("--provider")
    {
        Description = "Database engine: Sqlite or Postgres (overrides Storage:Provider).",
        Recursive = true,
    };

    public static readonly Option<string?> Connection = new("--connection")
    {
        Description = "Connection string (overrides Storage:ConnectionString).",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("Touchpoint: customer experience management for contact centers.")
        {
            Provider,
            Connection,
            ImportCommands.Build(),
            ExportCommand.Build(),
            MigrateCommand.Build(),
            DemoCommand.Build(),
            ReportCommands.Build(),
        };
        return root;
    }

    /// <summary>Runs the command line; tests pass their own writers to read what a user would see.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        var configuration = new InvocationConfiguration();
        if (output is not null)
        {
            configuration.Output = output;
        }
        if (error is not null)
        {
            configuration.Error = error;
        }
        return Build().Parse(args).InvokeAsync(configuration, cancellationToken);
    }
}
