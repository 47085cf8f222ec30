using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Touchpoint.Server.Platform;

/// <summary>
/// How the OpenAPI document says to sign in: an API key in <c>X-Api-Key</c> (integrations) or the login cookie (the web UI),
/// and, per operation, that it needs one (401) and the least role that passes (403). Without it a client generated from
/// the document sent no key, and nothing said which calls only an administrator may make.
/// </summary>
public static class OpenApiSecurity
{
    private const string ApiKey = "ApiKey";
    private const string Cookie = "Cookie";

    public static void Describe(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKey] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = Authentication.ApiKeyHeader,
                Description = "A key an administrator issues (Administration, or the access page); it carries a role.",
            };
            document.Components.SecuritySchemes[Cookie] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Cookie, Name = Authentication.CookieName,
                Description = "The session cookie the login form (/login) sets.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any())
            {
                return Task.CompletedTask;
            }
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKey, context.Document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Cookie, context.Document)] = [] },
            ];
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No API key or session, or a revoked or unknown key." });
            // Policies are named after the least role that passes; an endpoint names one at most (its group may name none).
            var least = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null) switch
            {
                Authentication.Policies.Admin => "Admin",
                Authentication.Policies.Manager => "Manager (or Admin)",
                Authentication.Policies.Evaluator => "Evaluator (or Manager, Admin)",
                _ => null,
            };
            if (least is not null)
            {
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = $"The key's or user's role is not {least}." });
                operation.Description = (operation.Description is { Length: > 0 } d ? d + "\n\n" : "") + $"Role: {least}.";
            }
            else
            {
                operation.Description = (operation.Description is { Length: > 0 } d ? d + "\n\n" : "") + "Role: any (Agent and up).";
            }
            return Task.CompletedTask;
        });
    }
}
