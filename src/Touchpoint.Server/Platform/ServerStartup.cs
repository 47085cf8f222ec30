using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Demo;
using Touchpoint.Platform;
using Touchpoint.Storage;

namespace Touchpoint.Server.Platform;

/// <summary>Start-up options, bound from the "Startup" section.</summary>
public sealed class StartupOptions
{
    public const string Section = "Startup";

    /// <summary>The first administrator, created when the database has no users.</summary>
    public string AdminEmail { get; set; } = "admin@touchpoint.local";

    /// <summary>Unset: a random password is generated and printed (and, on SQLite, kept beside the database until changed).</summary>
    public string? AdminPassword { get; set; }
}

/// <summary>What happens before the server takes requests: schema, demo data, the first admin; then the banner.</summary>
public static partial class ServerStartup
{
    /// <summary>The suffix of the file beside a SQLite database that keeps its generated admin password.</summary>
    public const string InitialPasswordSuffix = ".initial-admin-password";

    /// <summary>The one file per folder that versions before 0ee41d6 kept the generated password in.</summary>
    private const string LegacyPasswordFile = "initial-admin-password";

    public static async Task PrepareAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Touchpoint.Startup");
        var storage = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var startup = app.Services.GetRequiredService<IOptions<StartupOptions>>().Value;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TouchpointDb>();

        if (db.Provider == DatabaseProvider.Sqlite || storage.MigrateOnStartup)
        {
            // Several nodes starting at once take turns and apply each migration once.
            await StorageServices.MigrateAsync(db, cancellationToken);
        }
        else if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
        {
            throw new InvalidOperationException(
                "The PostgreSQL schema is not up to date. Run `touchpoint migrate` or start with Storage:MigrateOnStartup=true.");
        }

        await RekeyPhonesAsync(app.Services, logger, cancellationToken);

        // The key ring that encrypts cookies and form tokens is made here, one node at a time, rather than by each node's
        // first use of it: nodes starting together on an empty database each made a key of their own, and two minutes
        // after start a node stops looking for keys it does not know, so a login made on one node (and its forms) was
        // refused by another until the next daily refresh.
        await StorageServices.StartupExclusiveAsync(db, () =>
        {
            app.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>()
                .CreateProtector("Touchpoint.Startup").Protect([1]);
            return Task.CompletedTask;
        }, cancellationToken);

        await DemoSeeder.SeedIfEmptyAsync(db, scope.ServiceProvider.GetRequiredService<DemoDataGenerator>(),
            scope.ServiceProvider.GetRequiredService<IOptions<DemoOptions>>().Value, logger, cancellationToken);

        // One node at a time too: nodes starting together on an empty database otherwise all tried to insert the first
        // admin, and each loser's failed insert was logged with its stack trace before it gave way.
        var admin = await StorageServices.StartupExclusiveAsync(db,
            () => EnsureAdminAsync(db, scope.ServiceProvider.GetRequiredService<Accounts>(), startup, logger, cancellationToken), cancellationToken);
        var database = Describe(app.Services.GetRequiredService<DatabaseTarget>());
        app.Lifetime.ApplicationStarted.Register(() => PrintBanner(app, admin, database));
    }

    /// <summary>Numbers stored without a country code get the key they have in today's Customers:PhoneRegion.</summary>
    private static async Task RekeyPhonesAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken)
    {
        var region = services.GetRequiredService<IOptions<Touchpoint.Customers.CustomerOptions>>().Value.PhoneRegion;
        var rekeyed = await Touchpoint.Customers.PhoneKeys.RekeyWithoutCountryCodeAsync(services.GetRequiredService<DatabaseTarget>(), region, cancellationToken);
        if (rekeyed.Changed > 0)
        {
            logger.LogInformation(
                "Phone numbers stored without a country code, read in {Region}: {Changed} re-keyed, {Held} left as they were because another profile holds the number.",
                region, rekeyed.Changed, rekeyed.HeldByAnother);
        }
    }

    /// <summary>The admin's sign-in to show: email and, while it is still the generated one, the password.</summary>
    private sealed record AdminSignIn(string Email, string? Password, string? PasswordFile);

    private static async Task<AdminSignIn> EnsureAdminAsync(TouchpointDb db, Accounts accounts, StartupOptions startup, ILogger logger,
        CancellationToken cancellationToken)
    {
        var passwordFile = db.Provider == DatabaseProvider.Sqlite ? SqlitePasswordFile(db.Database.GetConnectionString()!) : null;
        if (!await db.Users.AnyAsync(cancellationToken))
        {
            try
            {
                var created = await accounts.CreateUserAsync(startup.AdminEmail, "Administrator", Role.Admin, startup.AdminPassword, cancellationToken);
                if (created.GeneratedPassword is { } generated && passwordFile is not null)
                {
                    await File.WriteAllTextAsync(passwordFile, generated + Environment.NewLine, cancellationToken);
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                    }
                }
                return new AdminSignIn(created.User.Email, created.GeneratedPassword, passwordFile);
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException)
            {
                db.ChangeTracker.Clear();
                // Another node created the first admin at the same moment: theirs stands.
                LogAdminRace(logger);
            }
        }
        var email = Accounts.NormalizeEmail(startup.AdminEmail);
        if (passwordFile is not null && !File.Exists(passwordFile) && Path.Combine(Path.GetDirectoryName(passwordFile)!, LegacyPasswordFile) is var legacy
            && File.Exists(legacy) && await accounts.IsPasswordAsync(email, (await File.ReadAllTextAsync(legacy, cancellationToken)).Trim(), cancellationToken))
        {
            // Written by a version that kept one file per folder: it is this database's, so it takes this database's name.
            File.Move(legacy, passwordFile);
        }
        if (passwordFile is not null && File.Exists(passwordFile))
        {
            var password = (await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim();
            // Show it only while it still works: once the admin changes it, the file is stale.
            if (await accounts.IsPasswordAsync(email, password, cancellationToken))
            {
                return new AdminSignIn(email, password, passwordFile);
            }
            // Changed since: the generated password is no use to anyone now, so it does not stay on disk.
            File.Delete(passwordFile);
        }
        return new AdminSignIn(email, null, null);
    }

    /// <summary>
    /// The file that keeps a SQLite database's generated admin password: named after the database, so that databases
    /// sharing a folder (two installations, or the test suite's) never read or delete each other's.
    /// </summary>
    public static string? SqlitePasswordFile(string connectionString)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:")
        {
            return null;
        }
        return Path.GetFullPath(file) + InitialPasswordSuffix;
    }

    /// <summary>Where the data is, without credentials: the SQLite file, or PostgreSQL's host and database.</summary>
    private static string Describe(DatabaseTarget target)
    {
        if (target.Provider == DatabaseProvider.Sqlite)
        {
            return "SQLite " + Path.GetFullPath(new SqliteConnectionStringBuilder(target.ConnectionString).DataSource);
        }
        var pg = new Npgsql.NpgsqlConnectionStringBuilder(target.ConnectionString);
        return $"PostgreSQL {pg.Host}:{pg.Port}/{pg.Database}";
    }

    private static void PrintBanner(WebApplication app, AdminSignIn admin, string database)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var lines = new List<string> { "", "  Touchpoint is running." };
        lines.AddRange(addresses.Select(a => "  Open      " + a.Replace("0.0.0.0", "localhost", StringComparison.Ordinal).Replace("[::]", "localhost", StringComparison.Ordinal)));
        lines.Add("  Database  " + database);
        lines.Add("  Sign in   " + admin.Email);
        lines.Add(admin.Password is null
            ? "  Password  (set when the admin was created; not shown)"
            : "  Password  " + admin.Password + (admin.PasswordFile is null ? "" : "   (also in " + admin.PasswordFile + ")"));
        lines.Add("");
        // Written to the console directly: this is for the person who just typed `dotnet run`, whatever the log level.
        Console.WriteLine(string.Join(Environment.NewLine, lines));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Another node created the first administrator concurrently")]
    private static partial void LogAdminRace(ILogger logger);
}
