using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Touchpoint.Server.Platform;

namespace Touchpoint.Server.Pages;

/// <summary>The language switch: stores the choice in the culture cookie that RequestLocalization reads, then goes back.</summary>
public sealed class LanguageModel : PageModel
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public IActionResult OnPost(string culture)
    {
        if (!Languages.All.Contains(culture))
        {
            return BadRequest();
        }
        Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, HttpOnly = true, SameSite = SameSiteMode.Lax });
        // Only local return URLs, as on the login page.
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
