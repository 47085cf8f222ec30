using Touchpoint.Interactions;

namespace Touchpoint.Customers;

/// <summary>One person or business the contact center serves, resolved from all its identities.</summary>
public sealed class Customer
{
    public long Id { get; set; }

    /// <summary>The id the source system (CRM, billing) knows this customer by; unique.</summary>
    public required string ExternalId { get; set; }

    public required string Name { get; set; }

    /// <summary>
    /// <see cref="Name"/> as search compares it (<see cref="CustomerNames.Fold"/>: lower case, no accents), kept by
    /// the context on every save; null only on rows stored before it existed, until the next migration run fills it.
    /// </summary>
    public string? SearchName { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }

    public int? BirthYear { get; set; }
    public string? Gender { get; set; }
    public string? City { get; set; }
    public string? Country { get; set; }

    public string AccountType { get; set; } = "consumer";
    public string AccountStatus { get; set; } = "active";
    public string? Plan { get; set; }

    /// <summary>Product codes separated by commas; rules test membership with <c>products has "x"</c>.</summary>
    public string Products { get; set; } = "";

    public double Revenue { get; set; }

    /// <summary>When the relationship began; tenure is measured from here.</summary>
    public DateTime CustomerSince { get; set; }

    public string Language { get; set; } = "en";
    public Channel? PreferredChannel { get; set; }

    /// <summary>Local hours (in <see cref="TimeZone"/>) when nobody may contact the customer proactively.</summary>
    public TimeOnly? QuietHoursStart { get; set; }
    public TimeOnly? QuietHoursEnd { get; set; }
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Set when this profile was merged into another; its history then lives on the survivor.</summary>
    public long? MergedIntoId { get; set; }

    /// <summary>Set when the person's personal data was erased (<see cref="PersonalData.EraseAsync"/>); what is left is anonymous.</summary>
    public DateTime? ErasedAt { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public List<CustomerIdentity> Identities { get; set; } = [];
    public List<ChannelConsent> Consents { get; set; } = [];
    public List<Interaction> Interactions { get; set; } = [];
    public List<Case> Cases { get; set; } = [];

    public int TenureDays(DateTime nowUtc) => (int)Math.Max(0, (nowUtc - CustomerSince).TotalDays);
}

public enum IdentityKind
{
    Email,
    Phone,
    Social,
    Crm,
}

/// <summary>One way to recognise a customer on a channel. A (kind, value) pair belongs to exactly one profile.</summary>
public sealed class CustomerIdentity
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    public IdentityKind Kind { get; set; }

    /// <summary>Normalised value (lower-case email, E.164 phone, lower-case handle without @).</summary>
    public required string Value { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>The stored form of an identity; a phone number without a country code is read in <paramref name="phoneRegion"/>.</summary>
    public static string Normalize(IdentityKind kind, string value, string phoneRegion)
    {
        var v = value.Trim();
        return kind switch
        {
            IdentityKind.Email => v.ToLowerInvariant(),
            IdentityKind.Phone => PhoneKeys.Normalize(v, phoneRegion),
            IdentityKind.Social => v.TrimStart('@').ToLowerInvariant(),
            IdentityKind.Crm => v,
        };
    }
}

/// <summary>Whether the customer agreed to be contacted proactively on a channel.</summary>
public sealed class ChannelConsent
{
    public long CustomerId { get; set; }
    public Channel Channel { get; set; }
    public bool Granted { get; set; }
    public DateTime UpdatedAt { get; set; }
}
