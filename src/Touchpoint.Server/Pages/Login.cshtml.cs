using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Touchpoint.Platform;
using Touchpoint.Server.Platform;

namespace Touchpoint.Server.Pages;

[AllowAnonymous]
public sealed class LoginModel(Accounts accounts, LoginThrottle throttle) : PageModel
{
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty] public bool Remember { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public bool Failed { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await throttle.TryAttemptAsync(LoginThrottle.ClientOf(HttpContext), cancellationToken))
        {
            return StatusCode(StatusCodes.Status429TooManyRequests);
        }
        var user = string.IsNullOrWhiteSpace(Email) || string.IsNullOrEmpty(Password)
            ? null
            : await accounts.VerifyPasswordAsync(Email, Password, cancellationToken);
        if (user is null)
        {
            Failed = true;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await Authentication.SignInAsync(HttpContext, user, Remember);
        // Only local return URLs: an open redirect would let a phishing link borrow our login page.
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
