using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Touchpoint.Server.Pages;

/// <summary>
/// The start page (after signing in, the brand link, "go to the start page") is the customer list, where a supervisor
/// begins; a page of links to some of the sections said nothing the navigation does not.
/// </summary>
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/customers");
}
