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
}
