using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Touchpoint.Platform;

namespace Touchpoint.Server.Platform;

/// <summary>The audit log for administrators, newest first, filtered by who, what and which record.</summary>
[Authorize(Policy = Authentication.Policies.Admin)]
public sealed class AuditPageModel(AuditTrail audit) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? Actor { get; set; }
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public string? Target { get; set; }
    [BindProperty(SupportsGet = true)] public long? Before { get; set; }

    public AuditPage Entries { get; private set; } = new([], null);

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Entries = await audit.PageAsync(new AuditQuery(Actor, Action, Target, Before, PageSize), cancellationToken);

    /// <summary>This page's filters with another <see cref="Before"/>: the link to the older entries.</summary>
    public string OlderLink(long before) => QueryString.Create(new Dictionary<string, string?>
    {
        ["actor"] = Actor, ["action"] = Action, ["target"] = Target, ["before"] = before.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }.Where(p => !string.IsNullOrWhiteSpace(p.Value))).ToUriComponent();
}
