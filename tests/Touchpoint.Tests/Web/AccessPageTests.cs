using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Web;

/// <summary>The administrators' page for users and API keys, through the real forms.</summary>
public sealed partial class AccessPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Admin_IssuesAKeyThatWorks_RevokesIt_AndAddsAUserWhoIsNotAnAdmin(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var admin = await host.SignedInClientAsync();

        var issued = await ServerHost.PostFormAsync(admin, "/admin/access?handler=Key", new() { ["name"] = "crm sync", ["role"] = "Manager" });
        var secret = SecretValue().Match(issued).Groups[1].Value;
        Assert.StartsWith("tp_", secret, StringComparison.Ordinal);
        using var api = host.WithApiKey(secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/customers?q=nobody", Ct)).StatusCode);

        var keyId = RevokeForm().Match(issued).Groups[1].Value;
        await ServerHost.PostFormAsync(admin, $"/admin/access?id={keyId}&handler=Revoke", [], expect: HttpStatusCode.Redirect);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/customers?q=nobody", Ct)).StatusCode);
        Assert.DoesNotContain(secret, await admin.GetStringAsync("/admin/access", Ct), StringComparison.Ordinal);

        var added = await ServerHost.PostFormAsync(admin, "/admin/access?handler=User",
            new() { ["email"] = "agent.smith@example.com", ["name"] = "Agent Smith", ["role"] = "Agent" });
        var password = WebUtility.HtmlDecode(SecretValue().Match(added).Groups[1].Value);
        Assert.Equal(20, password.Length);
        Assert.Contains("data-user=\"agent.smith@example.com\"", added, StringComparison.Ordinal);
        var again = await ServerHost.PostFormAsync(admin, "/admin/access?handler=User",
            new() { ["email"] = "Agent.Smith@example.com", ["name"] = "Twin", ["role"] = "Agent" });
        Assert.Contains("id=\"access-error\"", again, StringComparison.Ordinal);

        using var agent = host.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await ServerHost.LogInAsync(agent, "agent.smith@example.com", password)).StatusCode);
        var home = await agent.GetStringAsync("/customers", Ct);
        Assert.DoesNotContain("href=\"/admin/access\"", home, StringComparison.Ordinal);
        var denied = await agent.GetAsync("/admin/access", Ct);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Equal("/denied", denied.Headers.Location?.AbsolutePath);
        // The page says who is signed in with which role, and leads somewhere (it was a dead end).
        var deniedPage = await agent.GetStringAsync(denied.Headers.Location, Ct);
        Assert.Contains("id=\"denied-role\">You are signed in as agent.smith@example.com (Agent).", deniedPage, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/\">Go to the start page</a>", deniedPage, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Admin_SeesALockedAccount_AndUnlocksIt_OnThePageAndThroughTheApi(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var admin = await host.SignedInClientAsync();
        var added = await ServerHost.PostFormAsync(admin, "/admin/access?handler=User",
            new() { ["email"] = "sam@example.com", ["name"] = "Sam", ["role"] = "Agent" });
        var password = WebUtility.HtmlDecode(SecretValue().Match(added).Groups[1].Value);
        long sam;
        await using (var db = database.CreateDb())
        {
            sam = await db.Users.Where(u => u.Email == "sam@example.com").Select(u => u.Id).SingleAsync(Ct);
        }
        async Task LockAsync()
        {
            using var guesser = host.Browser();
            for (var n = 0; n < Touchpoint.Platform.Accounts.LockoutThreshold; n++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await ServerHost.LogInAsync(guesser, "sam@example.com", $"guess {n}")).StatusCode);
            }
        }
        async Task<HttpStatusCode> SamSignsInAsync()
        {
            using var browser = host.Browser();
            return (await ServerHost.LogInAsync(browser, "sam@example.com", password)).StatusCode;
        }
        var unlockForm = $"action=\"/admin/access?id={sam}&amp;handler=Unlock\"";

        Assert.DoesNotContain(unlockForm, await admin.GetStringAsync("/admin/access", Ct), StringComparison.Ordinal);
        await LockAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await SamSignsInAsync());
        var page = await admin.GetStringAsync("/admin/access", Ct);
        Assert.Contains("class=\"tag warn locked\">locked until <time", page, StringComparison.Ordinal);
        Assert.Contains(unlockForm, page, StringComparison.Ordinal);
        await ServerHost.PostFormAsync(admin, $"/admin/access?id={sam}&handler=Unlock", [], expect: HttpStatusCode.Redirect);
        Assert.Equal(HttpStatusCode.Redirect, await SamSignsInAsync());

        // The API: the list says until when, and unlock lifts it; the password is the one Sam had. (Locked through the
        // accounts this time: the login's per-address limit of 20 a minute would answer 429 first.)
        await using (var db = database.CreateDb())
        {
            var accounts = new Touchpoint.Platform.Accounts(db, host.Clock);
            for (var n = 0; n < Touchpoint.Platform.Accounts.LockoutThreshold; n++)
            {
                Assert.Null(await accounts.VerifyPasswordAsync("sam@example.com", $"guess {n}", Ct));
            }
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await SamSignsInAsync());
        var users = await admin.GetFromJsonAsync<JsonElement>("/api/admin/users", Ct);
        var listed = users.EnumerateArray().Single(u => u.GetProperty("email").GetString() == "sam@example.com");
        Assert.Equal(host.Clock.GetUtcNow().UtcDateTime + Touchpoint.Platform.Accounts.LockoutDuration, listed.GetProperty("lockedUntil").GetDateTime());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/admin/users/{sam}/unlock", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, await SamSignsInAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/admin/users/424242/unlock", null, Ct)).StatusCode);
        await using (var db = database.CreateDb())
        {
            Assert.Equal(2, await db.AuditLog.CountAsync(a => a.Action == "user.unlocked" && a.Target == "sam@example.com" && a.Actor == ServerHost.AdminEmail, Ct));
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task AnyoneSignedIn_ChangesTheirPassword_OnlyWithTheCurrentOne(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var admin = await host.SignedInClientAsync();
        using var otherDevice = await host.SignedInClientAsync();
        const string next = "a much longer new passphrase";

        var wrong = await ServerHost.PostFormAsync(admin, "/account/password",
            new() { ["current"] = "not it", ["password"] = next, ["confirm"] = next }, HttpStatusCode.BadRequest);
        Assert.Contains("id=\"password-error\"", wrong, StringComparison.Ordinal);
        var mismatch = await ServerHost.PostFormAsync(admin, "/account/password",
            new() { ["current"] = ServerHost.AdminPassword, ["password"] = next, ["confirm"] = next + "!" }, HttpStatusCode.BadRequest);
        Assert.Contains("id=\"password-error\"", mismatch, StringComparison.Ordinal);
        var changed = await ServerHost.PostFormAsync(admin, "/account/password",
            new() { ["current"] = ServerHost.AdminPassword, ["password"] = next, ["confirm"] = next });
        Assert.Contains("id=\"password-changed\"", changed, StringComparison.Ordinal);
        // The session that changed it goes on; the other device's session ends.
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/customers", Ct)).StatusCode);
        var ended = await otherDevice.GetAsync("/customers", Ct);
        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        Assert.Equal("/login", ended.Headers.Location?.AbsolutePath);

        using var fresh = host.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await ServerHost.LogInAsync(fresh)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await ServerHost.LogInAsync(fresh, password: next)).StatusCode);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Admin_SeesWhatToDoWhenThereAreNoKeys_AndEveryColumnHasAHeader(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WebSeed.CreateAsync(database);
        await using var host = new ServerHost(database);
        using var admin = await host.SignedInClientAsync();

        // No keys yet: a sentence instead of a bare header row.
        var page = await admin.GetStringAsync("/admin/access", Ct);
        Assert.Contains("id=\"no-keys\"", page, StringComparison.Ordinal);
        // The API description is linked where keys are issued (the start page that linked it goes to the customer list now).
        Assert.Contains("href=\"/openapi/v1.json\"", page, StringComparison.Ordinal);
        var issued = await ServerHost.PostFormAsync(admin, "/admin/access?handler=Key", new() { ["name"] = "crm sync", ["role"] = "Manager" });
        Assert.DoesNotContain("id=\"no-keys\"", issued, StringComparison.Ordinal);

        // A screen reader names every column, the ones holding buttons too.
        foreach (var url in new[] { "/admin/access", "/segments" })
        {
            var html = await admin.GetStringAsync(url, Ct);
            Assert.DoesNotMatch(EmptyHeader(), html);
        }
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Admin_ChangesAUsersRole_ResetsTheirPassword_DeactivatesAndReactivatesThem_ButNeverTheLastAdmin(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var admin = await host.SignedInClientAsync();
        var added = await ServerHost.PostFormAsync(admin, "/admin/access?handler=User",
            new() { ["email"] = "sam@example.com", ["name"] = "Sam", ["role"] = "Agent" });
        var password = WebUtility.HtmlDecode(SecretValue().Match(added).Groups[1].Value);
        var sam = UserId(added, "Role", "sam@example.com");
        var me = UserId(added, "Role", ServerHost.AdminEmail);
        using var samBrowser = host.Browser();
        await ServerHost.LogInAsync(samBrowser, "sam@example.com", password);
        Assert.Equal(HttpStatusCode.Redirect, (await samBrowser.GetAsync("/admin/access", Ct)).StatusCode);

        // Sam becomes a manager: the session Sam had ends (its role is stale); signing in again gives the new role.
        await ServerHost.PostFormAsync(admin, $"/admin/access?id={sam}&handler=Role", new() { ["role"] = "Manager" }, expect: HttpStatusCode.Redirect);
        Assert.Equal("/login", (await samBrowser.GetAsync("/customers", Ct)).Headers.Location?.AbsolutePath);
        await ServerHost.LogInAsync(samBrowser, "sam@example.com", password);
        Assert.Equal(HttpStatusCode.OK, (await samBrowser.GetAsync("/segments", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await samBrowser.GetAsync("/api/customers/export", Ct)).StatusCode); // managers only

        // A new password, shown once: the old one stops working.
        var reset = await ServerHost.PostFormAsync(admin, $"/admin/access?id={sam}&handler=Reset", []);
        var newPassword = WebUtility.HtmlDecode(SecretValue().Match(reset).Groups[1].Value);
        Assert.NotEqual(password, newPassword);
        using var other = host.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await ServerHost.LogInAsync(other, "sam@example.com", password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await ServerHost.LogInAsync(other, "sam@example.com", newPassword)).StatusCode);

        // The only administrator cannot stop being one, nor be deactivated.
        var demoted = await ServerHost.PostFormAsync(admin, $"/admin/access?id={me}&handler=Role", new() { ["role"] = "Agent" });
        Assert.Contains("That is the last administrator", demoted, StringComparison.Ordinal);
        var deactivatedMe = await ServerHost.PostFormAsync(admin, $"/admin/access?id={me}&handler=Deactivate", []);
        Assert.Contains("That is the last administrator", deactivatedMe, StringComparison.Ordinal);

        // Deactivated: Sam's sessions end and the password no longer signs in; Sam stays in the list, marked, to be reactivated.
        await ServerHost.PostFormAsync(admin, $"/admin/access?id={sam}&handler=Deactivate", [], expect: HttpStatusCode.Redirect);
        Assert.Equal("/login", (await other.GetAsync("/customers", Ct)).Headers.Location?.AbsolutePath);
        using var late = host.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await ServerHost.LogInAsync(late, "sam@example.com", newPassword)).StatusCode);
        var list = await admin.GetStringAsync("/admin/access", Ct);
        Assert.Matches("<tr data-user=\"sam@example.com\" class=\"deactivated\">.*?deactivated .*?handler=Reactivate", list.Replace("\n", " ", StringComparison.Ordinal));
        Assert.Equal(sam, UserId(list, "Reactivate", "sam@example.com"));
        var again = await ServerHost.PostFormAsync(admin, "/admin/access?handler=User", new() { ["email"] = "sam@example.com", ["name"] = "Sam", ["role"] = "Agent" });
        Assert.Contains("A deactivated user has this email", again, StringComparison.Ordinal);

        // Reactivated: the same password and role as before.
        await ServerHost.PostFormAsync(admin, $"/admin/access?id={sam}&handler=Reactivate", [], expect: HttpStatusCode.Redirect);
        Assert.Equal(HttpStatusCode.Redirect, (await ServerHost.LogInAsync(late, "sam@example.com", newPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await late.GetAsync("/segments", Ct)).StatusCode);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task AdminApi_ChangesRoles_ResetsPasswords_DeactivatesAndReactivatesUsers_ButNeverTheLastAdmin(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var api = host.WithApiKey(await host.IssueApiKeyAsync("Admin"));
        var created = await (await api.PostAsJsonAsync("/api/admin/users", new { email = "kim@example.com", name = "Kim", role = "Evaluator" }, Ct))
            .Content.ReadFromJsonAsync<JsonElement>(Ct);
        var kim = created.GetProperty("user").GetProperty("id").GetInt64();
        var users = await api.GetFromJsonAsync<JsonElement>("/api/admin/users", Ct);
        var adminId = users.EnumerateArray().Single(u => u.GetProperty("email").GetString() == ServerHost.AdminEmail).GetProperty("id").GetInt64();

        Assert.Equal(HttpStatusCode.NoContent, (await api.PutAsJsonAsync($"/api/admin/users/{kim}/role", new { role = "Manager" }, Ct)).StatusCode);
        var reset = await (await api.PostAsync($"/api/admin/users/{kim}/password", null, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var lastAdmin = await api.PutAsJsonAsync($"/api/admin/users/{adminId}/role", new { role = "Agent" }, Ct);
        var removeLast = await api.DeleteAsync($"/api/admin/users/{adminId}", Ct);
        var removed = await api.DeleteAsync($"/api/admin/users/{kim}", Ct);
        var removedAgain = await api.DeleteAsync($"/api/admin/users/{kim}", Ct);
        var nobody = await api.DeleteAsync($"/api/admin/users/{kim + 1000}", Ct);
        var listed = (await api.GetFromJsonAsync<JsonElement>("/api/admin/users", Ct)).EnumerateArray().Single(u => u.GetProperty("id").GetInt64() == kim);
        var recreate = await api.PostAsJsonAsync("/api/admin/users", new { email = "kim@example.com", name = "Kim", role = "Agent" }, Ct);
        var reactivated = await api.PostAsync($"/api/admin/users/{kim}/reactivate", null, Ct);
        var relisted = (await api.GetFromJsonAsync<JsonElement>("/api/admin/users", Ct)).EnumerateArray().Single(u => u.GetProperty("id").GetInt64() == kim);

        Assert.Equal(20, reset.GetProperty("password").GetString()!.Length);
        Assert.Equal(HttpStatusCode.BadRequest, lastAdmin.StatusCode);
        Assert.Contains("last administrator", await lastAdmin.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, removeLast.StatusCode);
        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.NotFound), (removed.StatusCode, removedAgain.StatusCode, nobody.StatusCode));
        Assert.Equal(JsonValueKind.String, listed.GetProperty("deactivatedAt").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, recreate.StatusCode);
        Assert.Contains($"reactivate them with POST /api/admin/users/{kim}/reactivate", await recreate.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, reactivated.StatusCode);
        Assert.Equal(JsonValueKind.Null, relisted.GetProperty("deactivatedAt").ValueKind);
        Assert.Equal("Manager", relisted.GetProperty("role").GetString());
        await using var db = database.CreateDb();
        Assert.Equal(["user.created", "user.role_changed", "user.password_reset", "user.deactivated", "user.reactivated"],
            await db.AuditLog.Where(a => a.Target == "kim@example.com").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task AuditLog_ShowsAdministratorsWhoDidWhat_NewestFirst_Filtered_AndPagedWithoutRepeats(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var admin = await host.SignedInClientAsync();
        foreach (var name in new[] { "ana", "ben", "cy" })
        {
            await ServerHost.PostFormAsync(admin, "/admin/access?handler=User", new() { ["email"] = $"{name}@example.com", ["name"] = name, ["role"] = "Agent" });
        }
        await ServerHost.PostFormAsync(admin, "/admin/access?handler=Key", new() { ["name"] = "crm sync", ["role"] = "Manager" });

        var page = await admin.GetStringAsync("/admin/audit", Ct);
        var actions = Regex.Matches(page, "<tr data-action=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["api_key.issued", "user.created", "user.created", "user.created"], actions.Take(4));
        Assert.Contains(ServerHost.AdminEmail, page, StringComparison.Ordinal);
        var users = await admin.GetStringAsync("/admin/audit?action=user.", Ct);
        Assert.DoesNotContain("api_key.issued", users, StringComparison.Ordinal);
        Assert.Contains("cy@example.com", (await admin.GetStringAsync("/admin/audit?target=cy%40example.com", Ct)), StringComparison.Ordinal);
        Assert.DoesNotContain("ana@example.com", (await admin.GetStringAsync("/admin/audit?target=cy%40example.com", Ct)), StringComparison.Ordinal);

        // Through the API, two at a time: every user.created entry once, newest first, then no further page.
        using var api = host.WithApiKey(await host.IssueApiKeyAsync("Admin"));
        var seen = new List<string>();
        string? next = null;
        do
        {
            var chunk = await api.GetFromJsonAsync<JsonElement>($"/api/admin/audit?action=user.created&take=2{(next is null ? "" : "&before=" + next)}", Ct);
            seen.AddRange(chunk.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("target").GetString()!));
            next = chunk.GetProperty("nextBefore").ValueKind == JsonValueKind.Null ? null : chunk.GetProperty("nextBefore").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        while (next is not null);
        Assert.Equal(["cy@example.com", "ben@example.com", "ana@example.com", ServerHost.AdminEmail], seen);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/admin/audit?take=0", Ct)).StatusCode);

        // Only administrators read it.
        using var manager = host.WithApiKey(await host.IssueApiKeyAsync("Manager"));
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync("/api/admin/audit", Ct)).StatusCode);
        using var agent = await host.SignedInAsAsync(Touchpoint.Platform.Role.Agent);
        Assert.NotEqual(HttpStatusCode.OK, (await agent.GetAsync("/admin/audit", Ct)).StatusCode);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task AuditLog_FilterWithANulCharacter_IsRefusedByTheApi_AndFindsNothingOnThePage(DatabaseProvider provider)
    {
        // PostgreSQL cannot compare text holding a NUL: the query failed and both answered 500.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = new ServerHost(database);
        using var admin = await host.SignedInClientAsync();
        foreach (var filter in new[] { "actor", "action", "target" })
        {
            var api = await admin.GetAsync($"/api/admin/audit?{filter}=a%00b", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
            var problem = await api.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("contains a NUL character", problem.GetProperty("errors").GetProperty(filter)[0].GetString());

            var page = await admin.GetAsync($"/admin/audit?{filter}=a%00b", Ct);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.DoesNotContain("<tr data-action=", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    private static string UserId(string page, string handler, string email) =>
        Regex.Match(page, $"<tr data-user=\"{Regex.Escape(email)}\"[^>]*>.*?action=\"/admin/access\\?id=(\\d+)&amp;handler={handler}\"", RegexOptions.Singleline).Groups[1].Value;

    [GeneratedRegex("<th[^>]*>\\s*</th>")]
    private static partial Regex EmptyHeader();

    [GeneratedRegex("<code id=\"secret-value\">([^<]+)</code>")]
    private static partial Regex SecretValue();

    [GeneratedRegex("action=\"/admin/access\\?id=(\\d+)&amp;handler=Revoke\"")]
    private static partial Regex RevokeForm();
}
