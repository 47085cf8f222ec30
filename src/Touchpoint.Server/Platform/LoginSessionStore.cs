using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Platform;
using Touchpoint.Storage;

namespace Touchpoint.Server.Platform;

/// <summary>
/// The cookie handler's session store (<see cref="CookieAuthenticationOptions.SessionStore"/>) in the database every node
/// shares: the cookie carries a random key, the ticket stays in <c>login_sessions</c>. Without it the whole ticket rode in
/// the cookie, and signing out only asked the browser to forget it: a copy stayed valid for its 12 hours.
/// </summary>
public sealed class LoginSessionStore(DatabaseTarget target, TimeProvider time) : ITicketStore
{
    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var db = StorageServices.CreateDb(target);
        var now = time.GetUtcNow().UtcDateTime;
        // Sessions nobody signed out of end here, once expired: each login sweeps what has run out.
        await db.LoginSessions.Where(s => s.ExpiresAt < now).ExecuteDeleteAsync();
        db.LoginSessions.Add(new LoginSession
        {
            Key = key, UserId = UserIdOf(ticket), Ticket = TicketSerializer.Default.Serialize(ticket), ExpiresAt = ExpiresAt(ticket), CreatedAt = now,
        });
        await db.SaveChangesAsync();
        return key;
    }

    public async Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        await using var db = StorageServices.CreateDb(target);
        var bytes = TicketSerializer.Default.Serialize(ticket);
        var expires = ExpiresAt(ticket);
        await db.LoginSessions.Where(s => s.Key == key)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Ticket, bytes).SetProperty(l => l.ExpiresAt, expires));
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        await using var db = StorageServices.CreateDb(target);
        var now = time.GetUtcNow().UtcDateTime;
        var ticket = await db.LoginSessions.AsNoTracking().Where(s => s.Key == key && (s.ExpiresAt == null || s.ExpiresAt > now))
            .Select(s => s.Ticket).FirstOrDefaultAsync();
        return ticket is null ? null : TicketSerializer.Default.Deserialize(ticket);
    }

    public async Task RemoveAsync(string key)
    {
        await using var db = StorageServices.CreateDb(target);
        await db.LoginSessions.Where(s => s.Key == key).ExecuteDeleteAsync();
    }

    private static long? UserIdOf(AuthenticationTicket ticket) =>
        long.TryParse(ticket.Principal.FindFirst(Authentication.UserIdClaim)?.Value, CultureInfo.InvariantCulture, out var id) ? id : null;

    // A browser session (not "remember me") has no end of its own: the handler's sliding 12 hours bound it.
    private static DateTime? ExpiresAt(AuthenticationTicket ticket) => ticket.Properties.ExpiresUtc?.UtcDateTime;
}
