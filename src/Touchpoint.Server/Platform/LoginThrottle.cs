using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;

namespace Touchpoint.Server.Platform;

/// <summary>
/// Slows password guessing: at most <see cref="PermitLimit"/> sign-in attempts a minute from one client address, counted in
/// <c>login_attempts</c>, which every node shares. A limiter in each process gave a guesser that many tries per node
/// behind a load balancer. Generous enough for a shared office NAT; per account, ten wrong passwords in a row lock it.
/// </summary>
public sealed class LoginThrottle(DatabaseTarget target, TimeProvider time)
{
    public const int PermitLimit = 20;

    /// <summary>The client's address: behind a configured proxy, the one it forwarded for (see <see cref="KnownProxies"/>).</summary>
    public static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Counts one attempt from <paramref name="client"/>; false when it is over the minute's limit.</summary>
    public async Task<bool> TryAttemptAsync(string client, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var window = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        // An IPv6 address with its scope fits in 64 characters; anything longer is not an address we were given.
        client = client.Length > 64 ? client[..64] : client;
        await using var db = StorageServices.CreateDb(target);
        // One statement on both engines, so attempts made on two nodes at the same moment are both counted.
        var attempts = (await db.Database.SqlQuery<int>($"""
            INSERT INTO login_attempts (client, window_start, attempts) VALUES ({client}, {window}, 1)
            ON CONFLICT (client, window_start) DO UPDATE SET attempts = login_attempts.attempts + 1
            RETURNING attempts AS "Value"
            """).ToListAsync(cancellationToken)).Single();
        if (attempts == 1)
        {
            // A client's first attempt of a minute sweeps the minutes that have passed, everyone's.
            await db.LoginAttempts.Where(w => w.WindowStart < window).ExecuteDeleteAsync(cancellationToken);
        }
        return attempts <= PermitLimit;
    }
}
