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
    CustomerMerge merge, PersonalData personalData, CustomerPreferences preferences, IAuthorizationService authorization) : PageModel
{
    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public const int TimelineStep = 25;
    /// <summary>"Load more" grows the list to this many contacts; older ones follow in pages of as many (<see cref="OlderPage"/>).</summary>
    public const int TimelineMax = CustomerTimeline.MaxPageSize;
    public const int OpenCasesShown = 10;

    /// <summary>How many timeline entries to show; "Load more" asks for the next step (no script needed).</summary>
    [BindProperty(SupportsGet = true, Name = "show")] public int Show { get; set; } = TimelineStep;

    /// <summary>
    /// Past <see cref="TimelineMax"/> contacts, the page of older ones to show (2 for contacts 201–400, …). The list grew to
    /// 500 by asking the timeline for 500 at once, which gives at most 200: past 200 "Load more" showed the same 200 again,
    /// and a customer's older contacts could not be reached from the page.
    /// </summary>
    [BindProperty(SupportsGet = true, Name = "older")] public int OlderPage { get; set; } = 1;

    public CustomerProfile Profile { get; private set; } = null!;
    public TimelinePage Timeline { get; private set; } = null!;

    /// <summary>The flags the context API gives an agent desktop or a bot, shown on top of the page.</summary>
    public ContextFlags Flags { get; private set; } = null!;
    public IReadOnlyList<MonthlyContacts> Monthly { get; private set; } = [];

    /// <summary>Managers may merge a duplicate profile into this one.</summary>
    public bool CanMerge { get; private set; }

    /// <summary>A resource key: why the consent and preferences form was not saved.</summary>
    public string? PreferencesError { get; private set; }

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
                Touchpoint.Customers.MergeError.Erased => "Merge.Erased",
                _ => "Merge.NotFound",
            };
            Response.StatusCode = StatusCodes.Status409Conflict;
            return await LoadAsync(id, cancellationToken);
        }
        return Redirect($"/customers/{id}?merged={mergeId}&moved={result.InteractionsMoved}");
    }

    /// <summary>
    /// Records consent per channel, the preferred channel and quiet hours as the customer states them during a contact.
    /// A channel left at "not asked" keeps what is stored; every change is audited with who made it. The form sends every
    /// field with what it showed beside it (<see cref="ShownPrefix"/>), and only the fields its user changed are recorded:
    /// a page left open while someone else recorded a decision put back what it showed (a consent withdrawn meanwhile came
    /// back granted).
    /// </summary>
    public async Task<IActionResult> OnPostPreferencesAsync(long id, string? preferred, string? quietStart, string? quietEnd, CancellationToken cancellationToken)
    {
        var form = Request.Form;
        bool Changed(string field) => !form.TryGetValue(ShownPrefix + field, out var shown) || shown.ToString() != form[field].ToString();
        var consents = new Dictionary<Channel, bool>();
        foreach (var channel in Enum.GetValues<Channel>())
        {
            var field = $"consent-{channel.ToKey()}";
            if (!Changed(field))
            {
                continue;
            }
            switch (form[field].ToString())
            {
                case "yes": consents[channel] = true; break;
                case "no": consents[channel] = false; break;
            }
        }
        var setsPreferred = Changed("preferred");
        var setsQuietHours = Changed("quietStart") || Changed("quietEnd");
        Channel? preferredChannel = null;
        if (setsPreferred && !string.IsNullOrEmpty(preferred))
        {
            if (!ValueNames.TryParse<Channel>(preferred, out var channel))
            {
                return await RefuseAsync(id, "Preferences.Invalid", cancellationToken);
            }
            preferredChannel = channel;
        }
        TimeOnly? start = null, end = null;
        if (setsQuietHours && (!string.IsNullOrEmpty(quietStart) || !string.IsNullOrEmpty(quietEnd)))
        {
            if (!TimeOnly.TryParseExact(quietStart, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var s)
                || !TimeOnly.TryParseExact(quietEnd, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var e))
            {
                return await RefuseAsync(id, "Preferences.QuietHoursBoth", cancellationToken);
            }
            (start, end) = (s, e);
        }
        var changed = await preferences.UpdateAsync(id, new PreferencesChange(consents, preferredChannel, start, end, setsPreferred, setsQuietHours),
            User.FindFirstValue(ClaimTypes.Name) ?? "unknown", cancellationToken);
        return changed is null ? NotFound() : Redirect($"/customers/{id}?preferences=saved#preferences");
    }

    /// <summary>The hidden field beside each preferences field that holds what the form showed.</summary>
    public const string ShownPrefix = "shown-";

    private async Task<IActionResult> RefuseAsync(long id, string error, CancellationToken cancellationToken)
    {
        PreferencesError = error;
        var page = await LoadAsync(id, cancellationToken);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return page;
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
        OlderPage = Math.Max(1, OlderPage);
        Show = OlderPage > 1 ? TimelineMax : Math.Clamp(Show, 1, TimelineMax);
        Timeline = await timeline.PageAsync(id, OlderPage, Show, cancellationToken);
        Monthly = await timeline.MonthlyAsync(id, 24, cancellationToken);
        return Page();
    }
}
