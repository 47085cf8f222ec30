using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;

namespace Touchpoint.Platform;

/// <summary>The outcome of creating an account: the user, and the password when one was generated for them.</summary>
public sealed record CreatedUser(User User, string? GeneratedPassword);

/// <summary>What an administrator's change to a user came to.</summary>
public enum UserChange
{
    Done,
    NotFound,

    /// <summary>Refused: the user is the last administrator, and nobody could manage access any more.</summary>
    LastAdmin,
}

/// <summary>A newly issued API key. <see cref="Secret"/> is shown once; only its hash is stored.</summary>
public sealed record IssuedApiKey(ApiKey Key, string Secret);

/// <summary>A user with the email exists already (perhaps added by another request a moment ago).</summary>
public sealed class EmailTakenException(string message, Exception? inner = null) : InvalidOperationException(message, inner);

/// <summary>People who sign in and keys integrations send: password hashing (ASP.NET Core Identity's PBKDF2 hasher) and key checks.</summary>
public sealed class Accounts(TouchpointDb db, TimeProvider time)
{
    public const string ApiKeyMarker = "tp_";
    private const int PrefixLength = 11; // "tp_" + 8 characters: enough to tell keys apart, too short to guess the rest
    private static readonly PasswordHasher<User> Hasher = new();

    public async Task<CreatedUser> CreateUserAsync(string email, string name, Role role, string? password = null, CancellationToken cancellationToken = default,
        string actor = "system")
    {
        var normalized = NormalizeEmail(email);
        if (await EmailHolderAsync(normalized, cancellationToken) is { } existing)
        {
            throw new EmailTakenException(existing.DeactivatedAt is null
                ? $"A user with the email {normalized} already exists."
                : $"A user with the email {normalized} exists and is deactivated: reactivate them.");
        }
        var generated = password is null ? NewPassword() : null;
        var user = new User { Email = normalized, Name = name, Role = role, PasswordHash = "", CreatedAt = time.GetUtcNow().UtcDateTime };
        user.PasswordHash = Hasher.HashPassword(user, password ?? generated!);
        db.Users.Add(user);
        Audit(actor, "user.created", user.Email, role.ToString());
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another request added the same email since the check above: answered as the check would have.
            db.ChangeTracker.Clear();
            throw new EmailTakenException($"A user with the email {normalized} already exists.", e);
        }
        return new CreatedUser(user, generated);
    }

    /// <summary>The user who has <paramref name="email"/> (active or deactivated), for refusing a second account with it; null when none does.</summary>
    public async Task<(long Id, DateTime? DeactivatedAt)?> EmailHolderAsync(string email, CancellationToken cancellationToken = default)
    {
        var normalized = NormalizeEmail(email);
        var holder = await db.Users.Where(u => u.Email == normalized).Select(u => new { u.Id, u.DeactivatedAt }).FirstOrDefaultAsync(cancellationToken);
        return holder is null ? null : (holder.Id, holder.DeactivatedAt);
    }

    /// <summary>Wrong passwords in a row that lock an account for <see cref="LockoutDuration"/>.</summary>
    public const int LockoutThreshold = 10;

    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The user whose email and password match, or null; also null while the account is locked after
    /// <see cref="LockoutThreshold"/> wrong passwords in a row (the login's per-address rate limit does not stop a guess
    /// spread over many addresses). Rehashes old-format hashes on the way.
    /// </summary>
    public Task<User?> VerifyPasswordAsync(string email, string password, CancellationToken cancellationToken = default) =>
        VerifyAsync(email, password, isSignIn: true, cancellationToken);

    /// <summary>Whether <paramref name="password"/> is the user's, for the server's own checks (is the generated password still the admin's?): not a sign-in attempt, so it neither counts nor locks.</summary>
    public async Task<bool> IsPasswordAsync(string email, string password, CancellationToken cancellationToken = default) =>
        await VerifyAsync(email, password, isSignIn: false, cancellationToken) is not null;

    private async Task<User?> VerifyAsync(string email, string password, bool isSignIn, CancellationToken cancellationToken)
    {
        var normalized = NormalizeEmail(email);
        // Read as stored now: another node (or request) may have counted a wrong password or locked the account.
        var found = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == normalized && u.DeactivatedAt == null, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        if (found is null || (isSignIn && found.LockedUntil > now))
        {
            // Spend the same work as a real check so response time does not reveal which emails exist (or are locked).
            Hasher.VerifyHashedPassword(DummyUser, DummyHash, password);
            return null;
        }
        var result = Hasher.VerifyHashedPassword(found, found.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            if (isSignIn)
            {
                await CountFailureAsync(found, now, cancellationToken);
            }
            return null;
        }
        if (isSignIn && (found.FailedSignIns != 0 || found.LockedUntil is not null))
        {
            await ClearLockAsync(found.Id, cancellationToken);
        }
        // Tracked, for callers that change the user next (a new password); only what they change is written.
        var user = await db.Users.FirstAsync(u => u.Id == found.Id, cancellationToken);
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = Hasher.HashPassword(user, password);
            await db.SaveChangesAsync(cancellationToken);
        }
        return user;
    }

    /// <summary>Starts the wrong-password count again and lifts a lock; written as stored, like the count, not through a tracked entity.</summary>
    private Task ClearLockAsync(long userId, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedSignIns, 0).SetProperty(u => u.LockedUntil, (DateTime?)null), cancellationToken);

    /// <summary>Counts a wrong password in the database, atomically (attempts on several nodes at once all count), and locks at the threshold.</summary>
    private async Task CountFailureAsync(User user, DateTime now, CancellationToken cancellationToken)
    {
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedSignIns, u => u.FailedSignIns + 1), cancellationToken);
        var locked = await db.Users.Where(u => u.Id == user.Id && u.FailedSignIns >= LockoutThreshold)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedSignIns, 0).SetProperty(u => u.LockedUntil, now + LockoutDuration), cancellationToken);
        if (locked > 0)
        {
            Audit("system", "user.locked_out", user.Email, $"{LockoutThreshold} wrong passwords in a row: locked for {LockoutDuration.TotalMinutes} minutes");
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>Whether a session made for <paramref name="userId"/> with <paramref name="stamp"/> and <paramref name="role"/> still stands.</summary>
    public Task<bool> SessionIsCurrentAsync(long userId, string stamp, Role role, CancellationToken cancellationToken = default) =>
        db.Users.AnyAsync(u => u.Id == userId && u.SecurityStamp == stamp && u.Role == role && u.DeactivatedAt == null, cancellationToken);

    public async Task SetPasswordAsync(User user, string password, CancellationToken cancellationToken = default)
    {
        user.PasswordHash = Hasher.HashPassword(user, password);
        user.SecurityStamp = User.NewStamp(); // every other session of this user ends
        Audit(user.Email, "user.password_changed", user.Email, null);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IssuedApiKey> IssueApiKeyAsync(string name, Role role, string actor, CancellationToken cancellationToken = default)
    {
        var secret = ApiKeyMarker + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var key = new ApiKey
        {
            Name = name, Prefix = secret[..PrefixLength], SecretHash = HashSecret(secret), Role = role, CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.ApiKeys.Add(key);
        Audit(actor, "api_key.issued", key.Prefix, name);
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedApiKey(key, secret);
    }

    /// <summary>The live key matching <paramref name="secret"/>, or null. Keys are high-entropy, so one SHA-256 is enough.</summary>
    public async Task<ApiKey?> FindApiKeyAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (secret.Length <= PrefixLength || !secret.StartsWith(ApiKeyMarker, StringComparison.Ordinal))
        {
            return null;
        }
        var prefix = secret[..PrefixLength];
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Prefix == prefix && k.RevokedAt == null, cancellationToken);
        if (key is null)
        {
            return null;
        }
        var expected = Convert.FromHexString(key.SecretHash);
        var actual = Convert.FromHexString(HashSecret(secret));
        return CryptographicOperations.FixedTimeEquals(expected, actual) ? key : null;
    }

    public async Task<bool> RevokeApiKeyAsync(long id, string actor, CancellationToken cancellationToken = default)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null || key.RevokedAt is not null)
        {
            return false;
        }
        key.RevokedAt = time.GetUtcNow().UtcDateTime;
        Audit(actor, "api_key.revoked", key.Prefix, key.Name);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Gives a user another role; the sessions they have end (the role travels in the cookie).</summary>
    public Task<UserChange> ChangeRoleAsync(long userId, Role role, string actor, CancellationToken cancellationToken = default) =>
        WithAdminsLockedAsync(() => ChangeRoleLockedAsync(userId, role, actor, cancellationToken), cancellationToken);

    private async Task<UserChange> ChangeRoleLockedAsync(long userId, Role role, string actor, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || user.Role == role)
        {
            return user is null ? UserChange.NotFound : UserChange.Done;
        }
        if (await IsLastAdminAsync(user, cancellationToken))
        {
            return UserChange.LastAdmin;
        }
        Audit(actor, "user.role_changed", user.Email, $"{user.Role} -> {role}");
        user.Role = role;
        user.SecurityStamp = User.NewStamp();
        await db.SaveChangesAsync(cancellationToken);
        return UserChange.Done;
    }

    /// <summary>
    /// Takes a user's access away: they can no longer sign in, and their sessions end. The user stays (deactivated),
    /// so the audit log and what they handled keep a name, and <see cref="ReactivateUserAsync"/> gives access back.
    /// </summary>
    public Task<UserChange> DeactivateUserAsync(long userId, string actor, CancellationToken cancellationToken = default) =>
        WithAdminsLockedAsync(() => DeactivateLockedAsync(userId, actor, cancellationToken), cancellationToken);

    private async Task<UserChange> DeactivateLockedAsync(long userId, string actor, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || user.DeactivatedAt is not null)
        {
            return user is null ? UserChange.NotFound : UserChange.Done;
        }
        if (await IsLastAdminAsync(user, cancellationToken))
        {
            return UserChange.LastAdmin;
        }
        user.DeactivatedAt = time.GetUtcNow().UtcDateTime;
        user.SecurityStamp = User.NewStamp();
        Audit(actor, "user.deactivated", user.Email, user.Role.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return UserChange.Done;
    }

    /// <summary>Gives a deactivated user their access back, with the role and password they had.</summary>
    public async Task<UserChange> ReactivateUserAsync(long userId, string actor, CancellationToken cancellationToken = default)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || user.DeactivatedAt is null)
        {
            return user is null ? UserChange.NotFound : UserChange.Done;
        }
        user.DeactivatedAt = null;
        Audit(actor, "user.reactivated", user.Email, user.Role.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return UserChange.Done;
    }

    /// <summary>
    /// Lifts a lock that wrong passwords put on the account before its 15 minutes are up (someone may be guessing to
    /// keep a colleague out); the password stays as it was. Audited; nothing to do when the account is not locked.
    /// </summary>
    public async Task<UserChange> UnlockUserAsync(long userId, string actor, CancellationToken cancellationToken = default)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return UserChange.NotFound;
        }
        if (user.LockedUntil > time.GetUtcNow().UtcDateTime)
        {
            await ClearLockAsync(user.Id, cancellationToken);
            Audit(actor, "user.unlocked", user.Email, null);
            await db.SaveChangesAsync(cancellationToken);
        }
        return UserChange.Done;
    }

    /// <summary>Until when the account is locked by wrong passwords; null when it is not (any more).</summary>
    public static DateTime? LockedUntil(User user, DateTime nowUtc) => user.LockedUntil > nowUtc ? user.LockedUntil : null;

    /// <summary>Gives a user a new generated password (returned once, for the administrator to pass on); their sessions end.</summary>
    public async Task<string?> ResetPasswordAsync(long userId, string actor, CancellationToken cancellationToken = default)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return null;
        }
        var password = NewPassword();
        user.PasswordHash = Hasher.HashPassword(user, password);
        user.SecurityStamp = User.NewStamp();
        Audit(actor, "user.password_reset", user.Email, null);
        await db.SaveChangesAsync(cancellationToken);
        // The administrator vouched for the person: a lock from guessing ends.
        await ClearLockAsync(userId, cancellationToken);
        return password;
    }

    // Any fixed number: the key of the transaction lock around changes that may take away an administrator ("TpAdmin").
    private const long AdminsLockKey = 0x5470416473696E;

    /// <summary>
    /// Runs a change that may take away an administrator in a transaction that no other such change runs beside, on any
    /// node: two administrators demoting each other at the same moment each saw the other still in place, and both
    /// went, leaving nobody who could manage access. PostgreSQL takes a transaction lock; SQLite's transaction holds the
    /// write lock from its start.
    /// </summary>
    private async Task<UserChange> WithAdminsLockedAsync(Func<Task<UserChange>> change, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Provider == DatabaseProvider.Postgres)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdminsLockKey})", cancellationToken);
        }
        var result = await change();
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    // Only an active administrator can manage access: a deactivated one does not count.
    private async Task<bool> IsLastAdminAsync(User user, CancellationToken cancellationToken) =>
        user.Role == Role.Admin && user.DeactivatedAt is null
        && !await db.Users.AnyAsync(u => u.Role == Role.Admin && u.DeactivatedAt == null && u.Id != user.Id, cancellationToken);

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>A readable random password: 20 characters from an alphabet without look-alikes (about 115 bits).</summary>
    public static string NewPassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20);
    }

    private static string HashSecret(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private void Audit(string actor, string action, string? target, string? detail) =>
        db.AuditLog.Add(new AuditEntry { At = time.GetUtcNow().UtcDateTime, Actor = actor, Action = action, Target = target, Detail = detail });

    private static readonly User DummyUser = new() { Email = "", Name = "", PasswordHash = "" };
    private static readonly string DummyHash = Hasher.HashPassword(DummyUser, NewPassword());
}
