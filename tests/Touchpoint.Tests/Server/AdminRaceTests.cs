using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Touchpoint.Platform;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Server;

/// <summary>Two administrators on two nodes taking each other's access at the same moment.</summary>
public sealed class AdminRaceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task TwoAdmins_DemotingOrDeactivatingEachOther_OnTwoNodesAtOnce_LeaveOneAdmin(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var nodeA = new ServerHost(database);
        await using var nodeB = new ServerHost(database);
        const string password = "a long passphrase for tests";
        for (var round = 0; round < 8; round++)
        {
            // Exactly two active administrators, each signed in on another node.
            var (x, y) = ($"x{round}@example.com", $"y{round}@example.com");
            long xId, yId;
            using (var scope = nodeA.Services.CreateScope())
            {
                var accounts = scope.ServiceProvider.GetRequiredService<Accounts>();
                xId = (await accounts.CreateUserAsync(x, "X", Role.Admin, password, Ct)).User.Id;
                yId = (await accounts.CreateUserAsync(y, "Y", Role.Admin, password, Ct)).User.Id;
            }
            await using (var db = database.CreateDb())
            {
                await db.Users.Where(u => u.Role == Role.Admin && u.Id != xId && u.Id != yId)
                    .ExecuteUpdateAsync(s => s.SetProperty(u => u.Role, Role.Agent), Ct);
            }
            using var onA = nodeA.Browser();
            using var onB = nodeB.Browser();
            Assert.Equal(HttpStatusCode.Redirect, (await ServerHost.LogInAsync(onA, x, password)).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await ServerHost.LogInAsync(onB, y, password)).StatusCode);

            var demoteY = onA.PutAsJsonAsync($"/api/admin/users/{yId}/role", new { role = "Agent" }, Ct);
            var removeX = round % 2 == 0
                ? onB.PutAsJsonAsync($"/api/admin/users/{xId}/role", new { role = "Agent" }, Ct)
                : onB.DeleteAsync($"/api/admin/users/{xId}", Ct);
            var answers = await Task.WhenAll(demoteY, removeX);

            await using (var db = database.CreateDb())
            {
                var admins = await db.Users.CountAsync(u => u.Role == Role.Admin && u.DeactivatedAt == null, Ct);
                Assert.True(admins == 1, $"round {round}: {admins} active administrators left; answers {answers[0].StatusCode}, {answers[1].StatusCode}");
            }
            // One of the two was refused as the last administrator (or, signed out by the other's change, not let in).
            Assert.Contains(answers, a => a.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized);
        }
    }
}
