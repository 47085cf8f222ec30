using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Touchpoint.Customers;
using Touchpoint.Interactions;
using Touchpoint.Server.Platform;

namespace Touchpoint.Server.Customers;

public sealed class Customer360Model(CustomerProfiles profiles, CustomerContextQuery context, CustomerTimeline timeline, TimeProvider time,
    CustomerMerge merge, PersonalData personalData, IAuthorizationService authorization) : PageModel
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

    /// <summary>Managers may merge a duplicate profile into this one.</summary>
    public bool CanMerge { get; private set; }

    /// <summary>Administrators may download or erase the person's personal data.</summary>
    public bool CanManagePersonalData { get; private set; }

    /// <summary>The profile found to merge into this one, shown for confirmation.</summary>
    public CustomerProfile? MergeCandidate { get; private set; }

    /// <summary>A resource key: why no candidate was found or the merge did not happen.</summary>
    public string? MergeError { get; private set; }

    public Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken) => LoadAsync(id, cancellationToken);

    /// <summary>
    /// Finds the duplicate named by an email, a phone number, a @handle, an external or CRM id, or a customer number,
    /// and shows it for confirmation; nothing is merged yet.
    /// </summary>
    public async Task<IActionResult> OnPostFindDuplicateAsync(long id, string? duplicate, CancellationToken cancellationToken)
    {
        if (!await IsManagerAsync())
        {
            return Forbid();
        }
        var text = duplicate?.Trim() ?? "";
        long? found = null;
        if (text.Length > 0)
        {
            found = await context.FindAsync(text, text.Contains('@', StringComparison.Ordinal) ? text : null,
                text.Any(char.IsDigit) ? text : null, text.StartsWith('@') ? text : null, cancellationToken);
            if (found is null && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                && (await profiles.FindAsync(number, cancellationToken)) is { } byNumber)
            {
                found = byNumber.MergedIntoId ?? byNumber.Profile?.Customer.Id;
            }
        }
        if (found is null)
        {
            MergeError = "Merge.NotFound";
        }
        else if (found == id)
        {
            MergeError = "Merge.Same";
        }
        else
        {
            MergeCandidate = (await profiles.FindAsync(found.Value, cancellationToken)).Profile;
        }
        return await LoadAsync(id, cancellationToken);
    }

    /// <summary>Merges the confirmed duplicate into this profile (both histories end up here) and shows the result.</summary>
    public async Task<IActionResult> OnPostMergeAsync(long id, long mergeId, CancellationToken cancellationToken)
    {
        if (!await IsManagerAsync())
        {
            return Forbid();
        }
        var result = await merge.MergeAsync(id, mergeId, User.FindFirstValue(ClaimTypes.Name) ?? "unknown", cancellationToken);
        if (result.Error is { } error)
        {
            MergeError = error switch
            {
                Touchpoint.Customers.MergeError.SameCustomer => "Merge.Same",
                Touchpoint.Customers.MergeError.AlreadyMerged => "Merge.AlreadyMerged",
                _ => "Merge.NotFound",
            };
            Response.StatusCode = StatusCodes.Status409Conflict;
            return await LoadAsync(id, cancellationToken);
        }
        return Redirect($"/customers/{id}?merged={mergeId}&moved={result.InteractionsMoved}");
    }

    /// <summary>Erases the person's personal data (this profile and those merged into it); the anonymous facts stay.</summary>
    public async Task<IActionResult> OnPostEraseAsync(long id, CancellationToken cancellationToken)
    {
        if (!await authorization.IsAdminAsync(User))
        {
            return Forbid();
        }
        return await personalData.EraseAsync(id, User.FindFirstValue(ClaimTypes.Name) ?? "unknown", cancellationToken) is { } erased
            ? Redirect($"/customers/{erased.CustomerId}")
            : NotFound();
    }

    private Task<bool> IsManagerAsync() => authorization.IsManagerAsync(User);

    private async Task<IActionResult> LoadAsync(long id, CancellationToken cancellationToken)
    {
        CanMerge = await IsManagerAsync();
        CanManagePersonalData = await authorization.IsAdminAsync(User);
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
