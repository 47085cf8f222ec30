using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Touchpoint.Interactions;

namespace Touchpoint.Server.Interactions;

public sealed class InteractionPageModel(InteractionDetails details) : PageModel
{
    public InteractionDetail Detail { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (await details.FindAsync(id, cancellationToken) is not { } detail)
        {
            return NotFound();
        }
        Detail = detail;
        return Page();
    }
}
