using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Server;

/// <summary>
/// Fields a body must give: left out, they are refused by name, never stored as the enum's first value or a zero
/// (a contact left without a channel was a phone call; a score without a kind or value an NPS 0, a detractor).
/// </summary>
public sealed class ApiRequiredFieldsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Interaction_WithoutAChannel_Answers400NamingChannel_AndStoresNothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        foreach (var (url, json, field) in new[]
        {
            ("/api/interactions", """{"externalId":"nc-1","customerEmail":"a@example.com","startedAt":"2026-05-20T10:00:00Z"}""", "channel"),
            ("/api/interactions/batch", """[{"externalId":"nc-2","customerEmail":"a@example.com","channel":"chat","startedAt":"2026-05-20T10:00:00Z"},{"externalId":"nc-3","customerEmail":"a@example.com","startedAt":"2026-05-20T10:00:00Z"}]""", "[1].channel"),
        })
        {
            var response = await api.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"), Ct);
            await AssertRequiredAsync(response, field);
        }
        await using var db = database.CreateDb();
        Assert.Equal(0, await db.Interactions.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Feedback_WithoutAKindOrAScore_Answers400NamingThem_NotAnNpsZero(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        foreach (var (json, field) in new[]
        {
            ("""[{"externalId":"fb-1","customerEmail":"a@example.com","score":9,"respondedAt":"2026-05-20T10:00:00Z"}]""", "[0].kind"),
            ("""[{"externalId":"fb-2","customerEmail":"a@example.com","kind":"nps","respondedAt":"2026-05-20T10:00:00Z"}]""", "[0].score"),
        })
        {
            var response = await api.PostAsync("/api/feedback/batch", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
            await AssertRequiredAsync(response, field);
        }
        await using var db = database.CreateDb();
        Assert.Equal(0, await db.Feedback.CountAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Body_WithoutItsExternalId_AnswersAProblemNamingTheField_NotADotNetType(DatabaseProvider provider)
    {
        // Said "JSON deserialization for type 'Touchpoint.Interactions.InteractionInput' was missing required properties", with no errors member.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        var response = await api.PostAsync("/api/interactions",
            new StringContent("""{"customerEmail":"a@example.com","channel":"chat","startedAt":"2026-05-20T10:00:00Z"}""", Encoding.UTF8, "application/json"), Ct);

        await AssertRequiredAsync(response, "externalId");
    }

    private static async Task AssertRequiredAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.True(problem.TryGetProperty("errors", out var errors), body);
        Assert.Equal("is required", errors.GetProperty(field)[0].GetString());
        Assert.DoesNotContain("Touchpoint.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}

/// <summary>Times in a body are instants: one with an offset is the same instant whatever the server's time zone.</summary>
public sealed class ApiTimeZoneTests
{
    [Fact]
    public async Task TimesWithAnOffset_AreReadAsUtc_NotAsTheServersLocalTime()
    {
        // System.Text.Json reads "…+00:00" as DateTimeKind.Local in the server's zone and "…Z" as Utc; compared as DateTime the two
        // ignore their kinds, so on a server in India a contact from 10:00+00:00 to 10:30Z "ended before it started" (and one
        // that did end before could pass).
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = new ServerHost(database);
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;

        var input = JsonSerializer.Deserialize<Touchpoint.Interactions.InteractionInput>(
            """{"externalId":"tz-1","customerEmail":"a@example.com","channel":"phone","startedAt":"2026-03-01T10:00:00+05:30","endedAt":"2026-03-01T05:00:00Z","messages":[{"author":"agent","at":"2026-03-01T06:00:00+01:00","text":"hi"}]}""",
            options)!;
        var feedback = JsonSerializer.Deserialize<Touchpoint.Feedback.FeedbackInput>(
            """{"externalId":"f-1","customerEmail":"a@example.com","kind":"nps","score":9,"respondedAt":"2026-03-01T10:00:00-02:00"}""", options)!;
        var customer = JsonSerializer.Deserialize<Touchpoint.Customers.CustomerInput>("""{"externalId":"c-1","customerSince":"2020-01-01T00:00:00+01:00"}""", options)!;
        var naive = JsonSerializer.Deserialize<Touchpoint.Interactions.InteractionInput>(
            """{"externalId":"tz-2","customerEmail":"a@example.com","channel":"phone","startedAt":"2026-03-01T10:00:00"}""", options)!;

        Assert.Equal([DateTimeKind.Utc, DateTimeKind.Utc, DateTimeKind.Utc, DateTimeKind.Utc, DateTimeKind.Utc, DateTimeKind.Utc],
            [input.StartedAt.Kind, input.EndedAt!.Value.Kind, input.Messages[0].At.Kind, feedback.RespondedAt.Kind, customer.CustomerSince!.Value.Kind, naive.StartedAt.Kind]);
        Assert.Equal([new DateTime(2026, 3, 1, 4, 30, 0), new DateTime(2026, 3, 1, 5, 0, 0), new DateTime(2026, 3, 1, 5, 0, 0),
                new DateTime(2026, 3, 1, 12, 0, 0), new DateTime(2019, 12, 31, 23, 0, 0), new DateTime(2026, 3, 1, 10, 0, 0)],
            [input.StartedAt, input.EndedAt.Value, input.Messages[0].At, feedback.RespondedAt, customer.CustomerSince.Value, naive.StartedAt]);
        Assert.Empty(input.Validate(new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc)));
    }
}

/// <summary>A body of the wrong shape: said in words, not with the .NET type it could not become.</summary>
public sealed class ApiBodyShapeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task ABodyOfTheWrongShape_OrAFieldOfTheWrongKind_IsSaidInWords(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());

        foreach (var (url, json, detail) in new[]
        {
            ("/api/interactions", "[]", "The body must be a JSON object (see /openapi/v1.json)."),
            ("/api/customers", "\"text\"", "The body must be a JSON object (see /openapi/v1.json)."),
            ("/api/customers/batch", """{"externalId":"c-1"}""", "The body must be a JSON array of items (see /openapi/v1.json)."),
            // A record's constructor parameter: the serializer names the record, and this said "is not an object".
            ("/api/customers/1/merge", """{"mergeCustomerId":true}""", "mergeCustomerId: is not a whole number"),
        })
        {
            var response = await api.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"), Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {body}");
            Assert.Equal(detail, JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
        }
    }
}

/// <summary>Ids are compared as stored: trimmed, as every external id is on the way in.</summary>
public sealed class FeedbackLinkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Feedback_NamingItsContactWithSpacesAround_IsLinkedToIt(DatabaseProvider provider)
    {
        // The contact was stored as "i-1" (ids are trimmed), the score looked for " i-1 " and was stored without a link.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync());
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/interactions", new StringContent(
            """{"externalId":" i-1 ","customerEmail":"ann@example.com","channel":"email","startedAt":"2026-05-20T10:00:00Z"}""", Encoding.UTF8, "application/json"), Ct)).StatusCode);

        var response = await api.PostAsync("/api/feedback/batch", new StringContent(
            """[{"externalId":"f-1","customerEmail":"ann@example.com","interactionExternalId":" i-1 ","kind":"csat","score":5,"respondedAt":"2026-05-20T11:00:00Z"}]""",
            Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = database.CreateDb();
        var contact = await db.Interactions.SingleAsync(Ct);
        Assert.Equal("i-1", contact.ExternalId);
        Assert.Equal(contact.Id, (await db.Feedback.SingleAsync(Ct)).InteractionId);
    }
}
