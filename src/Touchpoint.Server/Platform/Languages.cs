using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.WebEncoders;
using static Touchpoint.Server.Platform.SharedResource;

namespace Touchpoint.Server.Platform;

/// <summary>The UI languages and their set-up. Language names are written in their own language (endonyms), the same in every UI.</summary>
public static class Languages
{
    public const string Default = "en";

    public static readonly string[] All = ["en", "ru"];

    public static string Name(string culture) => culture switch
    {
        "ru" => "Русский",
        _ => "English",
    };

    public static IServiceCollection AddUiLanguages(this IServiceCollection services)
    {
        services.AddLocalization();
        services.Configure<RequestLocalizationOptions>(o =>
        {
            // The language cookie (set by the switch in the layout) wins over Accept-Language; English is the default.
            o.SetDefaultCulture(Default).AddSupportedCultures(All).AddSupportedUICultures(All);
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        // Razor would otherwise write every Cyrillic letter as a character reference (&#x41A;), doubling Russian pages.
        services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        // Query values that do not parse (a date typed by hand) are reported on the page in the UI language.
        services.Configure<MvcOptions>(o =>
        {
            var messages = o.ModelBindingMessageProvider;
            messages.SetAttemptedValueIsInvalidAccessor((value, field) => Text("Validation.ValueInvalid", value, field));
            messages.SetNonPropertyAttemptedValueIsInvalidAccessor(value => Text("Validation.ValueInvalidNoField", value));
            messages.SetUnknownValueIsInvalidAccessor(field => Text("Validation.UnknownValueInvalid", field));
            messages.SetValueIsInvalidAccessor(value => Text("Validation.ValueInvalidNoField", value));
            messages.SetValueMustBeANumberAccessor(field => Text("Validation.MustBeNumber", field));
        });
        return services;
    }
}
