using System.CommandLine;
using System.CommandLine.Help;
using Touchpoint.Cli.Demo;
using Touchpoint.Cli.Export;
using Touchpoint.Cli.Import;
using Touchpoint.Cli.Interactions;
using Touchpoint.Cli.Reports;
using Touchpoint.Cli.Storage;
using Touchpoint.Storage;

namespace Touchpoint.Cli;

/// <summary>The `touchpoint` command tree: import, export, migrate, demo, report.</summary>
internal static class TouchpointCli
{
    public const string Name = "touchpoint";

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

    public static Command Build()
    {
        // Not RootCommand: it is named after the running executable, which is Touchpoint.Cli under dotnet run or dotnet
        // exec (the .NET tool's shim included); help and errors should name the command users type.
        var root = new Command(Name, "Touchpoint: customer experience management for contact centers.")
        {
            new HelpOption(),
            new VersionOption(),
            Provider,
            Connection,
            ImportCommands.Build(),
            ExportCommand.Build(),
            MigrateCommand.Build(),
            DemoCommand.Build(),
            ReportCommands.Build(),
            RecomputeCommand.Build(),
            Customers.PersonalDataCommands.Build(),
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
