using System.Globalization;
using System.Resources;
using Microsoft.Extensions.Localization;

namespace Touchpoint.Server.Platform;

/// <summary>
/// All UI text, English (SharedResource.resx) and Russian (SharedResource.ru.resx). Pages read it through
/// IStringLocalizer&lt;SharedResource&gt; (injected as <c>T</c> in _ViewImports); static helpers with nothing injected
/// (Display, charts) read the same resources through <see cref="Text(string)"/>. Both follow the request's UI culture,
/// which RequestLocalization sets from the language cookie or Accept-Language.
/// </summary>
public sealed class SharedResource
{
    private static readonly ResourceManager Resources = new(typeof(SharedResource).FullName!, typeof(SharedResource).Assembly);

    public static string Text(string key) => Resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;

    public static string Text(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, Text(key), args);

    /// <summary>"{n} contact(s)" in the plural form the UI language needs: keys end in .One, .Few and .Many.</summary>
    public static string Plural(string key, long n) => Text(key + "." + PluralForm(n, CultureInfo.CurrentUICulture), Pages.Shared.Display.Number(n));

    /// <summary>CLDR plural categories for the two UI languages: Russian has one/few/many, English one/other (stored as Many).</summary>
    public static string PluralForm(long n, CultureInfo culture)
    {
        if (culture.TwoLetterISOLanguageName != "ru")
        {
            return n == 1 ? "One" : "Many";
        }
        var (ones, tens) = (Math.Abs(n) % 10, Math.Abs(n) % 100);
        return ones == 1 && tens != 11 ? "One"
            : ones is >= 2 and <= 4 && tens is < 12 or > 14 ? "Few"
            : "Many";
    }
}

public static class LocalizerExtensions
{
    /// <summary>
    /// The plural form of <paramref name="key"/> for <paramref name="n"/> ({0}), for pages (see <see cref="SharedResource.Plural"/>);
    /// <paramref name="more"/> fills {1} on.
    /// </summary>
    public static LocalizedString Plural(this IStringLocalizer localizer, string key, long n, params object[] more) =>
        localizer[key + "." + SharedResource.PluralForm(n, CultureInfo.CurrentUICulture), [Pages.Shared.Display.Number(n), .. more]];
}
