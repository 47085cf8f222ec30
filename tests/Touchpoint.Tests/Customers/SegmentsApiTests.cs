using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Touchpoint.Customers;
using Touchpoint.Server.Customers;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Customers;

/// <summary>
/// The segments endpoints through the real ASP.NET Core pipeline (routing, binding, JSON, problem details) over a real database.
/// </summary>
public sealed class SegmentsApiTests
{
    private static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The real server over the test database, with a client signed in by a manager's API key.</summary>
    private sealed class SegmentsHost(ServerHost server, HttpClient client) : IAsyncDisposable
    {
        public HttpClient Client { get; } = client;

        public static async Task<SegmentsHost> StartAsync(TestDatabase database)
        {
            var server = new ServerHost(database, new DateTimeOffset(Now));
            return new SegmentsHost(server, server.WithApiKey(await server.IssueApiKeyAsync()));
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await server.DisposeAsync();
        }
    }

    private static async Task SeedAsync(TestDatabase database)
    {
        await using var db = database.CreateDb();
        for (var i = 0; i < 7; i++)
        {
            db.Customers.Add(new Customer
            {
                ExternalId = $"c{i}", Name = $"Customer {i}", Plan = i % 2 == 0 ? "premium" : "basic",
                CustomerSince = Now.AddDays(-10 * i), CreatedAt = Now, UpdatedAt = Now,
            });
        }
        await db.SaveChangesAsync(Ct);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, JsonSerializerOptions.Web)!;
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Segments_CreateReadUpdateListMembersDelete(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await SeedAsync(database);
        await using var host = await SegmentsHost.StartAsync(database);
        var client = host.Client;

        var created = await client.PostAsJsonAsync("/api/segments",
            new SegmentRequest("Premium", "segment", "plan = \"premium\"", "Top plan"), Ct);
        var segment = await ReadAsync<SegmentDto>(created, HttpStatusCode.Created);
        Assert.Equal($"/api/segments/{segment.Id}", created.Headers.Location?.OriginalString);
        Assert.Equal(("Premium", "segment", "plan = \"premium\""), (segment.Name, segment.Kind, segment.Rule));

        var page = await ReadAsync<SegmentMembersPage>(await client.GetAsync($"/api/segments/{segment.Id}/customers?page=2&pageSize=3", Ct), HttpStatusCode.OK);
        Assert.Equal(4, page.Total);
        Assert.Equal(["Customer 6"], page.Items.Select(c => c.Name));

        var updated = await client.PutAsJsonAsync($"/api/segments/{segment.Id}",
            new SegmentRequest("Premium newcomers", "persona", "plan = \"premium\" and tenure_days < 25", null), Ct);
        Assert.Equal("persona", (await ReadAsync<SegmentDto>(updated, HttpStatusCode.OK)).Kind);
        page = await ReadAsync<SegmentMembersPage>(await client.GetAsync($"/api/segments/{segment.Id}/customers", Ct), HttpStatusCode.OK);
        Assert.Equal(["Customer 0", "Customer 2"], page.Items.Select(c => c.Name));

        var list = await ReadAsync<List<SegmentDto>>(await client.GetAsync("/api/segments?kind=persona", Ct), HttpStatusCode.OK);
        Assert.Equal(["Premium newcomers"], list.Select(s => s.Name));
        Assert.Empty(await ReadAsync<List<SegmentDto>>(await client.GetAsync("/api/segments?kind=segment", Ct), HttpStatusCode.OK));

        var fields = await ReadAsync<List<SegmentFieldDto>>(await client.GetAsync("/api/segments/fields", Ct), HttpStatusCode.OK);
        Assert.Equal(["has"], fields.Single(f => f.Name == "products").Operators);
        Assert.Equal("wholenumber", fields.Single(f => f.Name == "tenure_days").Type);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/segments/{segment.Id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/segments/{segment.Id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/segments/{segment.Id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/segments/{segment.Id}/customers", Ct)).StatusCode);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Put_WithoutKind_KeepsTheKind_AndOneNameSavedAtOnceByMany_IsOne201AndTheRestNameTaken(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = await SegmentsHost.StartAsync(database);
        var client = host.Client;
        var persona = await ReadAsync<SegmentDto>(await client.PostAsJsonAsync("/api/segments",
            new SegmentRequest("Callers", "persona", "preferred_channel = \"phone\"", null), Ct), HttpStatusCode.Created);

        // A PUT that leaves kind out made the persona a segment.
        var updated = await client.PutAsJsonAsync($"/api/segments/{persona.Id}", new { name = "Callers", rule = "preferred_channel = \"phone\" or age >= 70" }, Ct);
        Assert.Equal("persona", (await ReadAsync<SegmentDto>(updated, HttpStatusCode.OK)).Kind);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync("/api/segments/999999", new { name = "X", rule = "age > 1" }, Ct)).StatusCode);

        // Saved at once, a name could pass every request's check and the unique index failed the rest with a 500.
        for (var round = 0; round < 3; round++)
        {
            var posts = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
                client.PostAsJsonAsync("/api/segments", new SegmentRequest($"Same {round}", "segment", "age > 1", null), Ct)));
            Assert.Equal(1, posts.Count(p => p.StatusCode == HttpStatusCode.Created));
            foreach (var refused in posts.Where(p => p.StatusCode != HttpStatusCode.Created))
            {
                var problem = await ReadAsync<JsonElement>(refused, HttpStatusCode.BadRequest);
                Assert.StartsWith($"'Same {round}' is already used", problem.GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);
            }
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Validate_GoodRule_CountsMembers_BadRule_IsProblemWithColumn(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await SeedAsync(database);
        await using var host = await SegmentsHost.StartAsync(database);

        var good = await host.Client.PostAsJsonAsync("/api/segments/validate", new RuleCheckRequest("plan = \"basic\" and tenure_days >= 30"), Ct);
        Assert.Equal(2, (await ReadAsync<RuleCheckDto>(good, HttpStatusCode.OK)).Members);

        var bad = await host.Client.PostAsJsonAsync("/api/segments/validate", new RuleCheckRequest("plan = \"basic\" and tenure_days >= "), Ct);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var problem = await ReadAsync<JsonElement>(bad, HttpStatusCode.BadRequest);
        Assert.Equal(35, problem.GetProperty("column").GetInt32());
        Assert.Equal("Expected a value after '>=' at column 35", problem.GetProperty("errors").GetProperty("rule")[0].GetString());
        Assert.Equal(35, problem.GetProperty("ruleErrors")[0].GetProperty("column").GetInt32());

        // A rule on several lines: the column is within the line the error is on, and the line is named.
        var lines = await ReadAsync<JsonElement>(
            await host.Client.PostAsJsonAsync("/api/segments/validate", new RuleCheckRequest("plan = \"basic\" and\n  tenure_days >= "), Ct), HttpStatusCode.BadRequest);
        Assert.Equal((2, 18), (lines.GetProperty("line").GetInt32(), lines.GetProperty("column").GetInt32()));
        Assert.Equal("Line 2: Expected a value after '>=' at column 18", lines.GetProperty("errors").GetProperty("rule")[0].GetString());
        Assert.Equal(2, lines.GetProperty("ruleErrors")[0].GetProperty("line").GetInt32());
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Create_BadRuleOrKindOrDuplicateName_Is400WithFieldAndReason(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = await SegmentsHost.StartAsync(database);
        var client = host.Client;

        var badRule = await ReadAsync<JsonElement>(
            await client.PostAsJsonAsync("/api/segments", new SegmentRequest("X", null, "plann = \"premium\"", null), Ct), HttpStatusCode.BadRequest);
        Assert.Equal("Unknown field 'plann' at column 1; did you mean 'plan'?", badRule.GetProperty("errors").GetProperty("rule")[0].GetString());
        Assert.Equal(1, badRule.GetProperty("column").GetInt32());

        var badKind = await ReadAsync<JsonElement>(
            await client.PostAsJsonAsync("/api/segments", new SegmentRequest("X", "cohort", "age > 1", null), Ct), HttpStatusCode.BadRequest);
        Assert.Equal("'cohort' is not a kind; use segment or persona", badKind.GetProperty("errors").GetProperty("kind")[0].GetString());

        await ReadAsync<SegmentDto>(await client.PostAsJsonAsync("/api/segments", new SegmentRequest("X", null, "age > 1", null), Ct), HttpStatusCode.Created);
        var duplicate = await ReadAsync<JsonElement>(
            await client.PostAsJsonAsync("/api/segments", new SegmentRequest("X", null, "age > 2", null), Ct), HttpStatusCode.BadRequest);
        Assert.Equal("'X' is already used by another segment or persona", duplicate.GetProperty("errors").GetProperty("name")[0].GetString());
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Segments_WithoutSignIn_Is401(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = await SegmentsHost.StartAsync(database);
        host.Client.DefaultRequestHeaders.Remove("X-Api-Key");

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/api/segments", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.PostAsJsonAsync("/api/segments/validate", new RuleCheckRequest("age > 1"), Ct)).StatusCode);
    }
}
