using Touchpoint.Import;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint.Customers;

/// <summary>
/// A customer as a source system sends it. Identities (email, phone, social handle, CRM id) that already
/// belong to a profile resolve the row to that profile; attributes left null keep their stored value.
/// </summary>
public sealed partial record CustomerInput
{
    public required string ExternalId { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public string? SocialHandle { get; init; }
    public string? CrmId { get; init; }

    /// <summary>
    /// More ways the customer is known, each <c>kind:value</c> (<c>email:ada@home.example</c>, <c>phone:+44 7700 900123</c>,
    /// <c>social:@ada</c>, <c>crm:SF-0042</c>): what an export writes beyond the one email, phone, handle and CRM id, so a
    /// profile that learned a second address keeps it through an export and import.
    /// </summary>
    public IReadOnlyList<string>? OtherIdentities { get; init; }

    public int? BirthYear { get; init; }
    public string? Gender { get; init; }
    public string? City { get; init; }
    public string? Country { get; init; }
    public string? AccountType { get; init; }
    public string? AccountStatus { get; init; }
    public string? Plan { get; init; }
    public IReadOnlyList<string>? Products { get; init; }
    public double? Revenue { get; init; }
    public DateTime? CustomerSince { get; init; }
    public string? Language { get; init; }
    public Channel? PreferredChannel { get; init; }
    public TimeOnly? QuietHoursStart { get; init; }
    public TimeOnly? QuietHoursEnd { get; init; }
    public string? TimeZone { get; init; }

    /// <summary>Consent per channel; channels not named keep their stored consent.</summary>
    public IReadOnlyDictionary<Channel, bool>? Consents { get; init; }

    /// <summary>
    /// When the customer gave the <see cref="Consents"/> (the source's own date). A stored decision made later, by an
    /// agent on the 360 page or another source, is kept: a nightly sync of an older opt-in must not undo today's opt-out.
    /// Without it the consents are as of the import.
    /// </summary>
    public DateTime? ConsentsAt { get; init; }

    /// <summary>
    /// When each channel's consent was given, where the source knows it per channel (an export writes these): a channel
    /// named here takes its own date rather than <see cref="ConsentsAt"/>.
    /// </summary>
    public IReadOnlyDictionary<Channel, DateTime>? ConsentDates { get; init; }

    /// <summary>
    /// The external id of the profile this one was merged into (what an export writes for a merged profile): once
    /// the rows are stored, this profile is merged into that one, as <c>POST /api/customers/{id}/merge</c> would.
    /// </summary>
    public string? MergedInto { get; init; }

    public IReadOnlyList<FieldError> Validate(DateTime nowUtc)
    {
        var errors = new List<FieldError>();
        // A date after now would outrank every decision until then, an agent's opt-out included.
        HappenedAt.Check(errors, "consents_at", ConsentsAt, nowUtc);
        // Tenure counts from it: a typed-wrong year would make a long-standing customer new for years to come.
        HappenedAt.Check(errors, "customer_since", CustomerSince, nowUtc);
        foreach (var (channel, at) in ConsentDates ?? new Dictionary<Channel, DateTime>())
        {
            HappenedAt.Check(errors, "consent_dates", at, nowUtc);
            if (Consents?.ContainsKey(channel) != true)
            {
                errors.Add(new("consent_dates", $"dates {channel}, which consents does not name"));
            }
        }
        if (string.IsNullOrWhiteSpace(ExternalId))
        {
            errors.Add(new("external_id", "is required"));
        }
        else
        {
            StoredLengths.Check(errors, "external_id", ExternalId, StoredLengths.ExternalId);
        }
        if (Email is { Length: > 0 } email && (!email.Contains('@', StringComparison.Ordinal) || email.Length > StoredLengths.IdentityValue))
        {
            errors.Add(new("email", "is not an email address"));
        }
        StoredText.CheckPhone(errors, "phone", Phone);
        StoredText.CheckHandle(errors, "social_handle", SocialHandle);
        StoredText.CheckNoNul(errors, [("external_id", ExternalId), ("name", Name), ("email", Email), ("phone", Phone), ("social_handle", SocialHandle),
            ("crm_id", CrmId), ("gender", Gender), ("city", City), ("country", Country), ("account_type", AccountType),
            ("account_status", AccountStatus), ("plan", Plan), ("products", Products is null ? null : string.Concat(Products)),
            ("language", Language), ("time_zone", TimeZone)]);
        StoredLengths.Check(errors, "name", Name, StoredLengths.CustomerName);
        StoredText.CheckNoNul(errors, [("merged_into", MergedInto)]);
        StoredLengths.Check(errors, "merged_into", MergedInto, StoredLengths.ExternalId);
        if (MergedInto is { } into && into.Trim() == ExternalId?.Trim())
        {
            errors.Add(new("merged_into", "is the customer itself"));
        }
        StoredLengths.Check(errors, "phone", Phone, StoredLengths.IdentityValue);
        StoredLengths.Check(errors, "social_handle", SocialHandle, StoredLengths.IdentityValue);
        StoredLengths.Check(errors, "crm_id", CrmId, StoredLengths.IdentityValue);
        // Stored joined by commas, and CSV files separate them by ';' or ',': a product holding either would come back as two.
        if (Products is not null && Products.Any(p => p is null || p.IndexOfAny([',', ';']) >= 0))
        {
            errors.Add(new("products", "a product code must not be null or contain ',' or ';'"));
        }
        // Stored joined by commas.
        StoredLengths.Check(errors, "products", Products is null ? null : string.Join(',', Products), StoredLengths.Products);
        if (Revenue is < 0)
        {
            errors.Add(new("revenue", "must not be negative"));
        }
        else if (Revenue is { } revenue && !double.IsFinite(revenue))
        {
            errors.Add(new("revenue", "must be a finite number"));
        }
        if (BirthYear is < 1900 or > 2100)
        {
            errors.Add(new("birth_year", "is out of range"));
        }
        if (TimeZone is { Length: > 0 } tz && !TimeZoneInfo.TryFindSystemTimeZoneById(tz, out _))
        {
            errors.Add(new("time_zone", $"'{tz}' is not a known time zone"));
        }
        foreach (var entry in OtherIdentities ?? [])
        {
            CheckOtherIdentity(errors, entry);
        }
        return errors;
    }

    public const string OtherIdentitiesField = "other_identities";

    /// <summary>The kind and value of a <c>kind:value</c> entry of <see cref="OtherIdentities"/>; null when it is not one.</summary>
    public static (IdentityKind Kind, string Value)? ReadOtherIdentity(string? entry)
    {
        var colon = entry?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0)
        {
            return null;
        }
        IdentityKind? kind = entry![..colon].Trim().ToLowerInvariant() switch
        {
            "email" => IdentityKind.Email,
            "phone" => IdentityKind.Phone,
            "social" or "handle" => IdentityKind.Social,
            "crm" => IdentityKind.Crm,
            _ => null,
        };
        var value = entry[(colon + 1)..].Trim();
        return kind is { } k && value.Length > 0 ? (k, value) : null;
    }

    /// <summary>
    /// The entries of a file's other_identities cell: split at each ';' that starts another <c>name:</c> entry (or ends the
    /// cell), not at every ';', as the email and crm_id columns take one ("crm:SF;2" is one entry).
    /// </summary>
    public static List<string> SplitOtherIdentities(string cell) =>
        EntrySeparator().Split(cell).Select(e => e.Trim()).Where(e => e.Length > 0).ToList();

    [System.Text.RegularExpressions.GeneratedRegex(@";(?=\s*(?:;|[A-Za-z][A-Za-z0-9_-]*\s*:|$))")]
    private static partial System.Text.RegularExpressions.Regex EntrySeparator();

    private static void CheckOtherIdentity(List<FieldError> errors, string? entry)
    {
        const string field = OtherIdentitiesField;
        if (ReadOtherIdentity(entry) is not var (kind, value))
        {
            errors.Add(new(field, $"'{entry}' is not kind:value (email, phone, social or crm)"));
            return;
        }
        // The files join the entries with ';': one a file would read back as another entry, or cut short, cannot go there.
        if (SplitOtherIdentities(entry!) is not [var whole] || whole != entry!.Trim())
        {
            errors.Add(new(field, $"'{entry}' holds a ';' that a file would read as the start of another entry"));
        }
        StoredText.CheckNoNul(errors, [(field, value)]);
        StoredLengths.Check(errors, field, value, StoredLengths.IdentityValue);
        switch (kind)
        {
            case IdentityKind.Email when !value.Contains('@', StringComparison.Ordinal):
                errors.Add(new(field, $"'{value}' is not an email address"));
                break;
            case IdentityKind.Phone:
                StoredText.CheckPhone(errors, field, value);
                break;
            case IdentityKind.Social:
                StoredText.CheckHandle(errors, field, value);
                break;
        }
    }
}
