using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Touchpoint.Customers;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint;

public static class TouchpointServices
{
    /// <summary>Everything the core needs; the server and the CLI both start here.</summary>
    public static IServiceCollection AddTouchpoint(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddTouchpointStorage(configuration);
        services.AddOptions<InteractionOptions>().BindConfiguration(InteractionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<InteractionOptions>>(new SlaChannelNames(configuration));
        services.AddOptions<CustomerOptions>().BindConfiguration(CustomerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<InteractionIngestor>();
        services.AddScoped<CustomerIngestor>();
        services.AddScoped<CustomerContextQuery>();
        services.AddScoped<CustomerMerge>();
        services.AddScoped<PersonalData>();
        services.AddScoped<CustomerPreferences>();
        services.AddScoped<Touchpoint.Platform.Accounts>();
        services.AddScoped<Touchpoint.Platform.AuditTrail>();
        services.AddScoped<FirstResponseReport>();
        services.AddScoped<Touchpoint.Customers.Segments.SegmentService>();
        services.AddScoped<Touchpoint.Feedback.FeedbackIngestor>();
        // Read models shared by the web pages and the API.
        services.AddScoped<CustomerSearch>();
        services.AddScoped<CustomerProfiles>();
        services.AddScoped<CustomerTimeline>();
        services.AddScoped<InteractionDetails>();
        services.AddScoped<InteractionSearch>();
        services.AddOptions<Touchpoint.Demo.DemoOptions>().BindConfiguration(Touchpoint.Demo.DemoOptions.Section);
        services.AddScoped<Touchpoint.Demo.DemoDataGenerator>();
        return services;
    }
}
