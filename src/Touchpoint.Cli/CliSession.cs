using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Touchpoint.Storage;

namespace Touchpoint.Cli;

/// <summary>
/// What one command invocation works with: configuration (appsettings.json next to the binary, environment
/// variables with or without the TOUCHPOINT_ prefix, then --provider/--connection), the core services, and
/// the console it writes to.
/// </summary>
internal sealed class CliSession : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CliSession(ParseResult parse, IConfiguration configuration)
    {
        Parse = parse;
        Configuration = configuration;
        Output = parse.InvocationConfiguration.Output;
        Error = parse.InvocationConfiguration.Error;
        Interactive = ReferenceEquals(Output, System.Console.Out) && !System.Console.IsOutputRedirected && !System.Console.IsErrorRedirected;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Output),
            Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = Interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!Interactive)
        {
            // Files and pipes get whole lines, not a guessed 80-column terminal.
            Console.Profile.Width = 200;
        }
        _services = new ServiceCollection().AddSingleton(configuration).AddTouchpoint(configuration).BuildServiceProvider();
        try
        {
            // As the server does at start: a bad setting stops the command before it reads a file or writes a row.
            _ = _services.GetRequiredService<IOptions<Touchpoint.Interactions.InteractionOptions>>().Value;
            _ = _services.GetRequiredService<IOptions<Touchpoint.Customers.CustomerOptions>>().Value;
        }
        catch
        {
            _services.Dispose();
            throw;
        }
    }

    public ParseResult Parse { get; }
    public IConfiguration Configuration { get; }
    public TextWriter Output { get; }
    public TextWriter Error { get; }
    public IAnsiConsole Console { get; }

    /// <summary>A real terminal: progress bars and colours; otherwise plain text.</summary>
    public bool Interactive { get; }

    public DatabaseTarget Target => _services.GetRequiredService<DatabaseTarget>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public static IConfiguration BuildConfiguration(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>();
        if (parse.GetValue(TouchpointCli.Provider) is { } provider)
        {
            overrides[$"{StorageOptions.Section}:{nameof(StorageOptions.Provider)}"] = provider.ToString();
        }
        if (parse.GetValue(TouchpointCli.Connection) is { Length: > 0 } connection)
        {
            overrides[$"{StorageOptions.Section}:{nameof(StorageOptions.ConnectionString)}"] = connection;
            overrides["ConnectionStrings:Touchpoint"] = connection;
        }
        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddEnvironmentVariables("TOUCHPOINT_")
            .AddInMemoryCollection(overrides)
            .Build();
    }

    /// <summary>
    /// Runs a command body; a fatal error (missing file, unreachable database, bad option) prints one clear line
    /// on the error stream and exits with 1. Rejected rows are not fatal.
    /// </summary>
    public static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken, Func<CliSession, CancellationToken, Task<int>> body) =>
        RunAsync(parse, BuildConfiguration(parse), cancellationToken, body);

    /// <summary>As <see cref="RunAsync(ParseResult, CancellationToken, Func{CliSession, CancellationToken, Task{int}})"/>, with the configuration given.</summary>
    internal static async Task<int> RunAsync(ParseResult parse, IConfiguration configuration, CancellationToken cancellationToken,
        Func<CliSession, CancellationToken, Task<int>> body)
    {
        try
        {
            await using var session = new CliSession(parse, configuration);
            return await body(session, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("Cancelled.");
            return 130;
        }
        // DbUpdateException: EF Core's wrapper of an error the database gave on a save (said by Describe from the inner error).
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or ArgumentException or CliException or OptionsValidationException
                                      or DbException or DbUpdateException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {Describe(e)}");
            return 1;
        }
    }

    private static string Describe(Exception e) => e switch
    {
        FileNotFoundException f => $"file not found: {f.FileName ?? f.Message}",
        DbException => $"database: {e.Message}",
        OptionsValidationException => $"configuration: {e.Message}",
        _ when e.InnerException is DbException inner => $"database: {inner.Message}",
        _ => e.Message,
    };

    /// <summary>
    /// SQLite files are migrated on first use, as the server does; a PostgreSQL database must be migrated with
    /// `touchpoint migrate` (or Storage:MigrateOnStartup=true), so several nodes never race on a schema change.
    /// </summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var db = StorageServices.CreateDb(Target);
        var migrateOnStartup = Configuration.GetSection(StorageOptions.Section).GetValue<bool>(nameof(StorageOptions.MigrateOnStartup));
        if (Target.Provider == DatabaseProvider.Sqlite || migrateOnStartup)
        {
            await StorageServices.MigrateAsync(db, cancellationToken);
        }
        else
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                throw new CliException($"the {Target.Provider} database has {pending.Count} pending migration(s): run `touchpoint migrate` first.");
            }
        }
        // As the server does at start: a changed Customers:PhoneRegion applies before this run matches numbers.
        var region = Get<IOptions<Touchpoint.Customers.CustomerOptions>>().Value.PhoneRegion;
        var rekeyed = await Touchpoint.Customers.PhoneKeys.RekeyWithoutCountryCodeAsync(Target, region, cancellationToken);
        if (rekeyed.Changed > 0)
        {
            await Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Phone numbers stored without a country code, read in {region}: {rekeyed.Changed:N0} re-keyed, {rekeyed.HeldByAnother:N0} left as they were because another profile holds the number."));
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>A fatal error whose message is all the user needs.</summary>
internal sealed class CliException(string message) : Exception(message);
