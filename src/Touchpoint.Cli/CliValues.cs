using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Touchpoint.Cli;

/// <summary>
/// Typed options read with messages in words: System.CommandLine's own say "as expected type
/// 'System.Nullable`1[System.Int32]'" for "--batch-size 1.5". A value outside its range is refused here too.
/// </summary>
internal static class CliValues
{
    public static Option<int> WholeNumber(this Option<int> option, int min, int max)
    {
        option.CustomParser = r => Whole(r, option.Name, min, max) ?? default;
        return option;
    }

    public static Option<int?> WholeNumber(this Option<int?> option, int min, int max)
    {
        option.CustomParser = r => Whole(r, option.Name, min, max);
        return option;
    }

    public static Option<DateOnly?> Day(this Option<DateOnly?> option)
    {
        option.CustomParser = r =>
        {
            var text = r.Tokens[^1].Value;
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                return day;
            }
            r.AddError($"{option.Name}: '{text}' is not a day (use yyyy-mm-dd, e.g. 2026-03-02).");
            return null;
        };
        return option;
    }

    private static int? Whole(ArgumentResult r, string name, int min, int max)
    {
        var text = r.Tokens[^1].Value;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            r.AddError($"{name}: '{text}' is not a whole number.");
            return null;
        }
        if (n < min || n > max)
        {
            r.AddError(max == int.MaxValue
                ? string.Create(CultureInfo.InvariantCulture, $"{name} must be at least {min:N0}.")
                : string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min:N0} and {max:N0}."));
            return null;
        }
        return n;
    }
}
