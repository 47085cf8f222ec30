namespace Touchpoint.Platform;

public enum Role
{
    Admin,
    Manager,
    Evaluator,
    Agent,
}

public sealed class User
{
    public long Id { get; set; }
    public required string Email { get; set; }
    public required string Name { get; set; }
    public required string PasswordHash { get; set; }

    /// <summary>Changes whenever the password (or anything a session depends on) changes; sessions carrying an older stamp end.</summary>
    public string SecurityStamp { get; set; } = NewStamp();

    public static string NewStamp() => Guid.NewGuid().ToString("N");
    public Role Role { get; set; }

    /// <summary>For agent users: the agent record whose contacts they handle.</summary>
    public long? AgentId { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// Set when an administrator took the user's access away: they cannot sign in and their sessions end, but the user
    /// stays, so what they did keeps a name and they can be reactivated.
    /// </summary>
    public DateTime? DeactivatedAt { get; set; }

    /// <summary>Wrong passwords in a row: at <see cref="Accounts.LockoutThreshold"/> the account locks for a while.</summary>
    public int FailedSignIns { get; set; }

    /// <summary>Until then no password signs in: guessing one account's password from many addresses gets a few tries an hour.</summary>
    public DateTime? LockedUntil { get; set; }
}

/// <summary>A key an integration sends in the X-Api-Key header. Only a hash of the secret is stored.</summary>
public sealed class ApiKey
{
    public long Id { get; set; }
    public required string Name { get; set; }

    /// <summary>The first characters of the key, shown so people can tell keys apart.</summary>
    public required string Prefix { get; set; }

    public required string SecretHash { get; set; }
    public Role Role { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>
/// A signed-in session: the login cookie holds only <see cref="Key"/>, and the ticket (who, which role, until when) is
/// here, so signing out ends the session on every node, and a copy of the cookie taken before is worth nothing after.
/// </summary>
public sealed class LoginSession
{
    public required string Key { get; set; }
    public long? UserId { get; set; }
    public required byte[] Ticket { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// Sign-in attempts (and password changes, which ask for the current password) from one client address in one minute,
/// counted in the database every node shares, so that behind a load balancer a password guesser gets no more tries
/// than from one node.
/// </summary>
public sealed class LoginAttemptWindow
{
    public required string Client { get; set; }
    public DateTime WindowStart { get; set; }
    public int Attempts { get; set; }
}

/// <summary>Who did what to which record, for compliance.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public string? Target { get; set; }
    public string? Detail { get; set; }
}
