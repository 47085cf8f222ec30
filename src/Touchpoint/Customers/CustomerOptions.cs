using System.ComponentModel.DataAnnotations;

namespace Touchpoint.Customers;

/// <summary>How customers are recognised. Bound from the "Customers" configuration section.</summary>
public sealed class CustomerOptions
{
    public const string Section = "Customers";

    /// <summary>
    /// The region (ISO 3166 code: "US", "GB", "DE") a phone number without a country code is read in: with "GB",
    /// "07911 123456" is the same customer as "+44 7911 123456".
    /// Any case: libphonenumber knows only the upper-case codes, and "gb" was refused as "not a two-letter region code".
    /// </summary>
    [Required, PhoneRegion]
    public string PhoneRegion { get; set => field = value?.Trim().ToUpperInvariant()!; } = "US";
}

/// <summary>A region the phone number metadata knows; anything else would read every national number wrong.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PhoneRegionAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string region && PhoneKeys.IsRegion(region)
            ? ValidationResult.Success
            : new ValidationResult($"The field {validationContext.MemberName} must be a two-letter region code such as US, GB or DE (got '{value}').",
                validationContext.MemberName is { } member ? [member] : null);
}
