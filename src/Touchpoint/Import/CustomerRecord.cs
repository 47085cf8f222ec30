using Touchpoint.Customers;
using Touchpoint.Interactions;

namespace Touchpoint.Import;

/// <summary>A customer as it appears in an import or export file (see docs/import-formats.md).</summary>
public sealed class CustomerRecord
{
    public string? ExternalId { get; set; }
    public string? Name { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? SocialHandle { get; set; }
    public string? CrmId { get; set; }
    public List<string>? OtherIdentities { get; set; }
    public int? BirthYear { get; set; }
    public string? Gender { get; set; }
    public string? City { get; set; }
    public string? Country { get; set; }
    public string? AccountType { get; set; }
    public string? AccountStatus { get; set; }
    public string? Plan { get; set; }
    public List<string>? Products { get; set; }
    public double? Revenue { get; set; }
    public DateTime? CustomerSince { get; set; }
    public string? Language { get; set; }
    public Channel? PreferredChannel { get; set; }
    public TimeOnly? QuietHoursStart { get; set; }
    public TimeOnly? QuietHoursEnd { get; set; }
    public string? TimeZone { get; set; }
    public Dictionary<Channel, bool>? Consents { get; set; }
    public DateTime? ConsentsAt { get; set; }
    public Dictionary<Channel, DateTime>? ConsentDates { get; set; }
    public string? MergedInto { get; set; }

    public static readonly IReadOnlyList<RecordField<CustomerRecord>> Fields =
    [
        new("external_id", (r, v) => r.ExternalId = v, r => r.ExternalId, "id", "customer_id", "customer_external_id"),
        new("name", (r, v) => r.Name = v, r => r.Name, "customer_name", "full_name"),
        new("email", (r, v) => r.Email = v, r => r.Email, "email_address"),
        new("phone", (r, v) => r.Phone = v, r => r.Phone, "phone_number"),
        new("social_handle", (r, v) => r.SocialHandle = v, r => r.SocialHandle, "handle", "twitter"),
        new("crm_id", (r, v) => r.CrmId = v, r => r.CrmId),
        // "email:ada@home.example;phone:+447700900123": identities beyond the columns above (an email learned from a contact).
        new(CustomerInput.OtherIdentitiesField, (r, v) => r.OtherIdentities = CustomerInput.SplitOtherIdentities(v),
            r => r.OtherIdentities is null ? null : string.Join(';', r.OtherIdentities)),
        new("birth_year", (r, v) => r.BirthYear = Cells.Int("birth_year", v), r => Cells.Format(r.BirthYear)),
        new("gender", (r, v) => r.Gender = v, r => r.Gender),
        new("city", (r, v) => r.City = v, r => r.City),
        new("country", (r, v) => r.Country = v, r => r.Country),
        new("account_type", (r, v) => r.AccountType = v, r => r.AccountType),
        new("account_status", (r, v) => r.AccountStatus = v, r => r.AccountStatus, "status"),
        new("plan", (r, v) => r.Plan = v, r => r.Plan),
        new("products", (r, v) => r.Products = v.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
            r => r.Products is null ? null : string.Join(';', r.Products)),
        new("revenue", (r, v) => r.Revenue = Cells.Double("revenue", v), r => Cells.Format(r.Revenue)),
        new("customer_since", (r, v) => r.CustomerSince = Cells.Instant("customer_since", v), r => Cells.Format(r.CustomerSince), "since"),
        new("language", (r, v) => r.Language = v, r => r.Language),
        new("preferred_channel", (r, v) => r.PreferredChannel = Cells.Channel("preferred_channel", v), r => r.PreferredChannel?.ToString()),
        new("quiet_hours_start", (r, v) => r.QuietHoursStart = Cells.Time("quiet_hours_start", v), r => Cells.Format(r.QuietHoursStart)),
        new("quiet_hours_end", (r, v) => r.QuietHoursEnd = Cells.Time("quiet_hours_end", v), r => Cells.Format(r.QuietHoursEnd)),
        new("time_zone", (r, v) => r.TimeZone = v, r => r.TimeZone, "timezone"),
        new("consents", (r, v) => r.Consents = ParseConsents(v), r => r.Consents is null ? null : string.Join(';', r.Consents.Select(c => $"{c.Key}={(c.Value ? "yes" : "no")}"))),
        new("consents_at", (r, v) => r.ConsentsAt = Cells.Instant("consents_at", v), r => Cells.Format(r.ConsentsAt)),
        new("consent_dates", (r, v) => r.ConsentDates = ParseConsentDates(v),
            r => r.ConsentDates is null ? null : string.Join(';', r.ConsentDates.Select(d => $"{d.Key}={Cells.Format(d.Value)}"))),
        new("merged_into", (r, v) => r.MergedInto = v, r => r.MergedInto),
    ];

    /// <summary>"email=yes;sms=no": consent per channel (',' and ':' are taken too).</summary>
    private static Dictionary<Channel, bool> ParseConsents(string text) =>
        PerChannel(text, "consents", [';', ','], ['=', ':'], "channel=yes|no", v => Cells.Bool("consents", v));

    /// <summary>"email=2026-03-01T09:00:00Z;sms=2026-03-10T12:00:00Z": when each channel's consent was given (the time holds ':' and may not separate).</summary>
    private static Dictionary<Channel, DateTime> ParseConsentDates(string text) =>
        PerChannel(text, "consent_dates", [';'], ['='], "channel=time", v => Cells.Instant("consent_dates", v));

    /// <summary>A cell of channel=value parts: each part split at its first <paramref name="equals"/>, the channel read as names are.</summary>
    private static Dictionary<Channel, T> PerChannel<T>(string text, string field, char[] separators, char[] equals, string shape, Func<string, T> value)
    {
        var values = new Dictionary<Channel, T>();
        foreach (var part in text.Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOfAny(equals);
            if (eq <= 0)
            {
                throw new RecordFieldException(field, $"'{part}' is not {shape}");
            }
            values[Cells.Channel(field, part[..eq])] = value(part[(eq + 1)..]);
        }
        return values;
    }

    public CustomerInput ToInput() => new()
    {
        ExternalId = ExternalId ?? "",
        Name = Name,
        Email = Email,
        Phone = Phone,
        SocialHandle = SocialHandle,
        CrmId = CrmId,
        OtherIdentities = OtherIdentities,
        BirthYear = BirthYear,
        Gender = Gender,
        City = City,
        Country = Country,
        AccountType = AccountType,
        AccountStatus = AccountStatus,
        Plan = Plan,
        Products = Products,
        Revenue = Revenue,
        CustomerSince = CustomerSince,
        Language = Language,
        PreferredChannel = PreferredChannel,
        QuietHoursStart = QuietHoursStart,
        QuietHoursEnd = QuietHoursEnd,
        TimeZone = TimeZone,
        Consents = Consents,
        ConsentsAt = ConsentsAt,
        ConsentDates = ConsentDates,
        MergedInto = MergedInto,
    };
}
