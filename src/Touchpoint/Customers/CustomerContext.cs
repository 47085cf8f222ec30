using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Feedback;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint.Customers;

public sealed record ContextProfile(long Id, string ExternalId, string Name, string? Email, string? Phone, string AccountType, string AccountStatus,
    string? Plan, IReadOnlyList<string> Products, double Revenue, DateTime CustomerSince, int TenureDays, string? City, string? Country,
    string Language, string TimeZone, Channel? PreferredChannel, TimeOnly? QuietHoursStart, TimeOnly? QuietHoursEnd);

public sealed record ContextIdentity(IdentityKind Kind, string Value);

public sealed record ContextConsent(Channel Channel, bool Granted, DateTime UpdatedAt);

/// <summary>One recent contact, with the first thing the customer said, so nobody asks them to say it again.</summary>
public sealed record ContextInteraction(long Id, string ExternalId, Channel Channel, Direction Direction, DateTime StartedAt, string? Agent,
    string? Queue, string? Reason, string? Subject, Outcome Outcome, long? CaseId, bool IsRepeat, bool FirstContactResolved, bool ChannelSwitch,
    bool? SlaMet, int? FirstResponseSeconds, string? CustomerSaid);

/// <summary>
/// What an agent or a bot should know before answering. <see cref="RepeatContact"/>: the customer contacted us within the
/// repeat window before their latest contact; <see cref="ChannelSwitcher"/>: an open case (or the latest contact) moved
/// between channels; <see cref="RecentDetractor"/>: NPS 0–6, CSAT 1–2 or CES 5–7 in the last 90 days.
/// </summary>
public sealed record ContextFlags(DateTime? LastContactAt, Channel? LastChannel, string? LastReason, int ContactsLast7Days, int ContactsLast30Days,
    bool RepeatContact, bool ChannelSwitcher, bool UnresolvedLastContact, int OpenCases, bool SlaMissedLast30Days, bool RecentDetractor,
    bool InQuietHoursNow, bool PreferredChannelConsented);

public sealed record CustomerContext(ContextProfile Customer, IReadOnlyList<ContextIdentity> Identities, IReadOnlyList<ContextConsent> Consents,
    IReadOnlyList<string> Segments, string? Persona, ContextFlags Flags, IReadOnlyList<ContextInteraction> RecentInteractions,
    IReadOnlyList<OpenCaseSummary> OpenCases, IReadOnlyList<FeedbackSummary> RecentFeedback, DateTime GeneratedAt);

/// <summary>
/// The one call an agent desktop or a bot makes: everything the customer did and said on every channel, open cases,
/// recent feedback and derived flags. A handful of indexed queries, each bounded by the customer id.
/// </summary>
public sealed class CustomerContextQuery(TouchpointDb db, CustomerProfiles profiles, IOptions<InteractionOptions> options, IOptions<CustomerOptions> customerOptions, TimeProvider time)
{
    public const int DefaultRecent = 20;
    public const int MaxRecent = 200;
    private const int SaidLength = 280;

    /// <summary>The survivor's id for a customer id, an external id or any identity (email, phone, social handle, CRM id).</summary>
    public async Task<long?> FindAsync(string? externalId, string? email, string? phone, string? handle, CancellationToken cancellationToken)
    {
        long? id = null;
        if (!string.IsNullOrWhiteSpace(externalId) && !externalId.Contains('\0', StringComparison.Ordinal))
        {
            var key = externalId.Trim();
            id = await db.Customers.Where(c => c.ExternalId == key).Select(c => (long?)(c.MergedIntoId ?? c.Id)).FirstOrDefaultAsync(cancellationToken)
                 ?? await ByIdentityAsync(IdentityKind.Crm, key, cancellationToken);
        }
        id ??= await ByIdentityAsync(IdentityKind.Email, email, cancellationToken);
        id ??= await ByIdentityAsync(IdentityKind.Phone, phone, cancellationToken);
        id ??= await ByIdentityAsync(IdentityKind.Social, handle, cancellationToken);
        return id;
    }

    private async Task<long?> ByIdentityAsync(IdentityKind kind, string? value, CancellationToken cancellationToken)
    {
        // No identity holds a NUL, and PostgreSQL fails a query that sends one.
        if (string.IsNullOrWhiteSpace(value) || value.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }
        var normalized = CustomerIdentity.Normalize(kind, value, customerOptions.Value.PhoneRegion);
        return await db.CustomerIdentities.Where(i => i.Kind == kind && i.Value == normalized).Select(i => (long?)i.CustomerId)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The context of a customer, following a merge to the surviving profile; null when there is no such customer.</summary>
    public async Task<CustomerContext?> GetAsync(long customerId, int recent = DefaultRecent, CancellationToken cancellationToken = default)
    {
        return await profiles.FindLiveAsync(customerId, cancellationToken) is { } profile
            ? await ForProfileAsync(profile, recent, cancellationToken)
            : null;
    }

    /// <summary>The context around a profile already read (the 360 page reads the profile itself).</summary>
    public async Task<CustomerContext> ForProfileAsync(CustomerProfile profile, int recent = DefaultRecent, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var customer = profile.Customer;
        var id = customer.Id;
        var interactions = await db.Interactions.AsNoTracking().Where(i => i.CustomerId == id).OrderByDescending(i => i.StartedAt).ThenByDescending(i => i.Id)
            .Take(Math.Clamp(recent, 1, MaxRecent))
            .ToSummaries()
            .ToListAsync(cancellationToken);
        var ids = interactions.Select(i => i.Id).ToList();
        // Only the customer's first message of each contact, cut in the database: transcripts can be long.
        var said = (await db.Messages.AsNoTracking()
                .Where(m => ids.Contains(m.InteractionId) && m.Author == MessageAuthor.Customer
                    && m.Sequence == db.Messages.Where(x => x.InteractionId == m.InteractionId && x.Author == MessageAuthor.Customer).Min(x => x.Sequence))
                .Select(m => new { m.InteractionId, Text = m.Text.Substring(0, SaidLength + 1) })
                .ToListAsync(cancellationToken))
            .ToDictionary(m => m.InteractionId, m => Shorten(m.Text));
        var recentInteractions = interactions.Select(i => new ContextInteraction(i.Id, i.ExternalId, i.Channel, i.Direction, i.StartedAt, i.AgentName,
            i.Queue, i.Reason, i.Subject, i.Outcome, i.CaseId, i.IsRepeat, i.FirstContactResolved, i.ChannelSwitch, i.SlaMet,
            i.FirstResponseSeconds, said.GetValueOrDefault(i.Id))).ToList();

        var openCases = profile.OpenCases;
        var feedback = profile.RecentFeedback;
        var consents = profile.Consents;

        var since30 = now.AddDays(-30);
        var window = now - options.Value.RepeatWindow;
        var last30 = await db.Interactions.AsNoTracking().Where(i => i.CustomerId == id && i.StartedAt >= since30 && i.Direction == Direction.Inbound)
            .Select(i => new { i.Id, i.StartedAt, i.SlaMet, i.IsRepeat }).ToListAsync(cancellationToken);
        var latest = recentInteractions.FirstOrDefault();
        // The repeat flag is about the customer's own contacts: our reply to their first contact is no repeat of it. From the
        // 30-day query, not the recent list: ?recent=1 must not change the flags.
        var latestInbound = last30.OrderByDescending(i => i.StartedAt).ThenByDescending(i => i.Id).FirstOrDefault();
        var previousInbound = latestInbound is null ? null : last30.Where(i => i.StartedAt < latestInbound.StartedAt).Select(i => (DateTime?)i.StartedAt).Max();
        var flags = new ContextFlags(
            latest?.StartedAt, latest?.Channel, latest?.Reason,
            ContactsLast7Days: last30.Count(i => i.StartedAt >= now.AddDays(-7)),
            ContactsLast30Days: last30.Count,
            // Only while it matters: the customer's latest contact is inside the repeat window and was itself a repeat (or
            // followed one of theirs closely).
            RepeatContact: latestInbound is not null && latestInbound.StartedAt >= window
                && (latestInbound.IsRepeat || (previousInbound is { } before && latestInbound.StartedAt - before <= options.Value.RepeatWindow)),
            ChannelSwitcher: openCases.Any(c => c.ChannelSwitches > 0) || latest?.ChannelSwitch == true,
            // Its case is then open, unless it went so long without a contact that it reads closed (and so does this).
            UnresolvedLastContact: latest is not null && latest.Outcome != Outcome.Resolved && latest.StartedAt >= options.Value.CasesOpenSince(now),
            OpenCases: openCases.Count,
            SlaMissedLast30Days: last30.Any(i => i.SlaMet == false),
            RecentDetractor: feedback.Any(f => f.RespondedAt >= now.AddDays(-90) && IsDetractor(f.Kind, f.Score)),
            InQuietHoursNow: InQuietHours(customer, now),
            PreferredChannelConsented: customer.PreferredChannel is { } preferred && consents.Any(c => c.Channel == preferred && c.Granted));

        var summary = new ContextProfile(customer.Id, customer.ExternalId, customer.Name, customer.Email, customer.Phone, customer.AccountType,
            customer.AccountStatus, customer.Plan, customer.Products.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            customer.Revenue, customer.CustomerSince, customer.TenureDays(now), customer.City, customer.Country, customer.Language, customer.TimeZone,
            customer.PreferredChannel, customer.QuietHoursStart, customer.QuietHoursEnd);
        return new CustomerContext(summary,
            profile.Identities.Select(i => new ContextIdentity(i.Kind, i.Value)).ToList(),
            consents.Select(c => new ContextConsent(c.Channel, c.Granted, c.UpdatedAt)).ToList(),
            profile.Segments.Segments.Select(s => s.Name).ToList(), profile.Segments.Persona?.Name, flags, recentInteractions, openCases, feedback, now);
    }

    public static bool IsDetractor(FeedbackKind kind, int score) => kind switch
    {
        FeedbackKind.Nps => score <= 6,
        FeedbackKind.Csat => score <= 2,
        FeedbackKind.Ces => score >= 5,
    };

    /// <summary>Whether <paramref name="nowUtc"/> falls in the customer's quiet hours in their own time zone (ranges may wrap midnight).</summary>
    public static bool InQuietHours(Customer customer, DateTime nowUtc)
    {
        if (customer.QuietHoursStart is not { } start || customer.QuietHoursEnd is not { } end)
        {
            return false;
        }
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(customer.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(nowUtc, zone));
        return start <= end ? local >= start && local < end : local >= start || local < end;
    }

    private static string Shorten(string text) => text.Length <= SaidLength ? text : StoredText.Cut(text, SaidLength - 1) + "…";
}
