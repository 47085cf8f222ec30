namespace Touchpoint.Server.Platform;

/// <summary>Headers every response carries, page or API, whatever its status.</summary>
public static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        // No page is meant to be shown inside another site's frame: there its buttons (erase personal data, revoke a key,
        // deactivate a user) could be clicked by someone who sees a different page on top.
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = "frame-ancestors 'none'";
        // A customer's text served as JSON or CSV is never run as a script or page because a browser guessed its type.
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        return next(context);
    });
}
