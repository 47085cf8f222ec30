using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using Touchpoint.Tests.Web;

namespace Touchpoint.Tests.Cli;

/// <summary>An export taken after a merge, imported into an empty database.</summary>
public sealed class CliExportMergeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task ExportCustomersAsync(TestDatabase source, string file)
    {
        var exported = await CliRunner.RunAsync(source, "export", "customers", "--out", file);
        Assert.True(exported.ExitCode == 0, exported.ToString());
    }

    /// <summary>Imports an export: every row of it must be taken.</summary>
    private static async Task ImportCustomersWithoutRejectionsAsync(TestDatabase target, string file)
    {
        var imported = await CliRunner.RunAsync(target, "import", "customers", file, "--json");
        Assert.True(imported.ExitCode == 0 && imported.Output.Contains("\"rejected\": 0", StringComparison.Ordinal), imported.ToString());
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ExportThenImport_AfterAMerge_KeepsOneProfile_AndTheMergedEmailFindsTheSurvivor(DatabaseProvider provider)
    {
        await using var source = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(source);
        await using (var host = new ServerHost(source, WebSeed.Now))
        {
            using var api = host.WithApiKey(await host.IssueApiKeyAsync());
            var merge = await api.PostAsJsonAsync($"/api/customers/{seed.Ada}/merge", new { mergeCustomerId = seed.Bob }, Ct);
            Assert.Equal(HttpStatusCode.OK, merge.StatusCode);
        }
        using var folder = new TempFolder();
        var customers = folder.File("customers.jsonl");
        var interactions = folder.File("interactions.jsonl");
        Assert.Equal(0, (await CliRunner.RunAsync(source, "export", "customers", "--out", customers)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(source, "export", "interactions", "--out", interactions)).ExitCode);

        await using var target = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await CliRunner.RunAsync(target, "import", "customers", customers)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(target, "import", "interactions", interactions)).ExitCode);

        await using var before = source.CreateDb();
        await using var after = target.CreateDb();
        // Ada and Cleo are the live profiles; Bob is an alias of Ada.
        Assert.Equal(
            await before.Customers.Where(c => c.MergedIntoId == null).OrderBy(c => c.ExternalId).Select(c => c.ExternalId).ToListAsync(Ct),
            await after.Customers.Where(c => c.MergedIntoId == null).OrderBy(c => c.ExternalId).Select(c => c.ExternalId).ToListAsync(Ct));
        // Bob's email, an identity of Ada's since the merge, still finds the profile holding his history.
        var owner = await after.CustomerIdentities.Where(i => i.Value == "bob@example.com").Select(i => i.CustomerId).SingleAsync(Ct);
        Assert.Equal(4, await after.Interactions.CountAsync(i => i.CustomerId == owner, Ct));
        Assert.Equal(owner, await after.Customers.Where(c => c.ExternalId == "c-bob").Select(c => c.MergedIntoId).SingleAsync(Ct));

        // The same files again change nothing: Bob is already merged into Ada.
        var again = await CliRunner.RunAsync(target, "import", "customers", customers, "--json");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("\"imported\": 0", again.Output, StringComparison.Ordinal);
        Assert.Contains("\"rejected\": 0", again.Output, StringComparison.Ordinal);
        Assert.Equal(2, await after.Customers.CountAsync(c => c.MergedIntoId == null, Ct));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "csv")]
    [InlineData(DatabaseProvider.Postgres, "jsonl")]
    public async Task ExportThenImport_KeepsEveryIdentity_NotOnlyOneOfEachKind(DatabaseProvider provider, string format)
    {
        // The export wrote one email, one phone, one handle and one CRM id: an address a profile learned from a contact
        // was gone after an export and import, and the next contact from it made a second profile.
        await using var source = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(source, new Touchpoint.Customers.CustomerInput
        {
            ExternalId = "c-ada", Name = "Ada", Email = "ada@example.com", Phone = "+1 201 555 0100", SocialHandle = "@ada", CrmId = "SF-1",
            OtherIdentities = ["email:ada@home.example", "phone:+44 7700 900123", "social:@ada_l", "crm:ZD-9"],
        });
        await Ingest.InteractionsAsync(source, [new Touchpoint.Interactions.InteractionInput
        {
            ExternalId = "i-1", CustomerExternalId = "c-ada", CustomerEmail = "ada@work.example", Channel = Touchpoint.Interactions.Channel.Email, StartedAt = Ingest.T0,
        }]);
        using var folder = new TempFolder();
        var file = folder.File("customers." + format);
        await ExportCustomersAsync(source, file);
        // JSON Lines write text as it is, not escaped for HTML ("\u002B1 201").
        Assert.Contains(format == "jsonl" ? "\"phone\":\"+1 201 555 0100\"" : "'+1 201 555 0100", await File.ReadAllTextAsync(file, Ct), StringComparison.Ordinal);

        await using var target = await TestDatabase.CreateAsync(provider);
        await ImportCustomersWithoutRejectionsAsync(target, file);

        async Task<List<string>> IdentitiesAsync(TestDatabase database)
        {
            await using var db = database.CreateDb();
            return (await db.CustomerIdentities.Select(i => new { i.Kind, i.Value }).ToListAsync(Ct)).Select(i => $"{i.Kind}:{i.Value}").Order().ToList();
        }
        var identities = await IdentitiesAsync(source);
        Assert.Equal(9, identities.Count);
        Assert.Equal(identities, await IdentitiesAsync(target));
        // The same file again changes nothing.
        Assert.Contains("\"duplicates\": 1", (await CliRunner.RunAsync(target, "import", "customers", file, "--json")).Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "csv")]
    [InlineData(DatabaseProvider.Sqlite, "jsonl")]
    [InlineData(DatabaseProvider.Postgres, "csv")]
    [InlineData(DatabaseProvider.Postgres, "jsonl")]
    public async Task ExportThenImport_AnIdentityHoldingASemicolon_ComesBack_NotARejectedRow(DatabaseProvider provider, string format)
    {
        // The email and crm_id columns take ';', so a profile's second CRM id or email may hold one; other_identities
        // wrote it as it was, and the import split "crm:SF;2" in two (CSV) or refused it (JSON Lines): the whole row was lost.
        await using var source = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(source, new Touchpoint.Customers.CustomerInput { ExternalId = "c-1", Email = "a@example.com", CrmId = "SF-1" });
        await Ingest.CustomersAsync(source, new Touchpoint.Customers.CustomerInput { ExternalId = "c-1", Email = "b;c@example.com", CrmId = "SF;2" });
        using var folder = new TempFolder();
        var file = folder.File("customers." + format);
        await ExportCustomersAsync(source, file);

        await using var target = await TestDatabase.CreateAsync(provider);
        await ImportCustomersWithoutRejectionsAsync(target, file);
        async Task<List<string>> IdentitiesAsync(TestDatabase database)
        {
            await using var db = database.CreateDb();
            return (await db.CustomerIdentities.Select(i => new { i.Kind, i.Value }).ToListAsync(Ct)).Select(i => $"{i.Kind}:{i.Value}").Order().ToList();
        }
        Assert.Equal(["Crm:SF-1", "Crm:SF;2", "Email:a@example.com", "Email:b;c@example.com"], await IdentitiesAsync(source));
        Assert.Equal(await IdentitiesAsync(source), await IdentitiesAsync(target));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "csv")]
    [InlineData(DatabaseProvider.Postgres, "jsonl")]
    public async Task ExportThenImport_ASurvivorWithoutAPhone_LeavesTheMergedProfilesPhoneToItsRow_AndTheMergeComesBack(DatabaseProvider provider, string format)
    {
        // The survivor's phone column fell back to the phone it got from the merged profile, whose own row carries it: on
        // import the survivor took it first, and the merged row, found by it, was refused ("stored on another profile").
        await using var source = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(source,
            new Touchpoint.Customers.CustomerInput { ExternalId = "c-sur", Name = "Sur", Email = "sur@example.com", OtherIdentities = ["email:sur2@example.com"] },
            new Touchpoint.Customers.CustomerInput { ExternalId = "c-ali", Name = "Ali", Email = "ali@example.com", Phone = "+44 7700 900555", SocialHandle = "@ali", OtherIdentities = ["crm:ZD-A"] },
            new Touchpoint.Customers.CustomerInput { ExternalId = "c-ali", MergedInto = "c-sur" });
        using var folder = new TempFolder();
        var file = folder.File("customers." + format);
        await ExportCustomersAsync(source, file);

        await using var target = await TestDatabase.CreateAsync(provider);
        await ImportCustomersWithoutRejectionsAsync(target, file);
        async Task<List<string>> ProfilesAsync(TestDatabase database)
        {
            await using var db = database.CreateDb();
            var keys = await db.Customers.ToDictionaryAsync(c => c.Id, c => c.ExternalId, Ct);
            var merged = (await db.Customers.Where(c => c.MergedIntoId != null).Select(c => new { c.ExternalId, c.MergedIntoId }).ToListAsync(Ct))
                .Select(c => $"{c.ExternalId} -> {keys[c.MergedIntoId!.Value]}");
            var identities = (await db.CustomerIdentities.Select(i => new { i.CustomerId, i.Kind, i.Value }).ToListAsync(Ct))
                .Select(i => $"{keys[i.CustomerId]}/{i.Kind}:{i.Value}");
            return [.. merged.Concat(identities).Order()];
        }
        Assert.Contains("c-ali -> c-sur", await ProfilesAsync(source));
        Assert.Equal(await ProfilesAsync(source), await ProfilesAsync(target));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "csv")]
    [InlineData(DatabaseProvider.Postgres, "jsonl")]
    public async Task ExportThenImport_DatesEachConsentOnItsOwn_SoAnOldDecisionDoesNotUndoALaterOneStoredThere(DatabaseProvider provider, string format)
    {
        // The export dated every consent with the latest decision's date: imported into a database holding a decision made
        // between the two, the older one (email, 1 March) came in dated 10 March and undid it.
        var march = (int day) => new DateTime(2026, 3, day, 9, 0, 0, DateTimeKind.Utc);
        await using var source = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(source, new Touchpoint.Customers.CustomerInput
        {
            ExternalId = "c-ada", Consents = new Dictionary<Touchpoint.Interactions.Channel, bool> { [Touchpoint.Interactions.Channel.Email] = true }, ConsentsAt = march(1),
        });
        await Ingest.CustomersAsync(source, new Touchpoint.Customers.CustomerInput
        {
            ExternalId = "c-ada", Consents = new Dictionary<Touchpoint.Interactions.Channel, bool> { [Touchpoint.Interactions.Channel.Sms] = false }, ConsentsAt = march(10),
        });
        await using var target = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(target, new Touchpoint.Customers.CustomerInput
        {
            ExternalId = "c-ada", Consents = new Dictionary<Touchpoint.Interactions.Channel, bool> { [Touchpoint.Interactions.Channel.Email] = false }, ConsentsAt = march(5),
        });
        using var folder = new TempFolder();
        var file = folder.File("customers." + format);
        await ExportCustomersAsync(source, file);

        await ImportCustomersWithoutRejectionsAsync(target, file);

        await using var db = target.CreateDb();
        var consents = await db.ChannelConsents.OrderBy(c => c.Channel).ToListAsync(Ct);
        Assert.Equal([(Touchpoint.Interactions.Channel.Email, false, march(5)), (Touchpoint.Interactions.Channel.Sms, false, march(10))],
            consents.Select(c => (c.Channel, c.Granted, c.UpdatedAt)));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ExportCsv_GuardsCellsASpreadsheetWouldRunAsFormulas_AndImportsBackUnchanged(DatabaseProvider provider)
    {
        await using var source = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(source,
            new Touchpoint.Customers.CustomerInput { ExternalId = "c1", Name = "=HYPERLINK(\"http://127.0.0.1/x\",\"click\")", Phone = "+1 415 555 2671", Plan = "-legacy" },
            new Touchpoint.Customers.CustomerInput { ExternalId = "c2", Name = "'=already quoted", City = "@home" },
            new Touchpoint.Customers.CustomerInput { ExternalId = "c3", Name = "O'Brien" });
        using var folder = new TempFolder();
        var file = folder.File("customers.csv");
        await ExportCustomersAsync(source, file);

        var csv = await File.ReadAllTextAsync(file, Ct);
        Assert.DoesNotMatch("(^|,)\"?[=+@-]", csv.Split('\n').Skip(1).Aggregate("", (a, l) => a + "\n" + l).Replace("\n", ",", StringComparison.Ordinal));
        Assert.Contains("'=HYPERLINK", csv, StringComparison.Ordinal);
        Assert.Contains("'+1 415 555 2671", csv, StringComparison.Ordinal);
        Assert.Contains("''=already quoted", csv, StringComparison.Ordinal);
        Assert.Contains(",O'Brien,", csv, StringComparison.Ordinal);
        Assert.Contains("'-legacy", csv, StringComparison.Ordinal);

        await using var target = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await CliRunner.RunAsync(target, "import", "customers", file)).ExitCode);
        await using var before = source.CreateDb();
        await using var after = target.CreateDb();
        Assert.Equal(3, await before.Customers.CountAsync(Ct));
        Assert.Equal(
            await before.Customers.OrderBy(c => c.ExternalId).Select(c => new { c.ExternalId, c.Name, c.Phone, c.City, c.Plan }).ToListAsync(Ct),
            await after.Customers.OrderBy(c => c.ExternalId).Select(c => new { c.ExternalId, c.Name, c.Phone, c.City, c.Plan }).ToListAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Import_AProfileMergedIntoACustomerNobodyHas_IsRejectedAtItsLine_AndStoredUnmerged(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var folder = new TempFolder();
        var file = folder.Write("customers.csv", "external_id,name,email,merged_into\nc-1,One,one@example.com,\nc-2,Two,two@example.com,c-404\nc-3,Three,three@example.com,c-1\n");

        var result = await CliRunner.RunAsync(database, "import", "customers", file, "--json");

        Assert.Contains("\"imported\": 2", result.Output, StringComparison.Ordinal);
        Assert.Contains("\"line\": 3", result.Output, StringComparison.Ordinal);
        Assert.Contains("merged_into no customer 'c-404'", result.Output, StringComparison.Ordinal);
        await using var db = database.CreateDb();
        var one = await db.Customers.Where(c => c.ExternalId == "c-1").Select(c => c.Id).SingleAsync(Ct);
        Assert.Null(await db.Customers.Where(c => c.ExternalId == "c-2").Select(c => c.MergedIntoId).SingleAsync(Ct));
        Assert.Equal(one, await db.Customers.Where(c => c.ExternalId == "c-3").Select(c => c.MergedIntoId).SingleAsync(Ct));
        Assert.Equal(one, await db.CustomerIdentities.Where(i => i.Value == "three@example.com").Select(i => i.CustomerId).SingleAsync(Ct));
    }
}
