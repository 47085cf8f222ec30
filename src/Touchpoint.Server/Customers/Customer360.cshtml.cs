using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Touchpoint.Customers;
using Touchpoint.Interactions;

namespace Touchpoint.Server.Customers;

public sealed class Customer360Model(CustomerProfiles profiles, CustomerContextQuery context, CustomerTimeline timeline, TimeProvider time) : PageModel
{
    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public const int TimelineStep = 25;
    public const int TimelineMax = 500;
    public const int OpenCasesShown = 10;

    /// <summary>How many timeline entries to show; "Load more" asks for the next step (no script needed).</summary>
    [BindProperty(SupportsGet = true, Name = "show")] public int Show { get; set; } = TimelineStep;

    public CustomerProfile Profile { get; private set; } = null!;
    public TimelinePage Timeline { get; private set; } = null!;

    /// <summary>The flags the context API gives an agent desktop or a bot, shown on top of the page.</summary>
    public ContextFlags Flags { get; private set; } = null!;
    public IReadOnlyList<MonthlyContacts> Monthly { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        var lookup = await profiles.FindAsync(id, cancellationToken);
        if (lookup.MergedIntoId is { } survivor)
        {
            // The merged profile's history lives on the survivor; old links keep working. Not permanent: browsers cache
            // a 301 for good, and a merge made by mistake may be undone.
            return Redirect($"/customers/{survivor}");
        }
        if (lookup.Profile is not { } profile)
        {
            return NotFound();
        }
        Profile = profile;
        Flags = (await context.ForProfileAsync(profile, 5, cancellationToken)).Flags;
        Show = Math.Clamp(Show, 1, TimelineMax);
        Timeline = await timeline.PageAsync(id, 1, Show, cancellationToken);
        Monthly = await timeline.MonthlyAsync(id, 24, cancellationToken);
        return Page();
    }
}
