using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
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
            $"The {provider} model differs from its migrations: run scripts/add-migration.sh NameOfTheChange.");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Migrate_ADatabaseOfTheFirstSchema_UpgradesIt_AndKeepsItsData(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateEmptyAsync(provider);
        await using (var first = database.CreateDb())
        {
            // A database someone created with the first release's schema, with a customer in it.
            var initial = first.Database.GetMigrations().First();
            await first.GetService<IMigrator>().MigrateAsync(initial, ct);
            // Written in SQL: today's model has columns the first schema lacks.
            var now = DateTime.UtcNow;
            await first.Database.ExecuteSqlAsync($"""
                INSERT INTO customers (external_id, name, account_type, account_status, products, revenue, customer_since, language, time_zone, created_at, updated_at)
                VALUES ('c-1', 'Early Müller', 'consumer', 'active', '', 0, {now}, 'en', 'UTC', {now}, {now})
                """, ct);
            Assert.NotEmpty(await first.Database.GetPendingMigrationsAsync(ct));
        }

        await using (var db = database.CreateDb())
        {
            await StorageServices.MigrateAsync(db, ct);
        }

        await using var check = database.CreateDb();
        Assert.Empty(await check.Database.GetPendingMigrationsAsync(ct));
        var customer = await check.Customers.SingleAsync(ct);
        // Kept, and given what later schemas derive from it (the folded name search compares).
        Assert.Equal(("Early Müller", "early muller"), (customer.Name, customer.SearchName));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Migrate_MarksCustomersWithOutboundContacts_ForDerivingAgain_UnderTheInboundRules(DatabaseProvider provider)
    {
        // Flags derived before repeat contact looked only at the customer's own contacts stay wrong until recomputed.
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateEmptyAsync(provider);
        await using (var before = database.CreateDb())
        {
            var previous = before.Database.GetMigrations().TakeWhile(m => !m.EndsWith("_RederiveCustomersWithOutboundContacts", StringComparison.Ordinal)).Last();
            await before.GetService<IMigrator>().MigrateAsync(previous, ct);
        }
        var at = Ingest.T0;
        await Ingest.InteractionsAsync(database,
        [
            Ingest.Contact("in-1", "replied", Touchpoint.Interactions.Channel.Email, at, "billing"),
            Ingest.Contact("out-1", "replied", Touchpoint.Interactions.Channel.Email, at.AddHours(2), "billing") with { Direction = Touchpoint.Interactions.Direction.Outbound },
            Ingest.Contact("in-2", "quiet", Touchpoint.Interactions.Channel.Phone, at, "billing"),
        ]);
        // What the earlier rules stored: our reply counted as a repeat.
        await using (var old = database.CreateDb())
        {
            await old.Database.ExecuteSqlAsync($"UPDATE interactions SET is_repeat = {true} WHERE external_id = 'out-1'", ct);
        }

        await using (var db = database.CreateDb())
        {
            await StorageServices.MigrateAsync(db, ct);
        }
        var (customers, _) = await new Touchpoint.Interactions.InteractionDerivations(database.Target, new Touchpoint.Interactions.InteractionOptions())
            .RecomputePendingAsync(DateTime.UtcNow, ct);

        Assert.Equal(1, customers);
        await using var check = database.CreateDb();
        Assert.False(await check.Interactions.Where(i => i.ExternalId == "out-1").Select(i => i.IsRepeat).SingleAsync(ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Migrate_MovesWhatLandedOnAMergedProfile_ToItsSurvivor_AndDerivesItsCasesAgain(DatabaseProvider provider)
    {
        // Before the fix, a customer row for a profile merged away stored a new email on it, and later contacts naming
        // that email were stored there, out of sight of the survivor's 360 page.
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateEmptyAsync(provider);
        await using (var before = database.CreateDb())
        {
            var previous = before.Database.GetMigrations().TakeWhile(m => !m.EndsWith("_MoveDataOffMergedProfiles", StringComparison.Ordinal)).Last();
            await before.GetService<IMigrator>().MigrateAsync(previous, ct);
        }
        var at = Ingest.T0;
        await Ingest.InteractionsAsync(database,
        [
            Ingest.Contact("keep-1", "keep", Touchpoint.Interactions.Channel.Phone, at, "billing"),
            Ingest.Contact("dup-1", "dup", Touchpoint.Interactions.Channel.Email, at.AddHours(1), "billing"),
            Ingest.Contact("late-1", "late", Touchpoint.Interactions.Channel.Chat, at.AddDays(2), "billing") with
            {
                CustomerExternalId = null, CustomerEmail = "late@example.com",
            },
        ]);
        long keep, dup;
        await using (var db = database.CreateDb())
        {
            keep = await db.Customers.Where(c => c.ExternalId == "keep").Select(c => c.Id).SingleAsync(ct);
            dup = await db.Customers.Where(c => c.ExternalId == "dup").Select(c => c.Id).SingleAsync(ct);
            var merged = await new Touchpoint.Customers.CustomerMerge(db, database.Target,
                Microsoft.Extensions.Options.Options.Create(new Touchpoint.Interactions.InteractionOptions()), TimeProvider.System).MergeAsync(keep, dup, "test", ct);
            Assert.Null(merged.Error);
            // What the old code left: the late email and its contact (with its case and messages) on the merged profile.
            var late = await db.Customers.Where(c => c.Email == "late@example.com").Select(c => c.Id).SingleAsync(ct);
            await db.Database.ExecuteSqlAsync($"UPDATE customer_identities SET customer_id = {dup} WHERE customer_id = {late}", ct);
            await db.Database.ExecuteSqlAsync($"UPDATE cases SET customer_id = {dup} WHERE customer_id = {late}", ct);
            await db.Database.ExecuteSqlAsync($"UPDATE interactions SET customer_id = {dup} WHERE customer_id = {late}", ct);
            await db.Database.ExecuteSqlAsync($"UPDATE messages SET customer_id = {dup} WHERE customer_id = {late}", ct);
            await db.Database.ExecuteSqlAsync($"DELETE FROM customers WHERE id = {late}", ct);
        }

        await using (var db = database.CreateDb())
        {
            await StorageServices.MigrateAsync(db, ct);
        }
        var (customers, _) = await new Touchpoint.Interactions.InteractionDerivations(database.Target, new Touchpoint.Interactions.InteractionOptions())
            .RecomputePendingAsync(DateTime.UtcNow, ct);
        // A later contact naming the email resolves to the survivor.
        await Ingest.InteractionsAsync(database,
            [Ingest.Contact("late-2", "late", Touchpoint.Interactions.Channel.Sms, at.AddDays(3), "other") with { CustomerExternalId = null, CustomerEmail = "late@example.com" }]);

        Assert.Equal(1, customers);
        await using var check = database.CreateDb();
        Assert.Equal(0, await check.CustomerIdentities.CountAsync(i => i.CustomerId == dup, ct));
        Assert.Equal(0, await check.Interactions.CountAsync(i => i.CustomerId == dup, ct));
        Assert.Equal(0, await check.Messages.CountAsync(m => m.CustomerId == dup, ct));
        Assert.Equal(0, await check.Cases.CountAsync(c => c.CustomerId == dup, ct));
        Assert.Equal(keep, await check.CustomerIdentities.Where(i => i.Value == "late@example.com").Select(i => i.CustomerId).SingleAsync(ct));
        var contacts = await check.Interactions.Include(i => i.Case).Where(i => i.CustomerId == keep).OrderBy(i => i.StartedAt).ToListAsync(ct);
        Assert.Equal(["keep-1", "dup-1", "late-1", "late-2"], contacts.Select(i => i.ExternalId));
        Assert.All(contacts, i => Assert.Equal(keep, i.Case!.CustomerId));
        // Derived again on the survivor's whole timeline: the chat two days after the billing call repeats it.
        Assert.True(contacts[2].IsRepeat);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Migrate_FromSeveralNodesAtOnce_AppliesTheSchemaOnce(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateEmptyAsync(provider);

        // Three server processes starting together against an empty database.
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            await using var db = database.CreateDb();
            await StorageServices.MigrateAsync(db, TestContext.Current.CancellationToken);
        }, TestContext.Current.CancellationToken)));

        await using var check = database.CreateDb();
        Assert.Empty(await check.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        Assert.Equal(check.Database.GetMigrations().Count(), (await check.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken)).Count());
        Assert.Equal(0, await check.Customers.CountAsync(TestContext.Current.CancellationToken));
    }
}
