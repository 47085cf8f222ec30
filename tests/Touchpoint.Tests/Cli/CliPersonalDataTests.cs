using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Customers;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Cli;

/// <summary>`touchpoint personal-data export|erase`: a data subject's requests from a script, on both databases.</summary>
public sealed class CliPersonalDataTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task PersonalData_ExportsThePersonFoundByAnyKey_AndErasesOnlyWithYes_Audited(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(database,
            new CustomerInput { ExternalId = "crm-zelda", Name = "Zelda Quintessa", Email = "zelda@example.com", Phone = "+44 7700 900123" },
            new CustomerInput { ExternalId = "crm-otto", Name = "Otto Other", Email = "otto@example.com" });
        await Ingest.InteractionsAsync(database, [new InteractionInput
        {
            ExternalId = "z-1", CustomerEmail = "zelda@example.com", Channel = Channel.Chat, StartedAt = Ingest.T0,
            Messages = [new MessageInput(MessageAuthor.Customer, Ingest.T0, "my card number ends 4242")],
        }]);
        long zelda;
        await using (var db = database.CreateDb())
        {
            zelda = await db.Customers.Where(c => c.ExternalId == "crm-zelda").Select(c => c.Id).SingleAsync(Ct);
        }
        using var folder = new TempFolder();

        // Found by phone as written anywhere, by email, or by the profile number.
        var toFile = await CliRunner.RunAsync(database, "personal-data", "export", "+44 (7700) 900-123", "--out", folder.File("zelda.json"));
        Assert.True(toFile.ExitCode == 0, toFile.ToString());
        var export = JsonDocument.Parse(await File.ReadAllTextAsync(folder.File("zelda.json"), Ct)).RootElement;
        Assert.Equal("Zelda Quintessa", export.GetProperty("profile").GetProperty("name").GetString());
        Assert.Equal("my card number ends 4242", export.GetProperty("interactions")[0].GetProperty("messages")[0].GetProperty("text").GetString());
        var toOutput = await CliRunner.RunAsync(database, "personal-data", "export", zelda.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("zelda@example.com", JsonDocument.Parse(toOutput.Output).RootElement.GetProperty("profile").GetProperty("email").GetString());
        var unknown = await CliRunner.RunAsync(database, "personal-data", "export", "nobody@example.com");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no customer is known as 'nobody@example.com'", unknown.Error, StringComparison.Ordinal);

        // Without --yes nothing is erased.
        var asked = await CliRunner.RunAsync(database, "personal-data", "erase", "zelda@example.com");
        Assert.Equal(1, asked.ExitCode);
        Assert.Contains($"customer #{zelda} (Zelda Quintessa, 1 contacts)", asked.Error, StringComparison.Ordinal);
        await using (var db = database.CreateDb())
        {
            Assert.Equal("Zelda Quintessa", await db.Customers.Where(c => c.Id == zelda).Select(c => c.Name).SingleAsync(Ct));
        }

        var erased = await CliRunner.RunAsync(database, "personal-data", "erase", "crm-zelda", "--yes");
        Assert.True(erased.ExitCode == 0, erased.ToString());
        Assert.Contains($"Erased customer #{zelda}", erased.Output, StringComparison.Ordinal);
        await using (var db = database.CreateDb())
        {
            var after = await db.Customers.SingleAsync(c => c.Id == zelda, Ct);
            Assert.Equal((PersonalData.ErasedName, (string?)null), (after.Name, after.Email));
            Assert.Equal(0, await db.CustomerIdentities.CountAsync(i => i.CustomerId == zelda, Ct));
            Assert.Equal(0, await db.Messages.CountAsync(Ct));
            Assert.Equal(1, await db.Interactions.CountAsync(Ct));
            Assert.Equal("Otto Other", await db.Customers.Where(c => c.ExternalId == "crm-otto").Select(c => c.Name).SingleAsync(Ct));
            var audit = await db.AuditLog.OrderBy(a => a.Id).Select(a => new { a.Actor, a.Action }).ToListAsync(Ct);
            Assert.Equal(["customer.personal_data_exported", "customer.personal_data_exported", "customer.erased"], audit.Select(a => a.Action));
            Assert.All(audit, a => Assert.Equal("cli:" + Environment.UserName, a.Actor));
        }
        // The erased person is no longer found by what they were known as.
        Assert.Equal(1, (await CliRunner.RunAsync(database, "personal-data", "export", "zelda@example.com")).ExitCode);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PersonalData_AKeyNamingTwoPeople_IsRefused_AndHashNumberIsTheProfileNumber(DatabaseProvider provider)
    {
        // "erase 1 --yes" erased the customer whose external id is "1", not profile #1 (/customers/1) the help points to.
        await using var database = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(database,
            new CustomerInput { ExternalId = "c-a", Name = "Ann Profile-One", Email = "ann@example.com" },
            new CustomerInput { ExternalId = "1", Name = "Numbered", Email = "num@example.com" },
            new CustomerInput { ExternalId = "c-b", Name = "Bob", SocialHandle = "@c-a" });
        long ann, numbered, bob;
        await using (var db = database.CreateDb())
        {
            var ids = await db.Customers.ToDictionaryAsync(c => c.ExternalId, c => c.Id, Ct);
            (ann, numbered, bob) = (ids["c-a"], ids["1"], ids["c-b"]);
        }
        Assert.Equal(1, ann);

        var twoNumbers = await CliRunner.RunAsync(database, "personal-data", "erase", "1", "--yes");
        Assert.True(twoNumbers.ExitCode == 1, twoNumbers.ToString());
        Assert.Contains($"'1' names more than one customer: #{numbered} (external id or CRM id), #1 (profile number)", twoNumbers.Error, StringComparison.Ordinal);
        // "c-a" is Ann's external id and Bob's handle.
        var keyAndHandle = await CliRunner.RunAsync(database, "personal-data", "export", "c-a");
        Assert.True(keyAndHandle.ExitCode == 1, keyAndHandle.ToString());
        Assert.Contains($"#{ann} (external id or CRM id), #{bob} (handle)", keyAndHandle.Error, StringComparison.Ordinal);
        await using (var db = database.CreateDb())
        {
            Assert.Equal(3, await db.Customers.CountAsync(c => c.Name != PersonalData.ErasedName, Ct));
            Assert.Equal(0, await db.AuditLog.CountAsync(Ct));
        }

        var byNumber = await CliRunner.RunAsync(database, "personal-data", "export", "#1");
        Assert.True(byNumber.ExitCode == 0, byNumber.ToString());
        Assert.Equal("Ann Profile-One", JsonDocument.Parse(byNumber.Output).RootElement.GetProperty("profile").GetProperty("name").GetString());
        var byOtherNumber = await CliRunner.RunAsync(database, "personal-data", "export", $"#{numbered}");
        Assert.Equal("Numbered", JsonDocument.Parse(byOtherNumber.Output).RootElement.GetProperty("profile").GetProperty("name").GetString());
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PersonalDataExport_ToAPathThatCannotBeWritten_SaysSo_AndAuditsNoExport(DatabaseProvider provider)
    {
        // The export was read and audited as given, then the write failed: the log said the person's data went out.
        await using var database = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(database, new CustomerInput { ExternalId = "c-a", Name = "Ann", Email = "ann@example.com" });
        using var folder = new TempFolder();

        foreach (var path in new[] { folder.File("missing/ann.json"), folder.Path })
        {
            var result = await CliRunner.RunAsync(database, "personal-data", "export", "c-a", "--out", path);
            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        }
        await using var db = database.CreateDb();
        Assert.Equal(0, await db.AuditLog.CountAsync(Ct));
    }
}
