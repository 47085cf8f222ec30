using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Touchpoint.Platform;
using Touchpoint.Server.Platform;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Server;

/// <summary>What `dotnet run` does before the first request: schema, demo data, the first admin.</summary>
public sealed class StartupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FirstStart_OnAnEmptySqliteFile_Migrates_SeedsDemoData_AndCreatesAnAdminWhosePasswordWorks()
    {
        await using var database = await TestDatabase.CreateEmptyAsync(DatabaseProvider.Sqlite);
        var settings = new Dictionary<string, string?>
        {
            ["Demo:SeedWhenEmpty"] = "true", ["Demo:Customers"] = "150", ["Startup:AdminPassword"] = null,
        };
        var passwordFile = ServerStartup.SqlitePasswordFile(database.Target.ConnectionString)!;
        File.Delete(passwordFile);
        try
        {
            await using (var host = new ServerHost(database, settings: settings))
            {
                host.StartServer();
                await using var db = database.CreateDb();
                Assert.Equal(150, await db.Customers.CountAsync(Ct));
                Assert.True(await db.Interactions.CountAsync(Ct) > 1000);
                Assert.True(await db.Segments.AnyAsync(Ct));
                var admin = await db.Users.SingleAsync(Ct);
                Assert.Equal(Role.Admin, admin.Role);

                var password = (await File.ReadAllTextAsync(passwordFile, Ct)).Trim();
                Assert.Equal(20, password.Length);
                using var browser = host.Browser();
                Assert.Equal(HttpStatusCode.Redirect, (await ServerHost.LogInAsync(browser, admin.Email, password)).StatusCode);
            }

            // A second start finds everything in place: no second admin, no second demo data set.
            await using (var again = new ServerHost(database, settings: settings))
            {
                again.StartServer();
                await using var db = database.CreateDb();
                Assert.Equal(150, await db.Customers.CountAsync(Ct));
                Assert.Equal(1, await db.Users.CountAsync(Ct));
                Assert.True(File.Exists(passwordFile));
                // The admin picks their own password; the generated one is then of no use to anyone.
                var admin = await db.Users.SingleAsync(Ct);
                await new Accounts(db, TimeProvider.System).SetPasswordAsync(admin, "the admin's own passphrase", Ct);
            }
            await using (var third = new ServerHost(database, settings: settings))
            {
                third.StartServer();
                Assert.False(File.Exists(passwordFile));
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    [Fact]
    public async Task GeneratedAdminPassword_IsKeptPerDatabase_AnotherDatabaseInTheSameFolderLeavesItAlone()
    {
        // Two SQLite databases in one folder (the test suite's, or two installations): starting on the second must
        // neither read nor delete the first one's generated password (it used to share one file name per folder).
        await using var first = await TestDatabase.CreateEmptyAsync(DatabaseProvider.Sqlite);
        await using var second = await TestDatabase.CreateEmptyAsync(DatabaseProvider.Sqlite);
        var firstFile = ServerStartup.SqlitePasswordFile(first.Target.ConnectionString)!;
        Assert.Equal(Path.GetDirectoryName(firstFile), Path.GetDirectoryName(ServerStartup.SqlitePasswordFile(second.Target.ConnectionString)));
        try
        {
            await using (var host = new ServerHost(first, settings: new Dictionary<string, string?> { ["Startup:AdminPassword"] = null }))
            {
                host.StartServer();
            }
            var generated = await File.ReadAllTextAsync(firstFile, Ct);
            // Twice: the second start finds the admin in place and looks for a generated password to show.
            for (var start = 0; start < 2; start++)
            {
                await using var other = new ServerHost(second);
                other.StartServer();
            }
            Assert.Equal(generated, await File.ReadAllTextAsync(firstFile, Ct));
        }
        finally
        {
            File.Delete(firstFile);
        }
    }

    [Fact]
    public async Task GeneratedAdminPassword_InTheOldPerFolderFile_IsTakenOverByItsDatabase_AndLeftAloneByOthers()
    {
        // Versions before the per-database file kept the password in "initial-admin-password" beside the database.
        await using var database = await TestDatabase.CreateEmptyAsync(DatabaseProvider.Sqlite);
        await using var other = await TestDatabase.CreateEmptyAsync(DatabaseProvider.Sqlite);
        var file = ServerStartup.SqlitePasswordFile(database.Target.ConnectionString)!;
        var legacy = Path.Combine(Path.GetDirectoryName(file)!, "initial-admin-password");
        try
        {
            await using (var host = new ServerHost(database, settings: new Dictionary<string, string?> { ["Startup:AdminPassword"] = null }))
            {
                host.StartServer();
            }
            File.Move(file, legacy, overwrite: true);
            var generated = await File.ReadAllTextAsync(legacy, Ct);

            // Another database in the folder (started twice, so it looks for a password to show) does not take it.
            for (var start = 0; start < 2; start++)
            {
                await using var node = new ServerHost(other);
                node.StartServer();
            }
            Assert.True(File.Exists(legacy));

            await using (var again = new ServerHost(database, settings: new Dictionary<string, string?> { ["Startup:AdminPassword"] = null }))
            {
                again.StartServer();
            }
            Assert.False(File.Exists(legacy));
            Assert.Equal(generated, await File.ReadAllTextAsync(file, Ct));
        }
        finally
        {
            File.Delete(file);
            File.Delete(legacy);
        }
    }

    [Fact]
    public async Task SeveralNodes_StartingTogether_OnAnEmptyPostgres_MigrateOnce_AndCreateOneAdmin()
    {
        await using var database = await TestDatabase.CreateEmptyAsync(DatabaseProvider.Postgres);
        var settings = new Dictionary<string, string?> { ["Storage:MigrateOnStartup"] = "true" };
        var nodes = Enumerable.Range(0, 3).Select(_ => new ServerHost(database, settings: settings)).ToList();
        try
        {
            await Task.WhenAll(nodes.Select(n => Task.Run(n.StartServer, Ct)));
            await using var db = database.CreateDb();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
            Assert.Equal(1, await db.Users.CountAsync(Ct));
            // One key ring for all: a node that made its own would, two minutes on, refuse the others' cookies.
            Assert.Equal(1, await db.DataProtectionKeys.CountAsync(Ct));
            foreach (var node in nodes)
            {
                using var browser = node.Browser();
                Assert.Equal(HttpStatusCode.Redirect, (await ServerHost.LogInAsync(browser)).StatusCode);
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Prepare_MakesTheCookieKeyRing_BeforeTheServerTakesRequests(DatabaseProvider provider)
    {
        // Made by start-up, where nodes take turns, not by the first request or hosted service, where they race.
        await using var database = await TestDatabase.CreateEmptyAsync(provider);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(Program).Assembly.GetName().Name, EnvironmentName = "Production",
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = provider.ToString(), ["Storage:ConnectionString"] = database.Target.ConnectionString,
            ["Storage:MigrateOnStartup"] = "true", ["Demo:SeedWhenEmpty"] = "false", ["Startup:AdminPassword"] = ServerHost.AdminPassword,
            ["Logging:LogLevel:Default"] = "Warning", ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "None",
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
        });
        builder.AddTouchpointServer();
        await using var app = builder.Build();

        await app.PrepareAsync(Ct);

        await using var db = database.CreateDb();
        Assert.Equal(1, await db.DataProtectionKeys.CountAsync(Ct));
    }

    [Fact]
    public async Task SeveralNodes_StartingTogether_OnAnEmptyPostgres_WithDemoData_MakeTheDemoDataSetOnce()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:MigrateOnStartup"] = "true", ["Demo:SeedWhenEmpty"] = "true", ["Demo:Customers"] = "60",
        };
        // What one node alone makes (the hosts share the fake clock's "now", so the data set is the same).
        await using var alone = await TestDatabase.CreateEmptyAsync(DatabaseProvider.Postgres);
        await using (var node = new ServerHost(alone, settings: settings))
        {
            node.StartServer();
        }
        var expected = await DemoFingerprintAsync(alone);

        await using var database = await TestDatabase.CreateEmptyAsync(DatabaseProvider.Postgres);
        var nodes = Enumerable.Range(0, 3).Select(_ => new ServerHost(database, settings: settings)).ToList();
        try
        {
            await Task.WhenAll(nodes.Select(n => Task.Run(n.StartServer, Ct)));
            Assert.Equal(expected, await DemoFingerprintAsync(database));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>The demo data set's counts and which customer each interaction belongs to, to compare two databases.</summary>
    private static async Task<string> DemoFingerprintAsync(TestDatabase database)
    {
        await using var db = database.CreateDb();
        var counts = new[]
        {
            await db.Customers.CountAsync(Ct), await db.Agents.CountAsync(Ct), await db.Interactions.CountAsync(Ct),
            await db.Cases.CountAsync(Ct), await db.Feedback.CountAsync(Ct), await db.Segments.CountAsync(Ct),
        };
        var owners = await db.Interactions.OrderBy(i => i.ExternalId)
            .Select(i => i.ExternalId + ">" + db.Customers.Where(c => c.Id == i.CustomerId).Select(c => c.ExternalId + ":" + c.Name).First())
            .ToListAsync(Ct);
        return string.Join(",", counts) + "\n" + string.Join("\n", owners);
    }

    [Fact]
    public async Task Postgres_WithPendingMigrations_AndNoMigrateOption_RefusesToStart()
    {
        await using var database = await TestDatabase.CreateEmptyAsync(DatabaseProvider.Postgres);
        await using var host = new ServerHost(database);
        var error = Assert.Throws<InvalidOperationException>(host.StartServer);
        Assert.Contains("touchpoint migrate", error.Message, StringComparison.Ordinal);
    }
}
