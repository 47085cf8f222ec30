using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Storage;

public sealed class MigrationTests
{
    [Theory, ClassData(typeof(Providers))]
    public async Task Model_HasNoChangesMissingFromMigrations(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {provider} model differs from its migrations: run scripts/regen-migrations.sh (or add a migration).");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Migrate_FromSeveralNodesAtOnce_AppliesTheSchemaOnce(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateEmptyAsync(provider);

        // Three server processes starting together against an empty database.
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            await using var db = database.CreateDb();
            await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        }, TestContext.Current.CancellationToken)));

        await using var check = database.CreateDb();
        Assert.Empty(await check.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        Assert.Equal(check.Database.GetMigrations().Count(), (await check.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken)).Count());
        Assert.Equal(0, await check.Customers.CountAsync(TestContext.Current.CancellationToken));
    }
}
