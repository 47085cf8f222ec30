using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Demo;
using Touchpoint.Customers;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Demo;

public sealed class DemoDataGeneratorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Generate_SmallSet_CoversEveryChannelWithCasesTranscriptsAndFeedback(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var generator = new DemoDataGenerator(database.Target, Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions()), Ingest.Clock());

        var summary = await generator.GenerateAsync(new DemoSize(Customers: 300, Agents: 20), cancellationToken: Ct);

        await using var db = database.CreateDb();
        Assert.Equal(300, await db.Customers.CountAsync(Ct));
        Assert.Equal(20, await db.Agents.CountAsync(Ct));
        Assert.Equal(summary.Interactions, await db.Interactions.CountAsync(Ct));
        Assert.InRange(summary.Interactions, 300 * 6, 300 * 20);
        Assert.Equal(Enum.GetValues<Channel>().Order(), (await db.Interactions.Select(i => i.Channel).Distinct().ToListAsync(Ct)).Order());
        Assert.Equal(0, await db.Interactions.CountAsync(i => i.CaseId == null, Ct));
        Assert.True(await db.Interactions.CountAsync(i => i.IsRepeat, Ct) > summary.Interactions / 20);
        Assert.True(await db.Cases.CountAsync(c => c.ChannelSwitches > 0, Ct) > 0);
        Assert.True(await db.Messages.CountAsync(Ct) >= summary.Interactions * 3);
        Assert.True(summary.Feedback > 0);
        Assert.Equal(0, await db.Interactions.CountAsync(i => i.StartedAt < i.Customer!.CustomerSince, Ct));
        // Quiet hours have both ends or none (drawn apart, half the customers had one end only).
        Assert.Equal(0, await db.Customers.CountAsync(c => (c.QuietHoursStart == null) != (c.QuietHoursEnd == null), Ct));
        Assert.InRange(await db.Customers.CountAsync(c => c.QuietHoursStart != null, Ct), 90, 210);
        // A transcript is said during its contact: no message before the start or after the end.
        Assert.Equal(0, await db.Messages.CountAsync(m => db.Interactions.Any(i => i.Id == m.InteractionId && (m.At < i.StartedAt || m.At > i.EndedAt)), Ct));
        var span = await db.Interactions.MaxAsync(i => i.StartedAt, Ct) - await db.Interactions.MinAsync(i => i.StartedAt, Ct);
        Assert.True(span > TimeSpan.FromDays(600), $"history spans {span.TotalDays:F0} days");
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Generate_Again_WithTheSameSeedAndNow_MakesTheSameDataSet_SoNothingIsAddedOrRenamed(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var generator = new DemoDataGenerator(database.Target, Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions()), Ingest.Clock());
        var size = new DemoSize(Customers: 40, Agents: 20);
        await generator.GenerateAsync(size, cancellationToken: Ct);
        var first = await SnapshotAsync(database);

        // The agents are stored now: the second run must still draw their names, or everything after them differs.
        var again = await generator.GenerateAsync(size, cancellationToken: Ct);

        Assert.Equal(0, again.Interactions);
        Assert.Equal(0, again.Feedback);
        Assert.Equal(first, await SnapshotAsync(database));
    }

    private static async Task<string> SnapshotAsync(TestDatabase database)
    {
        await using var db = database.CreateDb();
        var customers = await db.Customers.OrderBy(c => c.ExternalId).Select(c => c.ExternalId + ":" + c.Name + ":" + c.Plan).ToListAsync(Ct);
        return $"{await db.Interactions.CountAsync(Ct)} {await db.Feedback.CountAsync(Ct)} {await db.Cases.CountAsync(Ct)}\n" + string.Join("\n", customers);
    }

    [Theory]
    [InlineData("US", @"^\+1201\d{7}$")]
    [InlineData("GB", @"^\+447\d{9}$")]
    [InlineData("DE", @"^\+491\d{9,10}$")]
    public void DemoPhones_AreUniqueNumbersOfTheRegion_WrittenAsLocalsWriteThem(string region, string key)
    {
        var random = new Random(1);
        var written = Enumerable.Range(1, 25_000).Select(n => DemoDataGenerator.Phone(n, random, region)).ToList();
        var keys = written.Select(w => CustomerIdentity.Normalize(IdentityKind.Phone, w, region)).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys, k => Assert.Matches(key, k));
        // Without the country code: "(201) …" in the US, "07…" in the UK.
        Assert.All(written, w => Assert.DoesNotContain("+", w, StringComparison.Ordinal));
    }
}
