using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Touchpoint.Server.Pages;

/// <summary>
/// What a browser sees for an error status without a body (a missing customer, a path no page has, a refused form): the
/// status-code pages re-execute the request here with its method, which keeps the original status. No handler, so the
/// page renders for a re-executed POST too, and no antiforgery check, since a failed one may be why it is shown.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class StatusModel : PageModel
{
    public int Code => Convert.ToInt32(RouteData.Values["code"], CultureInfo.InvariantCulture);

    /// <summary>Resource keys of the title and text for <see cref="Code"/>.</summary>
    public (string Title, string Text) Keys => Code switch
    {
        StatusCodes.Status404NotFound => ("Status.NotFound.Title", "Status.NotFound.Text"),
        StatusCodes.Status400BadRequest => ("Status.BadRequest.Title", "Status.BadRequest.Text"),
        StatusCodes.Status429TooManyRequests => ("Status.TooManyRequests.Title", "Status.TooManyRequests.Text"),
        _ => ("Status.Other.Title", "Status.Other.Text"),
    };

    /// <summary>Opened directly rather than re-executed: answer the status the page describes, not 200.</summary>
    public override void OnPageHandlerExecuting(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context)
    {
        if (HttpContext.Features.Get<IStatusCodeReExecuteFeature>() is null)
        {
            Response.StatusCode = Code;
        }
    }
}
