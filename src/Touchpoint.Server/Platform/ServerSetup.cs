using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using System.Text.Json.Serialization;
using Touchpoint.Server.Customers;
using Touchpoint.Server.Feedback;
using Touchpoint.Interactions;
using Touchpoint.Server.Interactions;
using Touchpoint.Server.Reports;

namespace Touchpoint.Server.Platform;

/// <summary>How the server is put together; Program.cs and the test hosts both call these.</summary>
public static class ServerSetup
{
    public static WebApplicationBuilder AddTouchpointServer(this WebApplicationBuilder builder)
    {
        // Packages' static web assets (plotly.js) are read from the NuGet cache when the app runs from its build output;
        // CreateBuilder does that only in Development, so `dotnet run` in Production would 500 on them. A published app
        // has the files in wwwroot and no runtime manifest, and then this does nothing.
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;
        services.AddTouchpoint(builder.Configuration);
        services.AddTouchpointAuthentication(builder.Configuration);
        services.AddKnownProxies(builder.Configuration);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // Kestrel refuses a body over its limit before the app sees it; say what the limit is and what to do.
            if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge
                && context.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } limit)
            {
                context.ProblemDetails.Detail = $"The request body is larger than the server takes ({limit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes): " +
                    $"send the items in several requests (a batch holds at most {Batches.MaxItems.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}).";
            }
        });
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Enums travel as names ("Phone", "Inbound"); numbers are refused so a typo cannot become another channel.
        // Channels, directions, outcomes and message authors are read in every spelling the import files take ("voice",
        // "self-service"), so a source sends the API what it writes in its files; they are written as names as before.
        // A property named twice is refused (the last value silently won), as a column twice is in an import file.
        // Times are UTC instants however they are written; text fields take a number as its digits (an id 12345).
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new UtcDateTimeJsonConverter());
            o.SerializerOptions.Converters.Add(new Touchpoint.Import.TextJsonConverter());
            o.SerializerOptions.Converters.Add(new ValueNameJsonConverter<Channel>());
            o.SerializerOptions.Converters.Add(new ValueNameJsonConverter<Direction>());
            o.SerializerOptions.Converters.Add(new ValueNameJsonConverter<Outcome>());
            o.SerializerOptions.Converters.Add(new ValueNameJsonConverter<MessageAuthor>());
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
            o.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi(o =>
        {
            o.AddValueNameSchemas();
            SortParameter.Describe(o);
            OpenApiSecurity.Describe(o);
        });
        services.AddUiLanguages();
        services.AddRazorPages(o =>
        {
            // Pages are found in the whole project, so a feature folder (Customers/, Interactions/) holds its pages next to
            // its API; every page names its route with @page "/...". Pages/ keeps login, layout and other shared pages.
            o.RootDirectory = "/";
            // Everything behind login unless a page says otherwise (login, public survey and self-service pages).
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/Pages/Denied");
            o.Conventions.AllowAnonymousToPage("/Pages/Status");
            o.Conventions.AllowAnonymousToPage("/Pages/Logout");
            o.Conventions.AllowAnonymousToPage("/Pages/Language");
        });
        services.AddHealthChecks().AddDbContextCheck<Touchpoint.Storage.TouchpointDb>("database");
        services.AddSingleton<LoginThrottle>();
        services.AddOptions<StartupOptions>().BindConfiguration(StartupOptions.Section);
        services.AddHostedService<Touchpoint.Server.Interactions.PendingDerivationsRepair>();
        return builder;
    }

    public static WebApplication UseTouchpointServer(this WebApplication app)
    {
        app.UseKnownProxies();
        app.UseSecurityHeaders();
        // Served over HTTPS (directly, or by a known proxy that says so), browsers are told to use nothing else for this
        // host, so a later plain-HTTP link cannot carry the session cookie in the clear. Not in development, nor for
        // localhost, where a certificate is rarely set up.
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }
        // A failure or an error status without a body: problem details for the API, a page in the UI language for people
        // (rendered by re-executing the request, which keeps the status).
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseExceptionHandler().UseStatusCodePages());
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"),
            web => web.UseExceptionHandler("/status/500").UseStatusCodePagesWithReExecute("/status/{0}"));
        app.UseRequestLocalization();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi().AllowAnonymous();
        app.MapHealthChecks("/health", new HealthCheckOptions()).AllowAnonymous();
        // wwwroot and the packages' static web assets (plotly.js from Plotly.Blazor), from the manifest the build writes:
        // the same endpoints under dotnet run, a published app and the test host.
        app.MapStaticAssets();
        app.MapRazorPages().WithStaticAssets();
        app.MapSegmentsApi();
        app.MapCustomersApi();
        app.MapInteractionsApi();
        app.MapFeedbackApi();
        app.MapReportsApi();
        app.MapAdminApi();
        return app;
    }
}
