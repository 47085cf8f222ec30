using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Platform;
using Touchpoint.Storage;

namespace Touchpoint.Server.Platform;

/// <summary>Users and API keys for administrators: add a user, issue a key (its secret shown once), revoke a key.</summary>
[Authorize(Policy = Authentication.Policies.Admin)]
public sealed class AccessPageModel(TouchpointDb db, Accounts accounts, TimeProvider time) : PageModel
{
    public IReadOnlyList<User> Users { get; private set; } = [];
    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];
    public DateTime Now { get; private set; }

    /// <summary>Shown once after a key is issued or a user is added with a generated password; never stored in clear.</summary>
    public string? Secret { get; private set; }
    public string? SecretFor { get; private set; }
    public string? Error { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostKeyAsync(string? name, Role? role, CancellationToken cancellationToken)
    {
        NoStore();
        if (string.IsNullOrWhiteSpace(name) || role is null || !ModelState.IsValid)
        {
            Error = "Access.NameRequired";
        }
        else
        {
            var issued = await accounts.IssueApiKeyAsync(name.Trim(), role.Value, Actor, cancellationToken);
            (Secret, SecretFor) = (issued.Secret, issued.Key.Name);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken cancellationToken)
    {
        await accounts.RevokeApiKeyAsync(id, Actor, cancellationToken);
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostUserAsync(string? email, string? name, Role? role, CancellationToken cancellationToken)
    {
        NoStore();
        // No default role: a missing or unknown value must not become Admin (the enum's zero).
        if (string.IsNullOrWhiteSpace(email) || !email.Contains('@', StringComparison.Ordinal) || string.IsNullOrWhiteSpace(name)
            || role is null || !ModelState.IsValid)
        {
            Error = "Access.UserInvalid";
        }
        else if (await accounts.EmailHolderAsync(email, cancellationToken) is { } taken)
        {
            Error = taken.DeactivatedAt is null ? "Access.UserExists" : "Access.UserDeactivatedExists";
        }
        else
        {
            try
            {
                var created = await accounts.CreateUserAsync(email, name.Trim(), role.Value, cancellationToken: cancellationToken, actor: Actor);
                (Secret, SecretFor) = (created.GeneratedPassword, created.User.Email);
            }
            catch (EmailTakenException)
            {
                Error = "Access.UserExists"; // added by another request since the check above
            }
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRoleAsync(long id, Role? role, CancellationToken cancellationToken)
    {
        var change = role is null ? UserChange.NotFound : await accounts.ChangeRoleAsync(id, role.Value, Actor, cancellationToken);
        return await AfterChangeAsync(change, cancellationToken);
    }

    public async Task<IActionResult> OnPostDeactivateAsync(long id, CancellationToken cancellationToken) =>
        await AfterChangeAsync(await accounts.DeactivateUserAsync(id, Actor, cancellationToken), cancellationToken);

    public async Task<IActionResult> OnPostReactivateAsync(long id, CancellationToken cancellationToken) =>
        await AfterChangeAsync(await accounts.ReactivateUserAsync(id, Actor, cancellationToken), cancellationToken);

    public async Task<IActionResult> OnPostUnlockAsync(long id, CancellationToken cancellationToken) =>
        await AfterChangeAsync(await accounts.UnlockUserAsync(id, Actor, cancellationToken), cancellationToken);

    public async Task<IActionResult> OnPostResetAsync(long id, CancellationToken cancellationToken)
    {
        NoStore();
        if (await accounts.ResetPasswordAsync(id, Actor, cancellationToken) is { } password)
        {
            (Secret, SecretFor) = (password, await db.Users.Where(u => u.Id == id).Select(u => u.Email).SingleAsync(cancellationToken));
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>Back to the page; a refused change says why. An administrator who changed their own role or deactivated themselves is signed out by it.</summary>
    private async Task<IActionResult> AfterChangeAsync(UserChange change, CancellationToken cancellationToken)
    {
        if (change == UserChange.Done)
        {
            return RedirectToPage();
        }
        Error = change == UserChange.LastAdmin ? "Access.LastAdmin" : "Access.UserInvalid";
        await LoadAsync(cancellationToken);
        return Page();
    }

    private string Actor => User.FindFirstValue(ClaimTypes.Name) ?? "unknown";

    /// <summary>A page that may carry a one-time secret is never cached.</summary>
    private void NoStore() => Response.Headers.CacheControl = "no-store";

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow().UtcDateTime;
        // Active users first: the deactivated ones are there to be reactivated, not in the way.
        Users = await db.Users.AsNoTracking().OrderBy(u => u.DeactivatedAt != null).ThenBy(u => u.Email).ToListAsync(cancellationToken);
        Keys = await db.ApiKeys.AsNoTracking().OrderByDescending(k => k.Id).ToListAsync(cancellationToken);
    }
}
