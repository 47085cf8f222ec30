using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Touchpoint.Platform;
using Touchpoint.Storage;

namespace Touchpoint.Server.Platform;

/// <summary>
/// People sign in with a cookie; integrations send an API key in <c>X-Api-Key</c>. Both end up as a principal with a role claim.
/// Cookie keys live in the database, so a login made on one server node is valid on every other.
/// </summary>
public static class Authentication
{
    public const string Scheme = "Touchpoint";
    public const string ApiKeyScheme = "ApiKey";
    public const string ApiKeyHeader = "X-Api-Key";
    public const string CookieName = ".Touchpoint.Auth";
    public const string UserIdClaim = "touchpoint:user_id";
    public const string StampClaim = "touchpoint:stamp";

    /// <summary>Authorization policies, named after the least role that passes.</summary>
    public static class Policies
    {
        public const string Admin = "admin";
        public const string Manager = "manager";
        public const string Evaluator = "evaluator";
    }

    /// <summary>
    /// Whether <paramref name="user"/> passes the Manager policy: for page handlers that only managers may run (Razor
    /// Pages authorize a whole page, not one handler) and for what a page shows them.
    /// </summary>
    public static async Task<bool> IsManagerAsync(this IAuthorizationService authorization, ClaimsPrincipal user) =>
        (await authorization.AuthorizeAsync(user, Policies.Manager)).Succeeded;

    /// <summary>Whether <paramref name="user"/> passes the Admin policy, for handlers and parts of a page only administrators get.</summary>
    public static async Task<bool> IsAdminAsync(this IAuthorizationService authorization, ClaimsPrincipal user) =>
        (await authorization.AuthorizeAsync(user, Policies.Admin)).Succeeded;

    public static IServiceCollection AddTouchpointAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var keys = services.AddDataProtection().SetApplicationName("Touchpoint").PersistKeysToDbContext<TouchpointDb>();
        // Optional: encrypt the stored key ring with a certificate every node holds, so a database dump alone cannot forge logins.
        if (configuration["DataProtection:CertificatePath"] is { Length: > 0 } certificate)
        {
            keys.ProtectKeysWithCertificate(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
                certificate, configuration["DataProtection:CertificatePassword"]));
        }
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Cookie or API key", o =>
                o.ForwardDefaultSelector = context => context.Request.Headers.ContainsKey(ApiKeyHeader)
                    ? ApiKeyScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.AccessDeniedPath = "/denied";
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                // API callers get status codes, not a redirect to an HTML form.
                o.Events.OnRedirectToLogin = context => ApiOrRedirect(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => ApiOrRedirect(context, StatusCodes.Status403Forbidden);
                // The cookie carries the role and the user's security stamp: a changed password, a changed role or a removed
                // user ends the session on the next request, on every node (one primary-key lookup).
                o.Events.OnValidatePrincipal = ValidateSessionAsync;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyScheme, null);
        // The ticket stays in the database; the cookie carries its key (see LoginSessionStore).
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<DatabaseTarget, TimeProvider>((o, target, time) => o.SessionStore = new LoginSessionStore(target, time));
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireRole(nameof(Role.Admin)))
            .AddPolicy(Policies.Manager, p => p.RequireRole(nameof(Role.Admin), nameof(Role.Manager)))
            .AddPolicy(Policies.Evaluator, p => p.RequireRole(nameof(Role.Admin), nameof(Role.Manager), nameof(Role.Evaluator)));
        return services;
    }

    public static ClaimsPrincipal PrincipalFor(User user) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.Name, user.Email),
        new Claim(ClaimTypes.GivenName, user.Name),
        new Claim(ClaimTypes.Role, user.Role.ToString()),
        new Claim(UserIdClaim, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new Claim(StampClaim, user.SecurityStamp),
    ], CookieAuthenticationDefaults.AuthenticationScheme));

    public static Task SignInAsync(HttpContext context, User user, bool remember) =>
        context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, PrincipalFor(user),
            new AuthenticationProperties { IsPersistent = remember });

    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var current = principal?.FindFirst(UserIdClaim)?.Value is { } id && long.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out var userId)
            && principal.FindFirst(StampClaim)?.Value is { } stamp
            && Enum.TryParse<Role>(principal.FindFirst(ClaimTypes.Role)?.Value, out var role)
            && await context.HttpContext.RequestServices.GetRequiredService<Accounts>()
                .SessionIsCurrentAsync(userId, stamp, role, context.HttpContext.RequestAborted);
        if (!current)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    /// <summary>
    /// What a 401 names as ways in (RFC 9110 requires at least one): an API key in <c>X-Api-Key</c>, or the cookie the login
    /// form sets (the "Cookie" scheme drafted in draft-broyer-http-cookie-auth). Neither is a registered scheme; the
    /// parameters are for the person reading the response.
    /// </summary>
    private static readonly string[] Challenges =
    [
        $"ApiKey realm=\"Touchpoint\", header=\"{ApiKeyHeader}\"",
        $"Cookie realm=\"Touchpoint\", form-action=\"/login\", cookie-name=\"{CookieName}\"",
    ];

    /// <summary>401 with the challenges; the body is left empty for the status-code pages to write problem details.</summary>
    private static void Unauthorized(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers.WWWAuthenticate = Challenges;
    }

    private static Task ApiOrRedirect(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.Redirect(context.RedirectUri);
        }
        else if (status == StatusCodes.Status401Unauthorized)
        {
            Unauthorized(context.Response);
        }
        else
        {
            context.Response.StatusCode = status;
        }
        return Task.CompletedTask;
    }

    private sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, Accounts accounts)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(ApiKeyHeader, out var values) || values.ToString() is not { Length: > 0 } secret)
            {
                return AuthenticateResult.NoResult();
            }
            var key = await accounts.FindApiKeyAsync(secret, Context.RequestAborted);
            if (key is null)
            {
                return AuthenticateResult.Fail("Unknown or revoked API key.");
            }
            var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, "api-key:" + key.Name),
                new Claim(ClaimTypes.Role, key.Role.ToString()),
                new Claim("touchpoint:api_key", key.Prefix),
            ], ApiKeyScheme);
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyScheme));
        }

        /// <summary>A wrong or revoked key answers 401 with the challenges, on any path: the caller is an integration, not a browser.</summary>
        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Unauthorized(Response);
            return Task.CompletedTask;
        }
    }
}
