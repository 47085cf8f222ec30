using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Customers;

public sealed class PersonalDataTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // What identifies Zelda, or what she said, anywhere it could be stored: her profile, the duplicate merged into
    // it, her identities, her CRM ids, her messages, a subject and a comment.
    private static readonly string[] Traces =
        ["Zelda", "Quintessa", "zelda@", "zq@old", "7700900456", "zq_tweets", "crm-zelda", "crm-zq", "card ending 4242", "Refund for Zelda", "Leeds", "rude agent"];

    [Theory, ClassData(typeof(Providers))]
    public async Task Admin_ExportsEverythingStoredAboutAPerson_ThenErasesIt_LeavingAnonymousFactsAndNoTrace(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var manager = host.WithApiKey(await host.IssueApiKeyAsync("Manager"));
        using var admin = host.WithApiKey(await host.IssueApiKeyAsync("Admin"));
        var at = new DateTime(2026, 5, 1, 9, 0, 0, DateTimeKind.Utc);
        var zelda = await CreateAsync(manager, new
        {
            externalId = "crm-zelda", name = "Zelda Quintessa", email = "zelda@example.com", city = "Leeds", birthYear = 1980,
            consents = new Dictionary<string, bool> { ["email"] = true },
        });
        var duplicate = await CreateAsync(manager, new { externalId = "crm-zq", name = "Z. Quintessa", email = "zq@old.example", phone = "+44 7700 900456", socialHandle = "@zq_tweets" });
        var other = await CreateAsync(manager, new { externalId = "crm-other", name = "Otto Other", email = "otto@example.com" });
        await PostOkAsync(manager, "/api/interactions/batch", new object[]
        {
            new { externalId = "z-1", customerEmail = "zelda@example.com", channel = "chat", startedAt = at, subject = "Refund for Zelda", caseExternalId = "t-9",
                messages = new[] { new { author = "customer", at, text = "My card ending 4242 was charged twice" }, new { author = "agent", at = at.AddMinutes(1), text = "Sorry, refunding now" } } },
            new { externalId = "z-2", customerPhone = "+44 7700 900456", channel = "phone", startedAt = at.AddDays(1), talkSeconds = 300, caseExternalId = "t-9" },
            new { externalId = "o-1", customerEmail = "otto@example.com", channel = "email", startedAt = at, subject = "Otto's invoice",
                messages = new[] { new { author = "customer", at, text = "Otto here, where is my invoice?" } } },
        });
        await PostOkAsync(manager, "/api/feedback/batch", new object[]
        {
            new { externalId = "f-z", customerEmail = "zq@old.example", kind = "nps", score = 2, comment = "A rude agent", respondedAt = at.AddDays(2) },
            new { externalId = "f-o", customerEmail = "otto@example.com", kind = "nps", score = 9, comment = "Otto is happy", respondedAt = at.AddDays(2) },
        });
        Assert.Equal(HttpStatusCode.OK, (await manager.PostAsJsonAsync($"/api/customers/{zelda}/merge", new { mergeCustomerId = duplicate }, Ct)).StatusCode);

        // Managers may not; the export finds the person by either profile's id and holds all of both.
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync($"/api/customers/{zelda}/personal-data", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.DeleteAsync($"/api/customers/{zelda}/personal-data", Ct)).StatusCode);
        var response = await admin.GetAsync($"/api/customers/{duplicate}/personal-data", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"customer-{zelda}-personal-data.json", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var export = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("Zelda Quintessa", export.GetProperty("profile").GetProperty("name").GetString());
        Assert.Equal("crm-zq", export.GetProperty("mergedProfiles")[0].GetProperty("externalId").GetString());
        Assert.Equal(["+447700900456", "zelda@example.com", "zq@old.example", "zq_tweets"],
            export.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("value").GetString()!).Order(StringComparer.Ordinal));
        var interactions = export.GetProperty("interactions").EnumerateArray().ToList();
        Assert.Equal(["z-1", "z-2"], interactions.Select(i => i.GetProperty("externalId").GetString()));
        Assert.Equal("My card ending 4242 was charged twice", interactions[0].GetProperty("messages")[0].GetProperty("text").GetString());
        Assert.Equal("t-9", export.GetProperty("cases")[0].GetProperty("externalId").GetString());
        Assert.Equal("A rude agent", export.GetProperty("feedback")[0].GetProperty("comment").GetString());
        Assert.Equal("Email", export.GetProperty("consents")[0].GetProperty("channel").GetString());
        Assert.DoesNotContain("Otto", export.GetRawText(), StringComparison.Ordinal);

        var erase = await admin.DeleteAsync($"/api/customers/{zelda}/personal-data", Ct);
        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        var erased = await erase.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal((2, 4, 1, 2, 3), (erased.GetProperty("profiles").GetInt32(), erased.GetProperty("identities").GetInt32(),
            erased.GetProperty("consents").GetInt32(), erased.GetProperty("messages").GetInt32(), erased.GetProperty("textsCleared").GetInt32()));

        // No trace in any text column of any table, the audit log included; Otto's data is all there.
        var traces = await TracesAsync(database, Traces);
        Assert.True(traces.Count == 0, string.Join("; ", traces));
        Assert.NotEmpty(await TracesAsync(database, ["Otto Other", "otto@example.com", "Otto here", "Otto is happy", "Otto's invoice", "crm-other"]));
        // The contacts, the case and the score stay as anonymous facts: the statistics do not change.
        await using (var db = database.CreateDb())
        {
            Assert.Equal(3, await db.Interactions.CountAsync(Ct));
            Assert.Equal(2, await db.Interactions.CountAsync(i => i.CustomerId == zelda, Ct));
            Assert.Equal([2, 9], await db.Feedback.OrderBy(f => f.Score).Select(f => f.Score).ToListAsync(Ct));
            Assert.Equal(2, await db.Cases.Where(c => c.CustomerId == zelda).Select(c => c.ContactCount).SingleAsync(Ct));
            Assert.Equal(["customer.erased", "customer.merged", "customer.personal_data_exported"],
                await db.AuditLog.Where(a => a.Target == $"erased-{zelda}").OrderBy(a => a.Action).Select(a => a.Action).ToListAsync(Ct));
        }
        var profile = await admin.GetFromJsonAsync<JsonElement>($"/api/customers/{zelda}", Ct);
        Assert.Equal(("Erased customer", JsonValueKind.String), (profile.GetProperty("name").GetString(), profile.GetProperty("erasedAt").ValueKind));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/context?email=zelda@example.com", Ct)).StatusCode);
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>("/api/customers?q=zelda", Ct)).GetProperty("total").GetInt32());

        // A later contact from the same address is someone new: nothing joins it to the anonymous profile.
        await PostOkAsync(manager, "/api/interactions/batch", new object[] { new { externalId = "z-3", customerEmail = "zelda@example.com", channel = "email", startedAt = at.AddDays(3) } });
        await using (var db = database.CreateDb())
        {
            Assert.NotEqual(zelda, await db.Interactions.Where(i => i.ExternalId == "z-3").Select(i => i.CustomerId).SingleAsync(Ct));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/customers/999999/personal-data", Ct)).StatusCode);
        // Nor can a merge tie a profile, and its identities, to the anonymous one.
        var merge = await manager.PostAsJsonAsync($"/api/customers/{zelda}/merge", new { mergeCustomerId = other }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, merge.StatusCode);
        Assert.Contains("erased", await merge.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task The360Page_OffersDownloadAndErasure_ToAdministratorsOnly(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(database, new Touchpoint.Customers.CustomerInput { ExternalId = "crm-zelda", Name = "Zelda Quintessa", Email = "zelda@example.com" });
        await using var host = new ServerHost(database);
        long id;
        await using (var db = database.CreateDb())
        {
            id = await db.Customers.Select(c => c.Id).SingleAsync(Ct);
        }
        using var manager = await host.SignedInAsAsync(Touchpoint.Platform.Role.Manager);
        var managerPage = await manager.GetStringAsync($"/customers/{id}", Ct);
        Assert.DoesNotContain("id=\"personal-data\"", managerPage, StringComparison.Ordinal);
        // Refused (to the "not allowed" page), and nothing erased.
        await ServerHost.PostFormAsync(manager, $"/customers/{id}?handler=Erase", [], expect: HttpStatusCode.Redirect);

        using var admin = await host.SignedInClientAsync();
        var page = await admin.GetStringAsync($"/customers/{id}", Ct);
        Assert.Contains("Zelda Quintessa", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/api/customers/{id}/personal-data\"", page, StringComparison.Ordinal);
        await ServerHost.PostFormAsync(admin, $"/customers/{id}?handler=Erase", [], expect: HttpStatusCode.Redirect);
        var after = await admin.GetStringAsync($"/customers/{id}", Ct);
        Assert.Contains("id=\"erased\"", after, StringComparison.Ordinal);
        Assert.DoesNotContain("Zelda", after, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"personal-data\"", after, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Erase_APersonErasedBefore_ChangesNothing_NorLogsASecondErasure(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(database, new Touchpoint.Customers.CustomerInput { ExternalId = "crm-zelda", Name = "Zelda Quintessa", Email = "zelda@example.com" });
        await Ingest.InteractionsAsync(database, [Ingest.Contact("z-1", "crm-zelda", Touchpoint.Interactions.Channel.Chat, Ingest.T0)]);
        var clock = Ingest.Clock();
        long id;
        await using (var db = database.CreateDb())
        {
            id = await db.Customers.Select(c => c.Id).SingleAsync(Ct);
            Assert.Equal((1, 2), await new Touchpoint.Customers.PersonalData(db, clock).EraseAsync(id, "admin", Ct) is { } first ? (first.Identities, first.Messages) : default);
        }
        var erasedAt = clock.GetUtcNow().UtcDateTime;
        clock.Advance(TimeSpan.FromDays(3));

        await using (var db = database.CreateDb())
        {
            var again = await new Touchpoint.Customers.PersonalData(db, clock).EraseAsync(id, "admin", Ct);
            Assert.Equal(new Touchpoint.Customers.ErasureResult(id, 1, 0, 0, 0, 0), again);
        }
        await using (var db = database.CreateDb())
        {
            // One erasure on record, made when it was made; the profile untouched since.
            Assert.Equal([erasedAt], await db.AuditLog.Where(a => a.Action == "customer.erased").Select(a => a.At).ToListAsync(Ct));
            Assert.Equal((erasedAt, erasedAt), await db.Customers.Select(c => new ValueTuple<DateTime, DateTime>(c.ErasedAt!.Value, c.UpdatedAt)).SingleAsync(Ct));
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Import_NamingAnErasedProfile_TakesNoPersonalDataAgain_ButItsExportComesBack(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(database, new Touchpoint.Customers.CustomerInput { ExternalId = "crm-zelda", Name = "Zelda Quintessa", Email = "zelda@example.com", Plan = "basic" });
        long id;
        await using (var db = database.CreateDb())
        {
            id = await db.Customers.Select(c => c.Id).SingleAsync(Ct);
            await new Touchpoint.Customers.PersonalData(db, Ingest.Clock()).EraseAsync(id, "admin", Ct);
        }
        var erasedId = Touchpoint.Customers.PersonalData.ErasedExternalId(id);
        var exported = await Touchpoint.Import.RecordExport.CustomersAsync(database.Target, "US", cancellationToken: Ct).Select(r => r.ToInput()).ToListAsync(Ct);

        var summary = await Ingest.CustomersAsync(database,
            new Touchpoint.Customers.CustomerInput { ExternalId = erasedId, Name = "Zelda Quintessa", Email = "zelda@example.com" },
            new Touchpoint.Customers.CustomerInput { ExternalId = erasedId, OtherIdentities = ["social:@zq"] },
            new Touchpoint.Customers.CustomerInput { ExternalId = erasedId, City = "Leeds" },
            new Touchpoint.Customers.CustomerInput { ExternalId = erasedId, Consents = new Dictionary<Touchpoint.Interactions.Channel, bool> { [Touchpoint.Interactions.Channel.Email] = true } },
            new Touchpoint.Customers.CustomerInput { ExternalId = erasedId, Plan = "premium" });

        // Each row giving it personal data is refused at its line, naming the field; the plan, an anonymous fact, changes.
        Assert.Equal([(1L, "name"), (2L, "other_identities"), (3L, "city"), (4L, "consents")], summary.Rejections.Select(r => (r.Line, r.Errors![0].Field)));
        Assert.Equal(1, summary.Imported);
        await using (var db = database.CreateDb())
        {
            var profile = await db.Customers.Include(c => c.Identities).Include(c => c.Consents).SingleAsync(Ct);
            Assert.Equal((Touchpoint.Customers.PersonalData.ErasedName, null, null, 0, 0, "premium"),
                (profile.Name, profile.Email, profile.City, profile.Identities.Count, profile.Consents.Count, profile.Plan));
        }
        // The export of the erased profile is no personal data: it imports again as it was, with nothing refused.
        var again = await Ingest.CustomersAsync(database, [.. exported.Select(e => e with { Plan = "premium" })]);
        Assert.Equal((0, 0L, 1L), (again.Rejections.Count, again.Imported, again.Duplicates));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ContactsAndScores_NamingAnErasedProfile_AreRefusedAtTheirLines_AndTeachItNothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(database, new Touchpoint.Customers.CustomerInput { ExternalId = "crm-zelda", Name = "Zelda Quintessa", Email = "zelda@example.com" });
        var before = Ingest.Contact("z-1", "crm-zelda", Touchpoint.Interactions.Channel.Chat, Ingest.T0);
        await Ingest.InteractionsAsync(database, [before]);
        long id;
        await using (var db = database.CreateDb())
        {
            id = await db.Customers.Select(c => c.Id).SingleAsync(Ct);
            await new Touchpoint.Customers.PersonalData(db, Ingest.Clock()).EraseAsync(id, "admin", Ct);
        }
        var erasedId = Touchpoint.Customers.PersonalData.ErasedExternalId(id);

        var contacts = await Ingest.InteractionsAsync(database,
        [
            Ingest.Contact("z-2", erasedId, Touchpoint.Interactions.Channel.Email, Ingest.T0.AddDays(1)) with { CustomerEmail = "zelda@example.com" },
            Ingest.Contact("o-1", "crm-otto", Touchpoint.Interactions.Channel.Email, Ingest.T0.AddDays(1)),
            before with { CustomerExternalId = erasedId },
        ]);
        var scores = await new Touchpoint.Feedback.FeedbackIngestor(database.Target, Ingest.Clock(), Microsoft.Extensions.Options.Options.Create(new Touchpoint.Customers.CustomerOptions()))
            .IngestAsync([new Touchpoint.Import.ImportRow<Touchpoint.Feedback.FeedbackInput>(4, new()
            {
                ExternalId = "f-z", CustomerExternalId = erasedId, Kind = Touchpoint.Feedback.FeedbackKind.Nps, Score = 2, Comment = "Zelda again", RespondedAt = Ingest.T0.AddDays(2),
            })], cancellationToken: Ct);

        // The new contact and the score are refused at their lines; the contact stored before the erasure is a duplicate.
        Assert.Equal([(1L, "customer_external_id")], contacts.Rejections.Select(r => (r.Line, r.Errors![0].Field)));
        Assert.Equal((1L, 1L, 0L), (contacts.Imported, contacts.Duplicates, contacts.IdentitiesAdded));
        Assert.Equal([(4L, "customer_external_id")], scores.Rejections.Select(r => (r.Line, r.Errors![0].Field)));
        await using (var db = database.CreateDb())
        {
            Assert.Equal(["z-1"], await db.Interactions.Where(i => i.CustomerId == id).Select(i => i.ExternalId).ToListAsync(Ct));
            Assert.Equal(0, await db.Messages.CountAsync(m => m.CustomerId == id, Ct));
            Assert.Equal(0, await db.Feedback.CountAsync(Ct));
            Assert.Equal(0, await db.CustomerIdentities.CountAsync(i => i.CustomerId == id, Ct));
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Erase_RemovesTheSearchesThatNamedThePerson_FromTheAuditOfBulkExports(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var manager = host.WithApiKey(await host.IssueApiKeyAsync("Manager"));
        using var admin = host.WithApiKey(await host.IssueApiKeyAsync("Admin"));
        var zelda = await CreateAsync(manager, new { externalId = "crm-zelda", name = "Zelda Quintessa", email = "zelda@example.com", phone = "+44 7700 900456" });
        await CreateAsync(manager, new { externalId = "crm-other", name = "Otto Other", email = "otto@example.com" });
        foreach (var q in new[] { "Zelda@Example.COM", "07700 900456", "quintessa", "otto" })
        {
            Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync($"/api/customers/export?q={Uri.EscapeDataString(q)}", Ct)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/customers/{zelda}/personal-data", Ct)).StatusCode);

        // The searches that named her are on record without what they said; another person's is as it was.
        await using var db = database.CreateDb();
        // A national number the US region does not read finds nobody, but still names her.
        Assert.Equal(["1 customer as csv, search (erased)", "0 customers as csv, search (erased)", "1 customer as csv, search (erased)", "1 customer as csv, search 'otto'"],
            await db.AuditLog.Where(a => a.Action == "customer.exported").OrderBy(a => a.Id).Select(a => a.Detail!).ToListAsync(Ct));
        var traces = await TracesAsync(database, ["zelda", "quintessa", "7700 900456"]);
        Assert.True(traces.Count == 0, string.Join("; ", traces));
    }

    private static async Task<long> CreateAsync(HttpClient api, object customer)
    {
        var response = await api.PostAsJsonAsync("/api/customers", customer, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
    }

    private static async Task PostOkAsync(HttpClient api, string url, object body)
    {
        var response = await api.PostAsJsonAsync(url, body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode && !text.Contains("\"rejected\":[{", StringComparison.Ordinal), text);
    }

    /// <summary>Every "table.column: value" of a text column, in any table, that contains one of <paramref name="needles"/> (any case).</summary>
    private static async Task<List<string>> TracesAsync(TestDatabase database, string[] needles)
    {
        await using var db = database.CreateDb();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(Ct);
        var columns = new List<(string Table, string Column)>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = database.Target.Provider == DatabaseProvider.Postgres
                ? "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying')"
                : "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND (p.type LIKE '%TEXT%' OR p.type = '')";
            await using var reader = await list.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        Assert.Contains(columns, c => c.Table == "messages");
        var found = new List<string>();
        foreach (var (table, column) in columns)
        {
            foreach (var needle in needles)
            {
                await using var query = connection.CreateCommand();
                query.CommandText = $"SELECT \"{column}\" FROM \"{table}\" WHERE lower(\"{column}\") LIKE @needle";
                var parameter = query.CreateParameter();
                parameter.ParameterName = "needle";
                parameter.Value = "%" + needle.ToLowerInvariant() + "%";
                query.Parameters.Add(parameter);
                await using var reader = await query.ExecuteReaderAsync(Ct);
                while (await reader.ReadAsync(Ct))
                {
                    found.Add($"{table}.{column}: {reader.GetString(0)}");
                }
            }
        }
        return found;
    }
}
