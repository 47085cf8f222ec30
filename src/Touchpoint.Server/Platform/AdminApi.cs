using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Platform;
using Touchpoint.Storage;

namespace Touchpoint.Server.Platform;

/// <summary>
/// A user; <see cref="DeactivatedAt"/> is set while their access is taken away, <see cref="LockedUntil"/> while wrong
/// passwords keep them out.
/// </summary>
public sealed record UserDto(long Id, string Email, string Name, Role Role, DateTime CreatedAt, DateTime? DeactivatedAt, DateTime? LockedUntil = null);

public sealed record NewUserRequest(string? Email, string? Name, Role? Role, string? Password);

/// <summary>The new user; <see cref="Password"/> is set only when the server generated it, and is shown this once.</summary>
public sealed record NewUserDto(UserDto User, string? Password);

public sealed record RoleChangeRequest(Role? Role);

/// <summary>The user's new password, shown this once.</summary>
public sealed record PasswordResetDto(string Password);

public sealed record ApiKeyDto(long Id, string Name, string Prefix, Role Role, DateTime CreatedAt, DateTime? RevokedAt);

public sealed record NewApiKeyRequest(string? Name, Role? Role);

/// <summary>The new key; <see cref="Secret"/> is shown this once: only its hash is stored.</summary>
public sealed record NewApiKeyDto(ApiKeyDto Key, string Secret);

/// <summary>Users and API keys; administrators only.</summary>
public static class AdminApi
{
    public const int MinPasswordLength = 12;

    public static void MapAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin").WithTags("Administration").RequireAuthorization(Authentication.Policies.Admin);
        group.MapGet("/users", async (TouchpointDb db, TimeProvider time, CancellationToken ct) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return TypedResults.Ok((await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(ct))
                .Select(u => new UserDto(u.Id, u.Email, u.Name, u.Role, u.CreatedAt, u.DeactivatedAt, Accounts.LockedUntil(u, now))).ToList());
        });
        group.MapPost("/users", CreateUser);
        group.MapPut("/users/{id:long}/role", ChangeRole);
        // Deactivates: the user stays, so what they did keeps a name, and POST …/reactivate gives the access back.
        group.MapDelete("/users/{id:long}", async Task<Results<NoContent, NotFound, ValidationProblem>> (Accounts accounts, long id, ClaimsPrincipal user, CancellationToken ct) =>
            Answer(await accounts.DeactivateUserAsync(id, Actor(user), ct)));
        group.MapPost("/users/{id:long}/reactivate", async Task<Results<NoContent, NotFound, ValidationProblem>> (Accounts accounts, long id, ClaimsPrincipal user, CancellationToken ct) =>
            Answer(await accounts.ReactivateUserAsync(id, Actor(user), ct)));
        group.MapPost("/users/{id:long}/unlock", async Task<Results<NoContent, NotFound, ValidationProblem>> (Accounts accounts, long id, ClaimsPrincipal user, CancellationToken ct) =>
            Answer(await accounts.UnlockUserAsync(id, Actor(user), ct)));
        group.MapPost("/users/{id:long}/password", async Task<Results<Ok<PasswordResetDto>, NotFound>> (Accounts accounts, long id, ClaimsPrincipal user, CancellationToken ct) =>
            await accounts.ResetPasswordAsync(id, Actor(user), ct) is { } password ? TypedResults.Ok(new PasswordResetDto(password)) : TypedResults.NotFound());
        group.MapGet("/audit", ReadAudit);
        group.MapGet("/api-keys", async (TouchpointDb db, CancellationToken ct) =>
            TypedResults.Ok(await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => ToDto(k)).ToListAsync(ct)));
        group.MapPost("/api-keys", IssueKey);
        group.MapDelete("/api-keys/{id:long}", async Task<Results<NoContent, NotFound>> (Accounts accounts, long id, ClaimsPrincipal user, CancellationToken ct) =>
            await accounts.RevokeApiKeyAsync(id, Actor(user), ct) ? TypedResults.NoContent() : TypedResults.NotFound());
    }

    /// <summary>
    /// The audit log, newest first: who did what to which record. <paramref name="action"/> matches a prefix ("user." is
    /// every change to users); <paramref name="before"/> is the previous page's <c>nextBefore</c>.
    /// </summary>
    public static async Task<Results<Ok<AuditPage>, ValidationProblem>> ReadAudit(AuditTrail audit, string? actor, string? action, string? target,
        long? before, int? take, CancellationToken cancellationToken)
    {
        if (take is < 1 or > AuditTrail.MaxTake)
        {
            return ApiProblems.Invalid("take", $"must be between 1 and {AuditTrail.MaxTake}");
        }
        var errors = new List<Touchpoint.Import.FieldError>();
        Touchpoint.Storage.StoredText.CheckNoNul(errors, [("actor", actor), ("action", action), ("target", target)]);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }
        return TypedResults.Ok(await audit.PageAsync(new AuditQuery(actor, action, target, before, take ?? 50), cancellationToken));
    }

    /// <summary>Gives a user another role; their sessions end. The last administrator keeps the role.</summary>
    public static async Task<Results<NoContent, NotFound, ValidationProblem>> ChangeRole(Accounts accounts, long id, RoleChangeRequest request, ClaimsPrincipal user,
        CancellationToken cancellationToken) =>
        request.Role is { } role
            ? Answer(await accounts.ChangeRoleAsync(id, role, Actor(user), cancellationToken))
            : ApiProblems.Invalid("role", "is required: Admin, Manager, Evaluator or Agent");

    private static Results<NoContent, NotFound, ValidationProblem> Answer(UserChange change) => change switch
    {
        UserChange.Done => TypedResults.NoContent(),
        UserChange.NotFound => TypedResults.NotFound(),
        _ => ApiProblems.Invalid("user", "is the last administrator: give another user the Admin role first"),
    };

    public static async Task<Results<Created<NewUserDto>, ValidationProblem>> CreateUser(Accounts accounts, NewUserRequest request,
        ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = new List<Touchpoint.Import.FieldError>();
        if (string.IsNullOrWhiteSpace(request.Email) || !request.Email.Contains('@', StringComparison.Ordinal))
        {
            errors.Add(new("email", "is required and must be an email address"));
        }
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            errors.Add(new("name", "is required"));
        }
        if (request.Role is null)
        {
            errors.Add(new("role", "is required: Admin, Manager, Evaluator or Agent"));
        }
        // Before the email query below: PostgreSQL fails one that sends a NUL, and cannot store it either.
        Touchpoint.Storage.StoredText.CheckNoNul(errors, [("email", request.Email), ("name", request.Name)]);
        if (request.Password is { Length: < MinPasswordLength })
        {
            errors.Add(new("password", $"must have at least {MinPasswordLength} characters"));
        }
        if (errors.Count == 0
            && await accounts.EmailHolderAsync(request.Email!, cancellationToken) is { } taken)
        {
            errors.Add(new("email", taken.DeactivatedAt is null
                ? "is already taken"
                : $"belongs to a deactivated user: reactivate them with POST /api/admin/users/{taken.Id}/reactivate"));
        }
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }
        CreatedUser created;
        try
        {
            created = await accounts.CreateUserAsync(request.Email!, request.Name!.Trim(), request.Role!.Value, request.Password, cancellationToken, Actor(user));
        }
        catch (EmailTakenException)
        {
            // Another request added the address since the check above.
            return ApiProblems.Invalid("email", "is already taken");
        }
        var u = created.User;
        return TypedResults.Created("/api/admin/users", new NewUserDto(new UserDto(u.Id, u.Email, u.Name, u.Role, u.CreatedAt, u.DeactivatedAt), created.GeneratedPassword));
    }

    public static async Task<Results<Created<NewApiKeyDto>, ValidationProblem>> IssueKey(Accounts accounts, NewApiKeyRequest request, ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return ApiProblems.Invalid("name", "is required: say which integration will use the key");
        }
        if (request.Name.Contains('\0', StringComparison.Ordinal))
        {
            return ApiProblems.Invalid("name", "contains a NUL character");
        }
        var issued = await accounts.IssueApiKeyAsync(request.Name.Trim(), request.Role ?? Role.Manager, Actor(user), cancellationToken);
        return TypedResults.Created("/api/admin/api-keys", new NewApiKeyDto(ToDto(issued.Key), issued.Secret));
    }

    private static ApiKeyDto ToDto(ApiKey k) => new(k.Id, k.Name, k.Prefix, k.Role, k.CreatedAt, k.RevokedAt);

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}
