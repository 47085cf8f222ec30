using System.Globalization;
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

    /// <summary>
    /// English with dates written year first and a 24-hour clock, as in ISO 8601 (2026-11-25 14:03, long form 25 November
    /// 2026): en-US's 11/12/2026 reads as 11 December in most places a contact center serves. Russian keeps its own
    /// day-first dates (25.11.2026 14:03), which no Russian reader takes for another day.
    /// </summary>
    private static readonly CultureInfo English = EnglishCulture();

    private static CultureInfo EnglishCulture()
    {
        var english = (CultureInfo)CultureInfo.GetCultureInfo(Default).Clone();
        var dates = english.DateTimeFormat;
        dates.ShortDatePattern = "yyyy-MM-dd";
        dates.LongDatePattern = "d MMMM yyyy";
        dates.ShortTimePattern = "HH:mm";
        dates.LongTimePattern = "HH:mm:ss";
        dates.FullDateTimePattern = "d MMMM yyyy HH:mm:ss";
        return CultureInfo.ReadOnly(english);
    }

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
            CultureInfo[] cultures = [.. All.Select(c => c == Default ? English : CultureInfo.GetCultureInfo(c))];
            o.DefaultRequestCulture = new RequestCulture(English);
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        // Razor would otherwise write every Cyrillic letter as a character reference (&#x41A;), doubling Russian pages.
        services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        // Query values that do not parse (a date typed by hand) are reported on the page in the UI language.
        services.Configure<MvcOptions>(o =>
        {
            // A field is named as its form labels it: the page models give each filter [Display(Name = "resource key")]
            // (without one, the property's name, "From" or "AgentId", showed in every language).
            var messages = o.ModelBindingMessageProvider;
            messages.SetAttemptedValueIsInvalidAccessor((value, field) => Text("Validation.ValueInvalid", value, Text(field)));
            messages.SetNonPropertyAttemptedValueIsInvalidAccessor(value => Text("Validation.ValueInvalidNoField", value));
            messages.SetUnknownValueIsInvalidAccessor(field => Text("Validation.UnknownValueInvalid", Text(field)));
            messages.SetValueIsInvalidAccessor(value => Text("Validation.ValueInvalidNoField", value));
            messages.SetValueMustBeANumberAccessor(field => Text("Validation.MustBeNumber", Text(field)));
        });
        return services;
    }
}
