using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Customers;
using Touchpoint.Feedback;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Server;

/// <summary>The REST API through the real server pipeline (Program.cs), signed in with API keys, on both databases.</summary>
public sealed class ApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Interaction(string id, string email, string channel, DateTime at, string reason = "billing", string outcome = "Unresolved",
        string? said = null) => new
    {
        externalId = id,
        customerEmail = email,
        customerName = "Dana Reyes",
        channel,
        direction = "Inbound",
        startedAt = at,
        endedAt = at.AddMinutes(4),
        agentExternalId = "a-7",
        agentName = "Sam Agent",
        queue = "billing",
        firstResponseSeconds = 30,
        reason,
        outcome,
        messages = new[]
        {
            new { author = "Customer", at, text = said ?? $"said in {id}" },
            new { author = "Agent", at = at.AddMinutes(1), text = "let me check" },
        },
    };

    [Theory, ClassData(typeof(Providers))]
    public async Task Api_WithoutCredentials_OrWithAnUnknownKey_Answers401Problem_SayingHowToAuthenticate(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var anonymous = host.CreateClient();
        using var forged = host.WithApiKey("tp_notarealkey0000000000000000000000000000000");
        using var revoked = host.WithApiKey(await host.IssueApiKeyAsync());
        using (var admin = await host.SignedInClientAsync())
        {
            var keys = await admin.GetFromJsonAsync<JsonElement>("/api/admin/api-keys", Ct);
            var id = keys.EnumerateArray().Single().GetProperty("id").GetInt64();
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/admin/api-keys/{id}", Ct)).StatusCode);
        }

        foreach (var client in new[] { anonymous, forged, revoked })
        {
            var response = await client.GetAsync("/api/customers/1", Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(401, (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetInt32());
            var challenges = response.Headers.WwwAuthenticate.Select(c => c.ToString()).ToList();
            Assert.Contains(challenges, c => c.StartsWith("ApiKey ", StringComparison.Ordinal) && c.Contains("header=\"X-Api-Key\"", StringComparison.Ordinal));
            Assert.Contains(challenges, c => c.StartsWith("Cookie ", StringComparison.Ordinal) && c.Contains("form-action=\"/login\"", StringComparison.Ordinal));
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PostInteraction_IsIdempotent_AndDerivesTheCase(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var at = new DateTime(2026, 5, 20, 10, 0, 0, DateTimeKind.Utc);

        var first = await api.PostAsJsonAsync("/api/interactions", Interaction("call-1", "dana@example.com", "Phone", at), Ct);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var created = await first.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("call-1", created.GetProperty("externalId").GetString());
        Assert.Equal(2, created.GetProperty("messages").GetArrayLength());
        Assert.True(created.GetProperty("caseId").GetInt64() > 0);
        Assert.Equal($"/api/interactions/{created.GetProperty("id").GetInt64()}", first.Headers.Location?.OriginalString);

        var again = await api.PostAsJsonAsync("/api/interactions", Interaction("call-1", "dana@example.com", "Phone", at), Ct);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(created.GetProperty("id").GetInt64(), (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64());

        await using var db = database.CreateDb();
        Assert.Equal(1, await db.Interactions.CountAsync(Ct));
        Assert.Equal(2, await db.Messages.CountAsync(Ct));
        Assert.Equal(1, await db.Customers.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task BadInput_Answers400ProblemsNamingTheField_AndStoresNothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var at = new DateTime(2026, 5, 20, 10, 0, 0, DateTimeKind.Utc);

        // A field the rules refuse: 400 with the field in "errors".
        var noCustomer = await api.PostAsJsonAsync("/api/interactions", new { externalId = "x-1", channel = "Chat", startedAt = at }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, noCustomer.StatusCode);
        Assert.Equal("application/problem+json", noCustomer.Content.Headers.ContentType?.MediaType);
        var problem = await noCustomer.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty("customer", out _));

        var negative = await api.PostAsJsonAsync("/api/interactions",
            new { externalId = "x-2", customerEmail = "a@b.c", channel = "Chat", startedAt = at, talkSeconds = -5 }, Ct);
        var negativeProblem = await negative.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("must not be negative", negativeProblem.GetProperty("errors").GetProperty("talkSeconds")[0].GetString());

        // A year typed wrong: a contact is recorded once it has happened.
        var future = await api.PostAsJsonAsync("/api/interactions",
            new { externalId = "x-4", customerEmail = "a@b.c", channel = "Chat", startedAt = new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc) }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        var futureProblem = await future.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.StartsWith("is in the future", futureProblem.GetProperty("errors").GetProperty("startedAt")[0].GetString(), StringComparison.Ordinal);

        // A value JSON cannot bind: 400 saying where.
        var badChannel = await api.PostAsync("/api/interactions",
            new StringContent("""{"externalId":"x-3","customerEmail":"a@b.c","channel":"Pigeon","startedAt":"2026-05-20T10:00:00Z"}""",
                Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badChannel.StatusCode);
        var channelProblem = await badChannel.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("$.channel", channelProblem.GetProperty("path").GetString());

        var malformed = await api.PostAsync("/api/interactions", new StringContent("{\"externalId\": ", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);

        await using var db = database.CreateDb();
        Assert.Equal(0, await db.Interactions.CountAsync(Ct));
        Assert.Equal(0, await db.Customers.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PhoneWrittenTheNationalWay_FindsTheCustomerKnownByTheInternationalNumber(DatabaseProvider provider)
    {
        // The CRM writes +44 7911 123456, the phone system sends 07911 123456: one customer, in a deployment in the UK.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database, settings: new Dictionary<string, string?> { ["Customers:PhoneRegion"] = "GB" });
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var customer = await api.PostAsJsonAsync("/api/customers", new { externalId = "crm-7", name = "Ada Lovelace", phone = "+44 7911 123456" }, Ct);
        Assert.True(customer.IsSuccessStatusCode, await customer.Content.ReadAsStringAsync(Ct));

        var call = await api.PostAsJsonAsync("/api/interactions",
            new { externalId = "call-1", customerPhone = "07911 123456", channel = "Phone", startedAt = "2026-05-20T10:00:00Z" }, Ct);
        Assert.Equal(HttpStatusCode.Created, call.StatusCode);

        await using (var db = database.CreateDb())
        {
            Assert.Equal(1, await db.Customers.CountAsync(Ct));
            Assert.Equal("crm-7", await db.Interactions.Select(i => i.Customer!.ExternalId).SingleAsync(Ct));
        }
        var context = await api.GetFromJsonAsync<JsonElement>("/api/context?phone=07911%20123%20456", Ct);
        Assert.Equal("Ada Lovelace", context.GetProperty("customer").GetProperty("name").GetString());
        // Part of the number, typed the national way, finds her in the list.
        foreach (var typed in new[] { "07911 12", "+447911", "7911 123" })
        {
            var page = await api.GetFromJsonAsync<JsonElement>($"/api/customers?q={Uri.EscapeDataString(typed)}", Ct);
            Assert.True(page.GetProperty("total").GetInt32() == 1, $"{typed}: {page}");
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PhoneRegionChanged_TheServerRekeysNumbersStoredWithoutACountryCode_AtStart(DatabaseProvider provider)
    {
        // Stored while the deployment ran as US: a UK mobile written the national way is no US number, so it kept its digits.
        await using var database = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(database, new CustomerInput { ExternalId = "crm-8", Name = "Grace Hopper", Phone = "07700 900123" });
        await using (var db = database.CreateDb())
        {
            Assert.Equal("07700900123", await db.CustomerIdentities.Where(i => i.Kind == IdentityKind.Phone).Select(i => i.Value).SingleAsync(Ct));
        }

        await using var host = new ServerHost(database, settings: new Dictionary<string, string?> { ["Customers:PhoneRegion"] = "GB" });
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var context = await api.GetFromJsonAsync<JsonElement>("/api/context?phone=%2B44%207700%20900123", Ct);
        Assert.Equal("Grace Hopper", context.GetProperty("customer").GetProperty("name").GetString());
        await using (var db = database.CreateDb())
        {
            Assert.Equal("+447700900123", await db.CustomerIdentities.Where(i => i.Kind == IdentityKind.Phone).Select(i => i.Value).SingleAsync(Ct));
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Batch_StoresValidItems_ListsRejectedByIndex_AndRepeatsAddNothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var at = new DateTime(2026, 5, 1, 9, 0, 0, DateTimeKind.Utc);
        var items = new object[]
        {
            Interaction("b-1", "one@example.com", "Email", at),
            new { externalId = "b-2", channel = "Chat", startedAt = at },
            Interaction("b-3", "two@example.com", "Chat", at.AddHours(1)),
            Interaction("b-1", "one@example.com", "Email", at),
            new { externalId = "b-4", customerEmail = "one@example.com", channel = "Phone", startedAt = at, talkSeconds = -5 },
        };
        var response = await api.PostAsJsonAsync("/api/interactions/batch", items, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(5, result.GetProperty("received").GetInt64());
        Assert.Equal(2, result.GetProperty("imported").GetInt64());
        Assert.Equal(1, result.GetProperty("duplicates").GetInt64());
        Assert.Equal(1, result.GetProperty("rejections")[0].GetProperty("index").GetInt64());
        // A field named as the JSON names it (talkSeconds, not the files' talk_seconds), in the reason and in errors.
        var negative = result.GetProperty("rejections")[1];
        Assert.Equal(4, negative.GetProperty("index").GetInt64());
        Assert.StartsWith("talkSeconds ", negative.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, negative.GetProperty("errors").GetProperty("talkSeconds").ValueKind);

        var repeat = await (await api.PostAsJsonAsync("/api/interactions/batch", items, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(0, repeat.GetProperty("imported").GetInt64());
        Assert.Equal(3, repeat.GetProperty("duplicates").GetInt64());
        await using var db = database.CreateDb();
        Assert.Equal(2, await db.Interactions.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Context_ReturnsEveryChannel_OpenCases_Feedback_AndFlags(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var now = new DateTimeOffset(2026, 5, 22, 12, 0, 0, TimeSpan.Zero);
        await using var host = new ServerHost(database, now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var t = now.UtcDateTime;

        var customer = await api.PostAsJsonAsync("/api/customers", new
        {
            externalId = "crm-42", name = "Dana Reyes", email = "Dana@Example.com", phone = "+1 (555) 010-4242", plan = "premium",
            preferredChannel = "Email", consents = new Dictionary<string, bool> { ["Email"] = true, ["Sms"] = false },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, customer.StatusCode);
        // Three contacts about the same bill on three channels within the repeat window, none resolved.
        var batch = new[]
        {
            Interaction("e-1", "dana@example.com", "Email", t.AddDays(-5), said: "I was charged twice for April"),
            Interaction("c-1", "dana@example.com", "Chat", t.AddDays(-3), said: "Still charged twice, see my email"),
            Interaction("p-1", "dana@example.com", "Phone", t.AddDays(-1), said: "Third time asking about the double charge"),
        };
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync("/api/interactions/batch", batch, Ct)).StatusCode);
        var feedback = await api.PostAsJsonAsync("/api/feedback/batch", new[]
        {
            new { externalId = "nps-1", customerEmail = "dana@example.com", kind = "Nps", score = 3, comment = "nobody fixes my bill", respondedAt = t.AddDays(-2) },
        }, Ct);
        Assert.Equal(1, (await feedback.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("imported").GetInt64());

        // Looked up by the phone number written another way.
        var response = await api.GetAsync("/api/context?phone=%2B1-555-010-4242", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var context = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("crm-42", context.GetProperty("customer").GetProperty("externalId").GetString());
        var recent = context.GetProperty("recentInteractions").EnumerateArray().ToList();
        Assert.Equal(["Phone", "Chat", "Email"], recent.Select(i => i.GetProperty("channel").GetString()));
        Assert.Equal("Third time asking about the double charge", recent[0].GetProperty("customerSaid").GetString());
        Assert.Equal("Sam Agent", recent[0].GetProperty("agent").GetString());
        var openCases = context.GetProperty("openCases");
        Assert.Equal(1, openCases.GetArrayLength());
        Assert.Equal(3, openCases[0].GetProperty("contactCount").GetInt32());
        var caseId = openCases[0].GetProperty("id").GetInt64();
        Assert.Equal("Open", (await api.GetFromJsonAsync<JsonElement>($"/api/cases/{caseId}", Ct)).GetProperty("status").GetString());
        Assert.Equal(["Email", "Chat", "Phone"], openCases[0].GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(3, context.GetProperty("recentFeedback")[0].GetProperty("score").GetInt32());
        Assert.Equal(["Email:dana@example.com", "Phone:+15550104242"],
            context.GetProperty("identities").EnumerateArray().Select(i => $"{i.GetProperty("kind").GetString()}:{i.GetProperty("value").GetString()}"));
        var flags = context.GetProperty("flags");
        Assert.True(flags.GetProperty("repeatContact").GetBoolean());
        Assert.True(flags.GetProperty("channelSwitcher").GetBoolean());
        Assert.True(flags.GetProperty("unresolvedLastContact").GetBoolean());
        Assert.True(flags.GetProperty("recentDetractor").GetBoolean());
        Assert.True(flags.GetProperty("preferredChannelConsented").GetBoolean());
        Assert.Equal(1, flags.GetProperty("openCases").GetInt32());
        Assert.Equal(3, flags.GetProperty("contactsLast7Days").GetInt32());

        var byId = await api.GetFromJsonAsync<JsonElement>($"/api/customers/{context.GetProperty("customer").GetProperty("id").GetInt64()}/context?recent=1", Ct);
        Assert.Equal(1, byId.GetProperty("recentInteractions").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/context?email=nobody@example.com", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/context", Ct)).StatusCode);

        // A month later the repeat is history: the flag is about now, the interactions keep their own IsRepeat.
        host.Clock.Advance(TimeSpan.FromDays(30));
        var later = (await api.GetFromJsonAsync<JsonElement>("/api/context?email=dana@example.com", Ct)).GetProperty("flags");
        Assert.False(later.GetProperty("repeatContact").GetBoolean());
        Assert.Equal(0, later.GetProperty("contactsLast7Days").GetInt32());
        // Its last contact is now 31 days old: the case is closed unresolved, and no longer among the open cases; the
        // unresolved last contact is no longer news either.
        Assert.False(later.GetProperty("unresolvedLastContact").GetBoolean());
        Assert.Equal(0, later.GetProperty("openCases").GetInt32());
        Assert.Equal("Closed", (await api.GetFromJsonAsync<JsonElement>($"/api/cases/{caseId}", Ct)).GetProperty("status").GetString());
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Merge_KeepsBothHistories_AndTheMergedIdsResolveToTheSurvivor(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var at = new DateTime(2026, 5, 10, 9, 0, 0, DateTimeKind.Utc);
        await api.PostAsJsonAsync("/api/interactions/batch", new[]
        {
            Interaction("m-1", "home@example.com", "Email", at),
            Interaction("m-2", "work@example.com", "Chat", at.AddDays(1)),
            Interaction("m-3", "work@example.com", "Phone", at.AddDays(2)),
        }, Ct);
        var home = await api.GetFromJsonAsync<JsonElement>("/api/customers/lookup?email=home@example.com", Ct);
        var work = await api.GetFromJsonAsync<JsonElement>("/api/customers/lookup?email=WORK@example.com", Ct);
        var survivor = home.GetProperty("id").GetInt64();
        var merged = work.GetProperty("id").GetInt64();

        var response = await api.PostAsJsonAsync($"/api/customers/{survivor}/merge", new { mergeCustomerId = merged }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("interactionsMoved").GetInt32());

        var context = await api.GetFromJsonAsync<JsonElement>($"/api/context?email=work@example.com", Ct);
        Assert.Equal(survivor, context.GetProperty("customer").GetProperty("id").GetInt64());
        Assert.Equal(3, context.GetProperty("recentInteractions").GetArrayLength());
        Assert.Equal(["home@example.com", "work@example.com"],
            context.GetProperty("identities").EnumerateArray().Where(i => i.GetProperty("kind").GetString() == "Email").Select(i => i.GetProperty("value").GetString()));
        var viaOldId = await api.GetFromJsonAsync<JsonElement>($"/api/customers/{merged}/context", Ct);
        Assert.Equal(survivor, viaOldId.GetProperty("customer").GetProperty("id").GetInt64());
        // New contacts naming the merged profile's external id land on the survivor.
        await api.PostAsJsonAsync("/api/interactions", new
        {
            externalId = "m-4", customerExternalId = work.GetProperty("externalId").GetString(), channel = "Sms", startedAt = at.AddDays(3),
        }, Ct);
        await using var db = database.CreateDb();
        Assert.Equal(4, await db.Interactions.CountAsync(i => i.CustomerId == survivor, Ct));
        Assert.Equal(0, await db.Interactions.CountAsync(i => i.CustomerId == merged, Ct));
        Assert.Single(await db.AuditLog.Where(a => a.Action == "customer.merged").ToListAsync(Ct));

        var twice = await api.PostAsJsonAsync($"/api/customers/{survivor}/merge", new { mergeCustomerId = merged }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        // The merged id's timeline is the survivor's; an unknown id is 404.
        var timeline = await api.GetFromJsonAsync<JsonElement>($"/api/customers/{merged}/timeline", Ct);
        Assert.Equal(4, timeline.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/customers/999999/timeline", Ct)).StatusCode);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task UpsertCustomer_UnderAnotherKeyWithAKnownEmail_AnswersTheExistingProfile(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var first = await api.PostAsJsonAsync("/api/customers", new { externalId = "crm-1", name = "Ana", email = "ana@example.com" }, Ct);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();

        // The billing system knows Ana as erp-9: same email, so the same person.
        var second = await api.PostAsJsonAsync("/api/customers", new { externalId = "erp-9", name = "Ana B.", email = "ANA@example.com" }, Ct);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(id, (await second.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64());
        Assert.Equal(id, (await api.GetFromJsonAsync<JsonElement>("/api/customers/lookup?externalId=erp-9", Ct)).GetProperty("id").GetInt64());
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Roles_AgentKeyReads_ButCannotWrite_OrAdminister(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var agent = host.WithApiKey(await host.IssueApiKeyAsync("Agent"));
        var at = new DateTime(2026, 5, 10, 9, 0, 0, DateTimeKind.Utc);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsJsonAsync("/api/interactions", Interaction("r-1", "r@example.com", "Chat", at), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync("/api/admin/users", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync("/api/context?email=r@example.com", Ct)).StatusCode);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task RevokedKey_StopsWorking(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        var secret = await host.IssueApiKeyAsync();
        using var api = host.WithApiKey(secret);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/customers/999", Ct)).StatusCode);

        using var admin = host.Browser();
        await ServerHost.LogInAsync(admin);
        var keys = await admin.GetFromJsonAsync<JsonElement>("/api/admin/api-keys", Ct);
        var id = keys.EnumerateArray().Single(k => secret.StartsWith(k.GetProperty("prefix").GetString()!, StringComparison.Ordinal)).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/admin/api-keys/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/customers/999", Ct)).StatusCode);

        await using var db = database.CreateDb();
        Assert.DoesNotContain(secret, (await db.ApiKeys.SingleAsync(Ct)).SecretHash, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task FileImport_CsvBody_ReportsRejectedLinesAndColumns_AndIsIdempotent(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        const string csv = """
            external_id,customer_email,channel,started_at,talk_seconds,reason
            f-1,kim@example.com,phone,2026-05-01T09:00:00Z,120,billing
            f-2,kim@example.com,phone,2026-05-02T09:00:00Z,ten,billing
            f-3,kim@example.com,chat,2026-05-03T09:00:00Z,0,billing
            """;
        using var body = new StringContent(csv, Encoding.UTF8, "text/csv");
        var response = await api.PostAsync("/api/interactions/import", body, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(2, result.GetProperty("imported").GetInt64());
        var rejection = Assert.Single(result.GetProperty("rejections").EnumerateArray());
        Assert.Equal(3, rejection.GetProperty("line").GetInt64());
        Assert.Equal(5, rejection.GetProperty("column").GetInt32());
        Assert.Contains("talk_seconds", rejection.GetProperty("reason").GetString(), StringComparison.Ordinal);

        using var again = new StringContent(csv, Encoding.UTF8, "text/csv");
        var second = await (await api.PostAsync("/api/interactions/import", again, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(0, second.GetProperty("imported").GetInt64());
        Assert.Equal(2, second.GetProperty("duplicates").GetInt64());

        using var xml = new StringContent(csv, Encoding.UTF8, "application/xml");
        var unsupported = await api.PostAsync("/api/interactions/import", xml, Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
        // text/plain is what a cross-site HTML form can send: refused, so a signed-in browser cannot be made to import.
        using var plain = new StringContent(csv, Encoding.UTF8, "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await api.PostAsync("/api/interactions/import?format=csv", plain, Ct)).StatusCode);
        var problemType = await unsupported.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains("'application/xml; charset=utf-8'", problemType.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // Credentials come first: without them a wrong type is 401 too (routing answered 415 before authorization ran).
        using (var anonymous = host.CreateClient())
        {
            using var anonymousXml = new StringContent(csv, Encoding.UTF8, "application/xml");
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/interactions/import", anonymousXml, Ct)).StatusCode);
        }
        // The document still names the body's types.
        var document = await api.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var content = document.GetProperty("paths").GetProperty("/api/interactions/import").GetProperty("post").GetProperty("requestBody").GetProperty("content");
        Assert.Equal(["text/csv", "application/x-ndjson"], content.EnumerateObject().Select(p => p.Name));
        using var wrongFormat = new StringContent(csv, Encoding.UTF8, "text/csv");
        var problem = await api.PostAsync("/api/interactions/import?format=xml", wrongFormat, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, problem.StatusCode);
        Assert.True((await problem.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("format", out _));

        const string jsonl = """
            {"external_id":"cust-9","name":"Kim Park","email":"kim.park@example.com","plan":"basic"}
            {"external_id":"cust-10","name":
            """;
        using var customers = new StringContent(jsonl, Encoding.UTF8, "application/x-ndjson");
        var imported = await (await api.PostAsync("/api/customers/import", customers, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(1, imported.GetProperty("imported").GetInt64());
        Assert.Equal(2, imported.GetProperty("rejections")[0].GetProperty("line").GetInt64());
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Lists_SearchCustomers_PageTimelines_AndFilterInteractions(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var at = new DateTime(2026, 5, 1, 9, 0, 0, DateTimeKind.Utc);
        await api.PostAsJsonAsync("/api/interactions/batch", new[]
        {
            Interaction("l-1", "lee@example.com", "Email", at),
            Interaction("l-2", "lee@example.com", "Chat", at.AddDays(1)),
            Interaction("l-3", "lee@example.com", "Phone", at.AddDays(2)),
            Interaction("l-4", "other@example.com", "Phone", at.AddDays(3)),
        }, Ct);

        var found = await api.GetFromJsonAsync<JsonElement>("/api/customers?q=LEE@example.com", Ct);
        var item = Assert.Single(found.GetProperty("items").EnumerateArray());
        var id = item.GetProperty("id").GetInt64();

        var timeline = await api.GetFromJsonAsync<JsonElement>($"/api/customers/{id}/timeline?pageSize=2", Ct);
        Assert.Equal(["l-3", "l-2"], timeline.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("externalId").GetString()));
        Assert.True(timeline.GetProperty("hasMore").GetBoolean());
        var rest = await api.GetFromJsonAsync<JsonElement>($"/api/customers/{id}/timeline?pageSize=2&page=2", Ct);
        Assert.Equal(["l-1"], rest.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("externalId").GetString()));

        var phones = await api.GetFromJsonAsync<JsonElement>("/api/interactions?channel=Phone", Ct);
        Assert.Equal(["l-4", "l-3"], phones.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("externalId").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/interactions?pageSize=5000", Ct)).StatusCode);

        var interaction = await api.GetFromJsonAsync<JsonElement>("/api/interactions/by-external-id/l-2", Ct);
        var @case = await api.GetFromJsonAsync<JsonElement>($"/api/cases/{interaction.GetProperty("caseId").GetInt64()}", Ct);
        Assert.Equal(["l-1", "l-2", "l-3"], @case.GetProperty("interactions").EnumerateArray().Select(i => i.GetProperty("externalId").GetString()));
        Assert.Equal(2, @case.GetProperty("channelSwitches").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/cases/999999", Ct)).StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheContextCall()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = new ServerHost(database);
        using var client = host.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/customers/{id}/context", out _));
        Assert.True(paths.TryGetProperty("/api/interactions/batch", out _));
        Assert.True(paths.TryGetProperty("/api/context", out _));
        Assert.True(paths.TryGetProperty("/api/admin/users/{id}/unlock", out _));
        // Text and times are strings in the schema (null where they may be), although converters of their own read them
        // (a JSON number as an id's digits): the schemas came out empty ({}).
        var customer = document.GetProperty("components").GetProperty("schemas").GetProperty("CustomerInput").GetProperty("properties");
        Assert.Contains("string", customer.GetProperty("otherIdentities").GetProperty("items").GetProperty("type").ToString(), StringComparison.Ordinal);
        string Type(string property) => string.Join(",", customer.GetProperty(property).GetProperty("type") is { ValueKind: JsonValueKind.Array } types
            ? types.EnumerateArray().Select(t => t.GetString()) : [customer.GetProperty(property).GetProperty("type").GetString()]);
        Assert.Equal(("null,string", "date-time"), (Type("consentsAt"), customer.GetProperty("consentsAt").GetProperty("format").GetString()));
        Assert.Equal(("string", "null,string"), (Type("externalId"), Type("name")));
    }

    [Fact]
    public async Task OpenApiDocument_SaysHowToSignIn_AndTheLeastRoleOfEachCall()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = new ServerHost(database);
        using var client = host.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var key = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal(("apiKey", "header", "X-Api-Key"), (key.GetProperty("type").GetString(), key.GetProperty("in").GetString(), key.GetProperty("name").GetString()));
        var paths = document.GetProperty("paths");
        JsonElement Operation(string path, string method) => paths.GetProperty(path).GetProperty(method);
        string Schemes(JsonElement operation) => string.Join(",", operation.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)));
        string Codes(JsonElement operation) => string.Join(",", operation.GetProperty("responses").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        Assert.Equal("ApiKey,Cookie", Schemes(Operation("/api/customers", "get")));
        Assert.Equal("200,400,401", Codes(Operation("/api/customers", "get")));
        Assert.Contains("Role: any", Operation("/api/customers", "get").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("403", Codes(Operation("/api/customers", "post")), StringComparison.Ordinal);
        Assert.Contains("Role: Manager", Operation("/api/customers", "post").GetProperty("description").GetString(), StringComparison.Ordinal);
        foreach (var (path, method) in new[] { ("/api/admin/users", "get"), ("/api/admin/api-keys", "post"), ("/api/admin/audit", "get"), ("/api/customers/{id}/personal-data", "delete") })
        {
            Assert.Equal("ApiKey,Cookie", Schemes(Operation(path, method)));
            Assert.Contains("401", Codes(Operation(path, method)), StringComparison.Ordinal);
            Assert.Contains("403", Codes(Operation(path, method)), StringComparison.Ordinal);
            Assert.EndsWith("Role: Admin.", Operation(path, method).GetProperty("description").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OpenApiDocument_DescribesChannelsAndOtherValues_ByTheNamesAnswersCarry_WithTheOtherSpellingsRequestsMayUse()
    {
        // Reading these with a converter of their own left their schemas empty ({}) and a list of channels without items.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = new ServerHost(database);
        using var client = host.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var schemas = document.GetProperty("components").GetProperty("schemas");

        string?[] Names(JsonElement schema) => schema.GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToArray();
        JsonElement Resolve(JsonElement schema) => schema.TryGetProperty("$ref", out var reference)
            ? schemas.GetProperty(reference.GetString()!["#/components/schemas/".Length..])
            : schema;
        var channel = schemas.GetProperty("Channel");
        Assert.Equal(["Phone", "Email", "Chat", "Sms", "Social", "SelfService", "InApp", "Bot"], Names(channel));
        Assert.Equal("string", channel.GetProperty("type").GetString());
        Assert.Contains("voice, call", channel.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(["Inbound", "Outbound"], Names(schemas.GetProperty("Direction")));
        Assert.Equal(["Resolved", "Unresolved", "Escalated", "Abandoned", "FollowUp"], Names(schemas.GetProperty("Outcome")));
        Assert.Equal(["Customer", "Agent", "Bot", "System"], Names(schemas.GetProperty("MessageAuthor")));
        Assert.Equal(Names(channel), Names(Resolve(schemas.GetProperty("InteractionInput").GetProperty("properties").GetProperty("channel"))));
        Assert.Equal(Names(channel), Names(Resolve(schemas.GetProperty("OpenCaseSummary").GetProperty("properties").GetProperty("channels").GetProperty("items"))));
        var filter = document.GetProperty("paths").GetProperty("/api/interactions").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == "channel");
        Assert.Equal(Names(channel), Names(Resolve(filter.GetProperty("schema"))));
    }

    [Fact]
    public void FieldNames_FollowTheJsonBody() =>
        Assert.Equal(["customerExternalId", "messages[0].text", "customer"],
            new[] { "customer_external_id", "messages[0].text", "customer" }.Select(Touchpoint.Server.Platform.ApiProblems.JsonField));

    [Fact]
    public void Detractors_ByScale()
    {
        Assert.True(CustomerContextQuery.IsDetractor(FeedbackKind.Nps, 6));
        Assert.False(CustomerContextQuery.IsDetractor(FeedbackKind.Nps, 7));
        Assert.True(CustomerContextQuery.IsDetractor(FeedbackKind.Csat, 2));
        Assert.False(CustomerContextQuery.IsDetractor(FeedbackKind.Ces, 4));
    }

    [Fact]
    public void QuietHours_AcrossMidnight_InTheCustomersZone()
    {
        var customer = new Customer
        {
            ExternalId = "q", Name = "q", TimeZone = "Europe/Berlin", QuietHoursStart = new TimeOnly(21, 0), QuietHoursEnd = new TimeOnly(8, 0),
        };
        Assert.True(CustomerContextQuery.InQuietHours(customer, new DateTime(2026, 1, 10, 21, 30, 0, DateTimeKind.Utc))); // 22:30 in Berlin
        Assert.False(CustomerContextQuery.InQuietHours(customer, new DateTime(2026, 1, 10, 12, 0, 0, DateTimeKind.Utc)));
        Assert.True(CustomerContextQuery.InQuietHours(customer, new DateTime(2026, 1, 11, 6, 0, 0, DateTimeKind.Utc))); // 07:00
    }
}
