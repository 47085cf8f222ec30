using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Touchpoint.Platform;

namespace Touchpoint.Server.Platform;

/// <summary>Any signed-in person changes their own password; the current one is asked for again (rate limited like sign-in).</summary>
public sealed class PasswordPageModel(Accounts accounts, LoginThrottle throttle) : PageModel
{
    public string? Error { get; private set; }
    public bool Changed { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? current, string? password, string? confirm, CancellationToken cancellationToken)
    {
        if (!await throttle.TryAttemptAsync(LoginThrottle.ClientOf(HttpContext), cancellationToken))
        {
            return StatusCode(StatusCodes.Status429TooManyRequests);
        }
        var email = User.FindFirstValue(ClaimTypes.Name);
        var user = email is null || string.IsNullOrEmpty(current) ? null : await accounts.VerifyPasswordAsync(email, current, cancellationToken);
        if (user is null)
        {
            Error = "Password.WrongCurrent";
        }
        else if (password is null || password.Length < AdminApi.MinPasswordLength)
        {
            Error = "Password.TooShort";
        }
        else if (password != confirm)
        {
            Error = "Password.Mismatch";
        }
        else
        {
            await accounts.SetPasswordAsync(user, password, cancellationToken);
            // This session continues with the new stamp; every other session of the user ends.
            await Authentication.SignInAsync(HttpContext, user, remember: false);
            Changed = true;
        }
        if (Error is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        return Page();
    }
}
