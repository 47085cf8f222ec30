using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Touchpoint.Server.Platform;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address, so the login rate limit would be one bucket for
/// everybody and logs would name the proxy. <c>ForwardedHeaders:KnownProxies</c> lists the proxies (addresses or CIDR
/// networks) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed. Empty, the default, means the
/// headers are ignored: anyone can send them, so only a configured proxy may change the client address.
/// </summary>
public static class KnownProxies
{
    public const string Key = "ForwardedHeaders:KnownProxies";

    public static IServiceCollection AddKnownProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var entries = Entries(configuration);
        if (entries.Count == 0)
        {
            return services;
        }
        var (proxies, networks) = Parse(entries);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The defaults trust loopback; only what is configured is trusted here.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            proxies.ForEach(o.KnownProxies.Add);
            networks.ForEach(o.KnownIPNetworks.Add);
            // Walk back through a chain of known proxies to the first address that is not one (the limit of 1 would stop
            // at the inner proxy when there are two).
            o.ForwardLimit = null;
        });
        return services;
    }

    /// <summary>
    /// First in the pipeline, so the exception handler, rate limiter, authentication and logs all see the client. Not used
    /// at all without configured proxies: the middleware with empty lists would believe every sender.
    /// </summary>
    public static WebApplication UseKnownProxies(this WebApplication app)
    {
        if (Entries(app.Configuration).Count > 0)
        {
            app.UseForwardedHeaders();
        }
        return app;
    }

    /// <summary>A list (<c>KnownProxies:0</c>, <c>KnownProxies:1</c>) or one comma-separated value, handy in an environment variable.</summary>
    private static List<string> Entries(IConfiguration configuration)
    {
        var section = configuration.GetSection(Key);
        return (section.Value?.Split(',') ?? []).Concat(section.GetChildren().Select(c => c.Value ?? ""))
            .Select(e => e.Trim()).Where(e => e.Length > 0).ToList();
    }

    private static (List<IPAddress> Proxies, List<System.Net.IPNetwork> Networks) Parse(List<string> entries)
    {
        var proxies = new List<IPAddress>();
        var networks = new List<System.Net.IPNetwork>();
        foreach (var entry in entries)
        {
            if (entry.Contains('/', StringComparison.Ordinal) && System.Net.IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                proxies.Add(address);
            }
            else
            {
                throw new InvalidOperationException(
                    $"{Key}: \"{entry}\" is neither an IP address nor a CIDR network (such as 10.0.0.5 or 10.0.0.0/8).");
            }
        }
        return (proxies, networks);
    }
}
