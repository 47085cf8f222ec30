using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using Touchpoint.Tests.Web;

namespace Touchpoint.Tests.Server;

/// <summary>Input at the edges of what the API accepts: answered with an empty page or a 400 problem, never a 500.</summary>
public sealed class ApiInputEdgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Customer_WithAnotherCustomersEmail_AndMergedInto_IsA400NamingTheEmail_NotA500(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        foreach (var customer in new object[] { new { externalId = "a", email = "a@example.com" }, new { externalId = "b" }, new { externalId = "c" } })
        {
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/customers", customer, Ct)).StatusCode);
        }

        var single = await api.PostAsJsonAsync("/api/customers", new { externalId = "b", email = "a@example.com", mergedInto = "c" }, Ct);
        var batch = await api.PostAsJsonAsync("/api/customers/batch", new[] { new { externalId = "b", email = "a@example.com", mergedInto = "c" } }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, single.StatusCode);
        var problem = await single.Content.ReadAsStringAsync(Ct);
        Assert.True(JsonDocument.Parse(problem).RootElement.GetProperty("errors").TryGetProperty("email", out _), problem);
        Assert.NotEqual(HttpStatusCode.InternalServerError, batch.StatusCode);
        Assert.Contains("a@example.com belongs to another customer", await batch.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_LargerThanTheServerTakes_AnswersAProblemSayingTheLimit()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = new ServerHost(database, WebSeed.Now);
        var address = host.StartKestrel(); // the limit is Kestrel's: the in-memory test server has none
        string secret;
        using (var scope = host.Services.CreateScope())
        {
            secret = (await scope.ServiceProvider.GetRequiredService<Touchpoint.Platform.Accounts>()
                .IssueApiKeyAsync("large bodies", Touchpoint.Platform.Role.Manager, "test", Ct)).Secret;
        }
        using var api = new HttpClient { BaseAddress = address };
        api.DefaultRequestHeaders.Add("X-Api-Key", secret);
        // Kestrel answers as soon as it reads the length, and closes: a client that asks first hears the answer.
        api.DefaultRequestHeaders.ExpectContinue = true;
        // 31 MB of one item's transcript: more than Kestrel's 30,000,000-byte default.
        var body = "[{\"externalId\":\"big\",\"subject\":\"" + new string('x', 31_000_000) + "\"}]";

        using var response = await api.PostAsync("/api/interactions/batch", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains("30,000,000 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Paging_FarPastTheEnd_AnswersAnEmptyPage_NotA500_NorTheFirstPage(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        // (page - 1) * pageSize does not fit an int for these: it used to wrap to a negative offset.
        foreach (var url in new[]
        {
            "/api/customers?page=2147483647",
            "/api/customers?page=50000000&pageSize=50",
            "/api/interactions?page=2147483647",
            $"/api/customers/{seed.Ada}/timeline?page=100000000",
            $"/api/segments/{seed.Premium}/customers?page=2147483647",
        })
        {
            var response = await api.GetAsync(url, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} answered {(int)response.StatusCode}");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.True(body.GetProperty("items").GetArrayLength() == 0, $"{url} answered rows of an earlier page");
        }

        using var browser = await host.SignedInClientAsync();
        foreach (var url in new[] { "/customers?p=2147483647", "/interactions?p=2147483647" })
        {
            var page = await browser.GetAsync(url, Ct);
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"{url} answered {(int)page.StatusCode}");
            Assert.DoesNotContain("Ada Lovelace", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PostInteraction_WithANullMessageOrNullMessages_Answers400_NotA500(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        foreach (var messages in new[] { "[null]", "null" })
        {
            var json = $$"""{"externalId":"m-1","customerEmail":"z@example.com","channel":"Chat","startedAt":"2026-05-20T10:00:00Z","messages":{{messages}}}""";
            var response = await api.PostAsync("/api/interactions", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"messages {messages} answered {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        await using var db = database.CreateDb();
        Assert.Equal(0, await db.Interactions.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PostInteraction_WithValuesLongerThanTheirColumns_Answers400NamingTheField_OnBothDatabases(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var cases = new (string Field, string Json)[]
        {
            ("queue", $$"""{"externalId":"l-1","customerEmail":"z@example.com","channel":"Chat","startedAt":"2026-05-20T10:00:00Z","queue":"{{new string('q', 101)}}"}"""),
            ("reason", $$"""{"externalId":"l-2","customerEmail":"z@example.com","channel":"Chat","startedAt":"2026-05-20T10:00:00Z","reason":"{{new string('r', 101)}}"}"""),
            ("caseExternalId", $$"""{"externalId":"l-3","customerEmail":"z@example.com","channel":"Chat","startedAt":"2026-05-20T10:00:00Z","caseExternalId":"{{new string('k', 129)}}"}"""),
            ("customerExternalId", $$"""{"externalId":"l-4","customerExternalId":"{{new string('c', 129)}}","channel":"Chat","startedAt":"2026-05-20T10:00:00Z"}"""),
            ("agentExternalId", $$"""{"externalId":"l-5","customerEmail":"z@example.com","agentExternalId":"{{new string('a', 129)}}","channel":"Chat","startedAt":"2026-05-20T10:00:00Z"}"""),
        };
        foreach (var (field, json) in cases)
        {
            var response = await api.PostAsync("/api/interactions", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"a long {field} answered {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem for a long {field} names it");
        }
        await using var db = database.CreateDb();
        Assert.Equal(0, await db.Interactions.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task FileImport_ARowWithATooLongQueue_IsRejectedByLine_AndTheOtherRowsAreStored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var csv = "external_id,customer_email,channel,started_at,queue\n"
                  + "q-1,kim@example.com,phone,2026-05-01T09:00:00Z,billing\n"
                  + $"q-2,kim@example.com,phone,2026-05-02T09:00:00Z,{new string('q', 101)}\n"
                  + "q-3,lee@example.com,chat,2026-05-03T09:00:00Z,billing\n";
        using var body = new StringContent(csv, Encoding.UTF8, "text/csv");
        var response = await api.PostAsync("/api/interactions/import", body, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(2, result.GetProperty("imported").GetInt64());
        Assert.Equal(3, Assert.Single(result.GetProperty("rejections").EnumerateArray()).GetProperty("line").GetInt64());
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task FileImport_AJsonLineBreakingAFieldRule_IsRejectedAtItsLineAndTheKeysPosition(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var bad = $$"""{"external_id":"q-2","customer_email":"kim@example.com","channel":"phone","started_at":"2026-05-02T09:00:00Z","queue":"{{new string('q', 101)}}"}""";
        var jsonl = string.Join('\n',
            """{"external_id":"q-1","customer_email":"kim@example.com","channel":"phone","started_at":"2026-05-01T09:00:00Z","queue":"billing"}""",
            bad,
            """{"external_id":"q-3","customer_email":"lee@example.com","channel":"chat","started_at":"2026-05-03T09:00:00Z","talk_seconds":-1}""");
        using var body = new StringContent(jsonl, Encoding.UTF8, "application/x-ndjson");

        var response = await api.PostAsync("/api/interactions/import", body, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(1, result.GetProperty("imported").GetInt64());
        Assert.Equal(
            [(2L, bad.IndexOf("\"queue\"", StringComparison.Ordinal) + 1, "queue is longer than 100 characters"), (3, 110, "talk_seconds must not be negative")],
            result.GetProperty("rejections").EnumerateArray().Select(r => (r.GetProperty("line").GetInt64(), r.GetProperty("column").GetInt32(), r.GetProperty("reason").GetString())));
        await using var db = database.CreateDb();
        Assert.Equal(["q-1"], await db.Interactions.Select(i => i.ExternalId).ToListAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PostCustomer_WithValuesLongerThanTheirColumns_Answers400NamingTheField_OnBothDatabases(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var cases = new (string Field, object Body)[]
        {
            ("name", new { externalId = "c-1", name = new string('n', 201) }),
            ("products", new { externalId = "c-2", name = "N", products = Enumerable.Range(0, 70).Select(n => $"product-{n}").ToArray() }),
            ("phone", new { externalId = "c-3", name = "N", phone = "+1 " + new string('5', 260) }),
        };
        foreach (var (field, input) in cases)
        {
            var response = await api.PostAsJsonAsync("/api/customers", input, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"a long {field} answered {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem for a long {field} names it");
        }
        await using var db = database.CreateDb();
        Assert.Equal(0, await db.Customers.CountAsync(Ct));
    }
    [Theory, ClassData(typeof(Providers))]
    public async Task FeedbackBatch_WithATooLongExternalId_RejectsThatItemByIndex_AndStoresTheOther(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var items = new object[]
        {
            new { externalId = "fb-1", customerEmail = "kim@example.com", kind = "Nps", score = 9, respondedAt = new DateTime(2026, 5, 1, 9, 0, 0, DateTimeKind.Utc) },
            new { externalId = new string('f', 129), customerEmail = "kim@example.com", kind = "Nps", score = 3, respondedAt = new DateTime(2026, 5, 2, 9, 0, 0, DateTimeKind.Utc) },
        };
        var response = await api.PostAsJsonAsync("/api/feedback/batch", items, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(1, result.GetProperty("imported").GetInt64());
        Assert.Equal(1, Assert.Single(result.GetProperty("rejections").EnumerateArray()).GetProperty("index").GetInt64());
    }
    [Theory, ClassData(typeof(Providers))]
    public async Task PostInteraction_ForANewCustomerKnownOnlyByALongEmail_CreatesTheCustomer(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        // 150 characters: a valid identity (up to 256), but "email:" + it is longer than a customer's external id column.
        var email = new string('e', 138) + "@example.com";
        var json = $$"""{"externalId":"le-1","customerEmail":"{{email}}","channel":"Email","startedAt":"2026-05-20T10:00:00Z"}""";
        var response = await api.PostAsync("/api/interactions", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var again = await api.PostAsync("/api/interactions", new StringContent(json.Replace("le-1", "le-2", StringComparison.Ordinal), Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        await using var db = database.CreateDb();
        Assert.Equal(1, await db.Customers.CountAsync(Ct));
    }
    [Theory, ClassData(typeof(Providers))]
    public async Task PostCustomer_WithABlankName_IsNamedLikeOneWithoutAName_NotAnEmptyLinkInTheList(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var blank = await api.PostAsJsonAsync("/api/customers", new { externalId = "c-blank", name = "   " }, Ct);
        Assert.Equal(HttpStatusCode.Created, blank.StatusCode);
        var missing = await api.PostAsJsonAsync("/api/customers", new { externalId = "c-missing" }, Ct);
        Assert.Equal("c-missing", (await missing.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("name").GetString());
        Assert.Equal("c-blank", (await blank.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("name").GetString());
    }
    [Theory, ClassData(typeof(Providers))]
    public async Task DateFilter_ToTheLastRepresentableDay_AnswersEverything_NotA500(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var response = await api.GetAsync("/api/interactions?to=9999-12-31", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("items").GetArrayLength());

        using var browser = await host.SignedInClientAsync();
        foreach (var url in new[] { "/interactions?to=9999-12-31", "/reports/first-response?to=9999-12-31" })
        {
            Assert.True((await browser.GetAsync(url, Ct)).StatusCode == HttpStatusCode.OK, url);
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task TextWithANulCharacter_InASearchOrALookup_AnswersLikeAnyUnknownText_NotA500(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var search = await api.GetAsync("/api/customers?q=ada%00", Ct);
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/customers/lookup?email=ada%00@example.com", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/context?externalId=c-ada%00", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/interactions?queue=billing%00&reason=refund%00", Ct)).StatusCode);
        using var browser = await host.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/customers?q=%00", Ct)).StatusCode);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PostInteraction_WithANulCharacterInAMessage_IsRefusedByField_NotA500(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var json = """{"externalId":"nul-1","customerEmail":"z@example.com","channel":"Chat","startedAt":"2026-05-20T10:00:00Z","messages":[{"author":"Customer","at":"2026-05-20T10:00:00Z","text":"a\u0000b"}]}""";
        var response = await api.PostAsync("/api/interactions", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty("messages[0].text", out _), problem.ToString());
        await using var db = database.CreateDb();
        Assert.Equal(0, await db.Interactions.CountAsync(Ct));
    }
    [Theory, ClassData(typeof(Providers))]
    public async Task PostCustomer_AProductWithAComma_IsRefused_NotSplitIntoTwoProducts(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        // Products are stored joined by commas: "TV, 4K" would come back as "TV" and " 4K".
        var response = await api.PostAsJsonAsync("/api/customers", new { externalId = "c-tv", name = "N", products = new[] { "TV, 4K", "router" } }, Ct);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("products", out _));
            return;
        }
        await using var db = database.CreateDb();
        var products = await db.Customers.Where(c => c.ExternalId == "c-tv").Select(c => c.Products).SingleAsync(Ct);
        Assert.Equal(2, products.Split(',').Length);
    }
    [Theory, ClassData(typeof(Providers))]
    public async Task SegmentRule_WithANulCharacter_IsRefusedWithAProblem_NotA500(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var validate = await api.PostAsync("/api/segments/validate",
            new StringContent("""{"rule":"plan = \"a\u0000b\""}""", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, validate.StatusCode);
        Assert.Contains("U+0000", await validate.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var create = await api.PostAsync("/api/segments",
            new StringContent("""{"name":"Nul\u0000","kind":"Segment","rule":"plan = \"premium\""}""", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.True((await create.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("name", out _));
        await using var db = database.CreateDb();
        Assert.DoesNotContain(await db.Segments.Select(x => x.Name).ToListAsync(Ct), n => n.Contains('\0', StringComparison.Ordinal));
    }
    [Theory, ClassData(typeof(Providers))]
    public async Task GetByExternalId_AnIdWithASlash_IsFound_WhenTheSlashIsEscaped(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var created = await api.PostAsJsonAsync("/api/interactions",
            new { externalId = "zendesk/4711", customerEmail = "z@example.com", channel = "Email", startedAt = new DateTime(2026, 5, 20, 10, 0, 0, DateTimeKind.Utc) }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var found = await api.GetAsync("/api/interactions/by-external-id/" + Uri.EscapeDataString("zendesk/4711"), Ct);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/interactions/by-external-id/zendesk/4711", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/interactions/by-external-id/zendesk/4712", Ct)).StatusCode);
    }
    [Theory, ClassData(typeof(Providers))]
    public async Task AdminApi_AUserOrKeyNamedWithANulCharacter_Answers400_NotA500(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var admin = await host.SignedInClientAsync();

        var user = await admin.PostAsync("/api/admin/users",
            new StringContent("""{"email":"nul\u0000@example.com","name":"N","role":"Agent"}""", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, user.StatusCode);
        var key = await admin.PostAsync("/api/admin/api-keys",
            new StringContent("""{"name":"crm\u0000","role":"Agent"}""", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, key.StatusCode);
    }
    [Theory, ClassData(typeof(Providers))]
    public async Task AdminApi_OneEmailAddedByManyAtOnce_IsOne201AndTheRestTaken_NotA500(DatabaseProvider provider)
    {
        // Each request's check passed before any insert, and the unique index failed the others with a 500.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var admin = await host.SignedInClientAsync();

        for (var round = 0; round < 3; round++)
        {
            var posts = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
                admin.PostAsJsonAsync("/api/admin/users", new { email = $"sam{round}@example.com", name = "Sam", role = "Agent" }, Ct)));
            Assert.Equal(1, posts.Count(p => p.StatusCode == HttpStatusCode.Created));
            foreach (var refused in posts.Where(p => p.StatusCode != HttpStatusCode.Created))
            {
                var body = await refused.Content.ReadAsStringAsync(Ct);
                Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, body);
                Assert.Equal("is already taken", JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("email")[0].GetString());
            }
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task CustomerEmail_ThatIsNotAnAddress_IsRefusedByInteractionsAndFeedback_AsByCustomers(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var customer = await api.PostAsJsonAsync("/api/customers", new { externalId = "c-1", name = "N", email = "not an email" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, customer.StatusCode);
        var interaction = await api.PostAsJsonAsync("/api/interactions",
            new { externalId = "i-1", customerEmail = "not an email", channel = "Email", startedAt = new DateTime(2026, 5, 20, 10, 0, 0, DateTimeKind.Utc) }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, interaction.StatusCode);
        Assert.True((await interaction.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("customerEmail", out _));
        var feedback = await api.PostAsJsonAsync("/api/feedback/batch",
            new[] { new { externalId = "f-1", customerEmail = "not an email", kind = "Nps", score = 9, respondedAt = new DateTime(2026, 5, 20, 10, 0, 0, DateTimeKind.Utc) } }, Ct);
        Assert.Equal(1, (await feedback.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("rejected").GetInt64());
        await using var db = database.CreateDb();
        Assert.Equal(0, await db.Customers.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task FeedbackAboutAnotherCustomersContact_IsRejectedAtItsIndex_AndTheOwnersIsLinked(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var at = new DateTime(2026, 5, 20, 10, 0, 0, DateTimeKind.Utc);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/interactions",
            new { externalId = "i-ann", customerEmail = "ann@example.com", channel = "Email", startedAt = at }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/interactions",
            new { externalId = "i-ben", customerEmail = "ben@example.com", channel = "Chat", startedAt = at }, Ct)).StatusCode);

        var feedback = await api.PostAsJsonAsync("/api/feedback/batch", new[]
        {
            new { externalId = "f-ann", customerEmail = "ann@example.com", interactionExternalId = "i-ann", kind = "Csat", score = 5, respondedAt = at.AddHours(1) },
            new { externalId = "f-ben", customerEmail = "ben@example.com", interactionExternalId = "i-ann", kind = "Csat", score = 1, respondedAt = at.AddHours(1) },
        }, Ct);

        var result = await feedback.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(1, result.GetProperty("imported").GetInt64());
        var rejection = Assert.Single(result.GetProperty("rejections").EnumerateArray());
        Assert.Equal(1, rejection.GetProperty("index").GetInt64());
        Assert.Contains("another customer", rejection.GetProperty("reason").GetString(), StringComparison.Ordinal);
        await using var db = database.CreateDb();
        var stored = await db.Feedback.SingleAsync(Ct);
        Assert.Equal(("f-ann", await db.Interactions.Where(i => i.ExternalId == "i-ann").Select(i => (long?)i.Id).SingleAsync(Ct)), (stored.ExternalId, stored.InteractionId));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Durations_TooLargeToAddUp_AreRefusedByField_AndTheListsKeepAnswering(DatabaseProvider provider)
    {
        // Talk + hold + wrap is the handle time every list shows: two int.MaxValue durations overflowed it, and once
        // stored the row made the interaction list, the timeline, the context and the 360 page answer 500.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var response = await api.PostAsJsonAsync("/api/interactions", new
        {
            externalId = "long-1", customerEmail = "ann@example.com", channel = "Phone", startedAt = "2026-05-20T10:00:00Z",
            talkSeconds = int.MaxValue, holdSeconds = int.MaxValue, wrapSeconds = 5,
        }, Ct);
        var csv = "external_id,customer_email,channel,started_at,wrap_seconds,first_response_seconds\n"
                  + "long-2,ann@example.com,phone,2026-05-20T11:00:00Z,2147483647,\n"
                  + "long-3,ann@example.com,email,2026-05-20T12:00:00Z,,2147483647\n"
                  + "ok-1,ann@example.com,phone,2026-05-20T13:00:00Z,30,\n";
        using var file = new StringContent(csv, Encoding.UTF8, "text/csv");
        var import = await api.PostAsync("/api/interactions/import", file, Ct);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("talkSeconds", out _) && errors.TryGetProperty("holdSeconds", out _), errors.ToString());
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        var result = await import.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(1, result.GetProperty("imported").GetInt64());
        Assert.Equal([2L, 3L], result.GetProperty("rejections").EnumerateArray().Select(r => r.GetProperty("line").GetInt64()));
        await using (var db = database.CreateDb())
        {
            Assert.Equal(["ok-1"], await db.Interactions.Select(i => i.ExternalId).ToListAsync(Ct));
        }
        foreach (var url in new[] { "/api/interactions", "/api/context?email=ann@example.com" })
        {
            var list = await api.GetAsync(url, Ct);
            Assert.True(list.StatusCode == HttpStatusCode.OK, $"{url} answered {(int)list.StatusCode}");
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task RowStoredBeforeDurationsWereLimited_EveryListPageAndApiStillAnswers(DatabaseProvider provider)
    {
        // A database written before the limit may hold int.MaxValue durations: their sum overflowed an int (PostgreSQL
        // refused it in the list query), so the lists, the timeline, the context and the pages answered 500.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var stored = await api.PostAsJsonAsync("/api/interactions",
            new { externalId = "old-1", customerEmail = "ann@example.com", channel = "Phone", startedAt = "2026-05-20T10:00:00Z", talkSeconds = 60 }, Ct);
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        long id, customer;
        await using (var db = database.CreateDb())
        {
            await db.Database.ExecuteSqlRawAsync($"UPDATE interactions SET talk_seconds = {int.MaxValue}, hold_seconds = {int.MaxValue}, wrap_seconds = {int.MaxValue}", Ct);
            var row = await db.Interactions.Select(i => new { i.Id, i.CustomerId }).SingleAsync(Ct);
            (id, customer) = (row.Id, row.CustomerId);
        }
        using var browser = await host.SignedInClientAsync();

        foreach (var (client, url) in new[]
        {
            (api, "/api/interactions"), (api, $"/api/interactions/{id}"), (api, $"/api/customers/{customer}/timeline"), (api, "/api/context?email=ann@example.com"),
            (browser, "/interactions"), (browser, $"/interactions/{id}"), (browser, $"/customers/{customer}"),
        })
        {
            using var response = await client.GetAsync(url, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} answered {(int)response.StatusCode}");
        }
        // The handle time is the true sum, 3 × int.MaxValue seconds (about 204,000 days), not a wrapped negative number.
        var list = await api.GetFromJsonAsync<JsonElement>("/api/interactions", Ct);
        Assert.Equal(3L * int.MaxValue, list.GetProperty("items")[0].GetProperty("handleSeconds").GetInt64());
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Body_NamingAPropertyTwice_Answers400AtThatProperty_AndStoresNothing(DatabaseProvider provider)
    {
        // The last value silently won: {"externalId":"a", ..., "externalId":"b"} stored "b".
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var bodies = new (string Url, string Json, string Path)[]
        {
            ("/api/interactions", """{"externalId":"a-1","customerEmail":"a@example.com","channel":"Phone","startedAt":"2026-05-20T10:00:00Z","externalId":"a-2"}""", "$.externalId"),
            ("/api/interactions/batch", """[{"externalId":"b-1","customerEmail":"a@example.com","customerEmail":"b@example.com","channel":"Chat","startedAt":"2026-05-20T10:00:00Z"}]""", "$[0].customerEmail"),
            ("/api/customers", """{"externalId":"c-1","email":"a@example.com","email":"c@example.com"}""", "$.email"),
        };
        foreach (var (url, json, path) in bodies)
        {
            var response = await api.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url} answered {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(path, problem.GetProperty("path").GetString());
        }
        await using var db = database.CreateDb();
        Assert.Equal(0, await db.Interactions.CountAsync(Ct) + await db.Customers.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task UnreadableQueryValuesOrAMissingBody_AnswerAProblemNamingTheField_InWordsForTheCaller(DatabaseProvider provider)
    {
        // These said "Failed to bind parameter \"Nullable<Channel> channel\"" (no errors member) or, for an empty body,
        // "Implicit body inferred for parameter \"input\" but no body was provided. Did you mean to use a Service instead?".
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        foreach (var (url, field, value) in new[]
        {
            ("/api/interactions?channel=fax", "channel", "fax"), ("/api/interactions?from=2026-13-01", "from", "2026-13-01"),
            ("/api/interactions?agentId=abc", "agentId", "abc"), ("/api/customers?page=two", "page", "two"),
            // Read as enums these were Sms and Email (3, and the two values OR-ed together).
            ("/api/interactions?channel=3", "channel", "3"), ("/api/interactions?channel=Phone,Email", "channel", "Phone,Email"),
        })
        {
            var response = await api.GetAsync(url, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url} answered {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), $"{url}: {problem}");
            Assert.Contains($"'{value}'", errors.GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        }
        foreach (var body in new[] { "", "null" })
        {
            var response = await api.PostAsync("/api/interactions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var detail = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString();
            Assert.Equal("The request has no body: send the JSON this endpoint takes (see /openapi/v1.json).", detail);
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task ChannelsDirectionsOutcomesAndAuthors_AreReadInTheSpellingsImportFilesTake_AndAnsweredByTheirNames(DatabaseProvider provider)
    {
        // The API took only the .NET names ("Phone", "SelfService", "FollowUp") while a file of the same source said "voice".
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var customer = await api.PostAsync("/api/customers", new StringContent(
            """{"externalId":"c-ann","email":"ann@example.com","preferredChannel":"web","consents":{"text":true,"e-mail":false}}""", Encoding.UTF8, "application/json"), Ct);
        var voice = await api.PostAsync("/api/interactions", new StringContent(
            """{"externalId":"s-1","customerEmail":"ann@example.com","channel":"voice","direction":"OUTBOUND","outcome":"follow-up","startedAt":"2026-05-20T10:00:00Z","messages":[{"author":"agent","text":"hello"},{"author":"Bot","text":"hi"}]}""",
            Encoding.UTF8, "application/json"), Ct);
        var batch = await api.PostAsync("/api/interactions/batch", new StringContent(
            """[{"externalId":"s-2","customerEmail":"ann@example.com","channel":"self-service","outcome":"follow_up","startedAt":"2026-05-21T10:00:00Z"},{"externalId":"s-3","customerEmail":"ann@example.com","channel":"In App","startedAt":"2026-05-22T10:00:00Z"}]""",
            Encoding.UTF8, "application/json"), Ct);

        Assert.True(voice.StatusCode == HttpStatusCode.Created, await voice.Content.ReadAsStringAsync(Ct));
        var stored = await voice.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(("Phone", "Outbound", "FollowUp"),
            (stored.GetProperty("channel").GetString(), stored.GetProperty("direction").GetString(), stored.GetProperty("outcome").GetString()));
        Assert.Equal(["Agent", "Bot"], stored.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("author").GetString()));
        Assert.True(batch.StatusCode == HttpStatusCode.OK, await batch.Content.ReadAsStringAsync(Ct));
        Assert.Equal(2, (await batch.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("imported").GetInt64());
        Assert.True(customer.StatusCode == HttpStatusCode.Created, await customer.Content.ReadAsStringAsync(Ct));
        Assert.Equal("SelfService", (await customer.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("preferredChannel").GetString());
        // The list filter reads a channel the same way.
        foreach (var (channel, expected) in new[] { ("voice", "s-1"), ("PHONE", "s-1"), ("web", "s-2"), ("in-app", "s-3") })
        {
            var list = await api.GetFromJsonAsync<JsonElement>($"/api/interactions?channel={channel}", Ct);
            Assert.Equal([expected], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("externalId").GetString()));
        }
        await using var db = database.CreateDb();
        Assert.Equal([("s-1", Channel.Phone, Outcome.FollowUp), ("s-2", Channel.SelfService, Outcome.FollowUp), ("s-3", Channel.InApp, Outcome.Resolved)],
            (await db.Interactions.OrderBy(i => i.ExternalId).Select(i => new { i.ExternalId, i.Channel, i.Outcome }).ToListAsync(Ct))
            .Select(i => (i.ExternalId, i.Channel, i.Outcome)));
        Assert.Equal([(Channel.Email, false), (Channel.Sms, true)],
            (await db.ChannelConsents.OrderBy(c => c.Channel).Select(c => new { c.Channel, c.Granted }).ToListAsync(Ct)).Select(c => (c.Channel, c.Granted)));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Body_WithAValueOfTheWrongKind_AnswersAProblemNamingTheFieldAndWhatItTakes_NotADotNetType(DatabaseProvider provider)
    {
        // These said "The JSON value could not be converted to System.Nullable`1[System.TimeOnly]" and no errors member.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        foreach (var (url, json, field, reason) in new[]
        {
            ("/api/interactions", """{"externalId":"w-1","customerEmail":"a@example.com","channel":"fax","startedAt":"2026-05-20T10:00:00Z"}""",
                "channel", "'fax' is not one of Phone, Email, Chat, Sms, Social, SelfService, InApp, Bot, or voice, call, mail, live-chat, web-chat, text, "
                           + "twitter, facebook, web, web-self-service, portal, app, mobile, chatbot (any case; dashes, underscores and spaces are ignored)"),
            ("/api/interactions", """{"externalId":"w-5","customerEmail":"a@example.com","channel":"chat","direction":1,"startedAt":"2026-05-20T10:00:00Z"}""",
                "direction", "is not one of Inbound, Outbound (any case; dashes, underscores and spaces are ignored)"),
            ("/api/interactions/batch", """[{"externalId":"w-6","customerEmail":"a@example.com","channel":"chat","startedAt":"2026-05-20T10:00:00Z","messages":[{"author":"robot","text":"hi"}]}]""",
                "[0].messages[0].author", "'robot' is not one of Customer, Agent, Bot, System (any case; dashes, underscores and spaces are ignored)"),
            ("/api/customers", """{"externalId":"w-7","consents":{"fax":true}}""",
                "consents.fax", "'fax' is not one of Phone, Email, Chat, Sms, Social, SelfService, InApp, Bot, or voice, call, mail, live-chat, web-chat, text, "
                           + "twitter, facebook, web, web-self-service, portal, app, mobile, chatbot (any case; dashes, underscores and spaces are ignored)"),
            ("/api/interactions", """{"externalId":"w-2","customerEmail":"a@example.com","channel":"Chat","startedAt":"2026-05-20T10:00:00Z","talkSeconds":"ten"}""",
                "talkSeconds", "is not a whole number"),
            ("/api/customers", """{"externalId":"w-3","quietHoursStart":"25:00"}""", "quietHoursStart", "is not a time of day (HH:mm)"),
            ("/api/customers", """{"externalId":"w-4","consents":{"Sms":"maybe"}}""", "consents.Sms", "is not true or false"),
        })
        {
            var response = await api.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.True(problem.TryGetProperty("errors", out var errors), problem.ToString());
            Assert.Equal(reason, errors.GetProperty(field)[0].GetString());
            Assert.Equal($"{field}: {reason}", problem.GetProperty("detail").GetString());
        }
        await using var db = database.CreateDb();
        Assert.Equal(0, await db.Interactions.CountAsync(Ct) + await db.Customers.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Context_WithARecentCountOutsideOneTo200_Answers400_NotAnotherCount(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        foreach (var url in new[] { $"/api/customers/{seed.Ada}/context?recent=0", $"/api/customers/{seed.Ada}/context?recent=201",
            "/api/context?email=ada@example.com&recent=-3", "/api/context?email=ada@example.com&recent=1000" })
        {
            var response = await api.GetAsync(url, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url} answered {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("must be between 1 and 200", problem.GetProperty("errors").GetProperty("recent")[0].GetString());
        }
        var one = await api.GetFromJsonAsync<JsonElement>($"/api/customers/{seed.Ada}/context?recent=200", Ct);
        Assert.True(one.GetProperty("recentInteractions").GetArrayLength() > 1);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Ids_GivenAsJsonNumbers_AreTheirDigits_InTheApiAsInTheFiles(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var customer = await api.PostAsync("/api/customers",
            new StringContent("""{"externalId":12345,"name":"Numbered","crmId":987654321012345678}""", Encoding.UTF8, "application/json"), Ct);
        Assert.True(customer.StatusCode == HttpStatusCode.Created, await customer.Content.ReadAsStringAsync(Ct));
        var created = await customer.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("12345", created.GetProperty("externalId").GetString());
        var contact = await api.PostAsync("/api/interactions",
            new StringContent("""{"externalId":777,"customerExternalId":12345,"channel":"chat","startedAt":"2026-03-20T10:00:00Z"}""", Encoding.UTF8, "application/json"), Ct);
        Assert.True(contact.StatusCode == HttpStatusCode.Created, await contact.Content.ReadAsStringAsync(Ct));
        // A boolean is still not an id.
        var wrong = await api.PostAsync("/api/customers", new StringContent("""{"externalId":true}""", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);

        await using var db = database.CreateDb();
        var stored = await db.Customers.Include(c => c.Identities).SingleAsync(Ct);
        Assert.Equal("12345", stored.ExternalId);
        Assert.Contains(stored.Identities, i => i.Value == "987654321012345678");
        var interaction = await db.Interactions.SingleAsync(Ct);
        Assert.Equal(("777", stored.Id), (interaction.ExternalId, interaction.CustomerId));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PostCustomer_TheSameNewProfileSentAtOnce_IsCreatedOnce_AndAnswered201Once(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        for (var round = 0; round < 3; round++)
        {
            var body = $$"""{"externalId":"race-{{round}}","name":"Racer","email":"racer{{round}}@example.com"}""";
            var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
                api.PostAsync("/api/customers", new StringContent(body, Encoding.UTF8, "application/json"), Ct)));
            Assert.Equal([HttpStatusCode.Created, .. Enumerable.Repeat(HttpStatusCode.OK, 5)],
                answers.Select(a => a.StatusCode).OrderBy(c => c == HttpStatusCode.OK));
        }
        await using var db = database.CreateDb();
        Assert.Equal(3, await db.Customers.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task PostCustomer_OtherIdentities_AreKindColonValue_AndABadOneIsA400NamingTheField(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var bad = await api.PostAsJsonAsync("/api/customers", new { externalId = "c-1", otherIdentities = new[] { "fax:0123", "email:nope", "phone:12" } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(["'fax:0123' is not kind:value (email, phone, social or crm)", "'nope' is not an email address", "has too few digits for a phone number"],
            problem.GetProperty("errors").GetProperty("otherIdentities").EnumerateArray().Select(e => e.GetString()));

        var good = await api.PostAsJsonAsync("/api/customers", new { externalId = "c-1", otherIdentities = new[] { "Email: Ada@Home.example", "handle:@ada" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
        var found = await api.GetFromJsonAsync<JsonElement>("/api/customers/lookup?email=ada@home.example", Ct);
        Assert.Equal("c-1", found.GetProperty("externalId").GetString());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/customers/lookup?handle=ada", Ct)).StatusCode);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task InteractionBatch_OneIdTwice_NamesTheFirstByItsIndex_AndSpacesAroundIdsAreNotOtherValues(DatabaseProvider provider)
    {
        // The rejection said "was given on line 0" in a batch whose items have indexes; and " x-1 " against "x-1", stored
        // alike, counted as a contact told two ways.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var response = await api.PostAsync("/api/interactions/batch", new StringContent("""
            [{"externalId":"x-1","customerExternalId":"c-1","channel":"chat","startedAt":"2026-03-20T10:00:00Z","caseExternalId":"k-1"},
             {"externalId":" x-1 ","customerExternalId":" c-1","channel":"chat","startedAt":"2026-03-20T10:00:00Z","caseExternalId":"k-1 "},
             {"externalId":"x-2","customerExternalId":"c-1","channel":"chat","startedAt":"2026-03-20T10:00:00Z","messages":[{"author":"customer","at":"2026-03-20T10:00:00Z","text":"a"}]},
             {"externalId":"x-2","customerExternalId":"c-1","channel":"chat","startedAt":"2026-03-20T10:00:00Z","messages":[{"author":"customer","at":"2026-03-20T10:00:00Z","text":"b"}]}]
            """, Encoding.UTF8, "application/json"), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var result = JsonDocument.Parse(body).RootElement;
        Assert.Equal((2, 1, 1), (result.GetProperty("imported").GetInt32(), result.GetProperty("duplicates").GetInt32(), result.GetProperty("rejected").GetInt32()));
        var rejection = Assert.Single(result.GetProperty("rejections").EnumerateArray());
        Assert.Equal((3, "externalId was given at index 2 with other values; that row is kept"),
            (rejection.GetProperty("index").GetInt32(), rejection.GetProperty("reason").GetString()));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task TextCutToALength_NeverSplitsAnEmoji_NotA500NorAReplacementCharacter(DatabaseProvider provider)
    {
        // A customer named after an email longer than a name, cut inside an emoji's surrogate pair: name folding threw
        // (500, and a CLI import stopped). The context's "customer said", cut there: the answer showed U+FFFD.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        var email = new string('e', 199) + "😀@example.com";
        var said = new string('a', 278) + "😀😀 and the rest";

        var response = await api.PostAsJsonAsync("/api/interactions", new
        {
            externalId = "cut-1", customerEmail = email, channel = "chat", startedAt = "2026-03-20T10:00:00Z",
            messages = new[] { new { author = "customer", text = said } },
        }, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        var context = await api.GetFromJsonAsync<JsonElement>($"/api/context?email={email}", Ct);

        Assert.Equal(new string('e', 199), context.GetProperty("customer").GetProperty("name").GetString());
        Assert.Equal(new string('a', 278) + "…", context.GetProperty("recentInteractions")[0].GetProperty("customerSaid").GetString());
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Interactions_NamingANewAgentInRequestsAtOnce_CreateTheAgentOnce_NotA500(DatabaseProvider provider)
    {
        // Each request looked the agent up, found none and created it: all but the first hit the unique index (500).
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        for (var round = 0; round < 3; round++)
        {
            var requests = Enumerable.Range(0, 8).Select(n =>
            {
                var item = $$"""{"externalId":"g-{{round}}-{{n}}","customerExternalId":"c-{{n}}","channel":"chat","startedAt":"2026-03-20T10:00:00Z","agentExternalId":"agent-{{round}}","agentName":"Agent {{round}}"}""";
                return n % 2 == 0
                    ? api.PostAsync("/api/interactions/batch", new StringContent($"[{item}]", Encoding.UTF8, "application/json"), Ct)
                    : api.PostAsync("/api/interactions", new StringContent(item, Encoding.UTF8, "application/json"), Ct);
            }).ToList();
            foreach (var response in await Task.WhenAll(requests))
            {
                var body = await response.Content.ReadAsStringAsync(Ct);
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created, body);
                Assert.DoesNotContain("\"imported\":0", body, StringComparison.Ordinal);
            }
        }

        await using var db = database.CreateDb();
        Assert.Equal(3, await db.Agents.CountAsync(Ct));
        Assert.Equal(24, await db.Interactions.CountAsync(i => i.AgentId != null, Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task InteractionBatches_CreatingTheSameNewCustomersInOtherOrders_AtOnce_StoreEveryContact_NotA500(DatabaseProvider provider)
    {
        // Two batches creating customers A then B and B then A: on PostgreSQL each waited for the other on the unique index,
        // one was rolled back as a deadlock, and it answered 500 (a unique violation was looked up again; this was not).
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database, WebSeed.Now);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        for (var round = 0; round < 3; round++)
        {
            var requests = Enumerable.Range(0, 4).Select(n =>
            {
                var customers = Enumerable.Range(0, 40).Select(c => $"r{round}-c{c}@example.com");
                var items = (n % 2 == 0 ? customers : customers.Reverse()).Select((email, i) =>
                    new { externalId = $"r{round}-b{n}-{i}", customerEmail = email, channel = "chat", startedAt = "2026-03-20T10:00:00Z" });
                return api.PostAsJsonAsync("/api/interactions/batch", items.ToArray(), Ct);
            }).ToList();
            foreach (var response in await Task.WhenAll(requests))
            {
                var body = await response.Content.ReadAsStringAsync(Ct);
                Assert.True(response.StatusCode == HttpStatusCode.OK, body);
                Assert.Equal(40, JsonDocument.Parse(body).RootElement.GetProperty("imported").GetInt32());
            }
        }

        await using var db = database.CreateDb();
        Assert.Equal(120, await db.Customers.CountAsync(Ct));
        Assert.Equal(480, await db.Interactions.CountAsync(Ct));
    }
}
