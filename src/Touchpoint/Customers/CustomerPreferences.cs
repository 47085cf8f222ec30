using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Interactions;
using Touchpoint.Platform;
using Touchpoint.Storage;

namespace Touchpoint.Customers;

/// <summary>
/// A person's contact preferences as someone records them during a contact ("stop texting me", "call me after six"):
/// consent per channel (only the channels named change), the preferred channel and quiet hours (both ends or none). A change
/// that leaves the preferred channel or the quiet hours as they are (<paramref name="SetsPreferredChannel"/>,
/// <paramref name="SetsQuietHours"/> false) keeps what is stored, whatever someone else recorded since.
/// </summary>
public sealed record PreferencesChange(IReadOnlyDictionary<Channel, bool> Consents, Channel? PreferredChannel, TimeOnly? QuietHoursStart, TimeOnly? QuietHoursEnd,
    bool SetsPreferredChannel = true, bool SetsQuietHours = true);

/// <summary>Records a customer's consent and contact preferences from the 360 page; every change goes to the audit log with who made it.</summary>
public sealed class CustomerPreferences(TouchpointDb db, TimeProvider time)
{
    /// <summary>What changed, as the audit log words it (empty when nothing did); null when the profile does not exist or was erased.</summary>
    public async Task<IReadOnlyList<string>?> UpdateAsync(long customerId, PreferencesChange change, string actor, CancellationToken cancellationToken = default)
    {
        if (change.SetsQuietHours && change.QuietHoursStart.HasValue != change.QuietHoursEnd.HasValue)
        {
            throw new ArgumentException("Quiet hours need a start and an end, or neither.", nameof(change));
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ApplyAsync(customerId, change, actor, cancellationToken);
            }
            catch (DbUpdateException e) when (attempt < 3 && e.IsUniqueViolation())
            {
                // Another request recorded a first decision on the same channel between this one's read and its write (two
                // agents, a double click): read again and apply the change to what is stored now, instead of a 500.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<IReadOnlyList<string>?> ApplyAsync(long customerId, PreferencesChange change, string actor, CancellationToken cancellationToken)
    {
        var customer = await db.Customers.Include(c => c.Consents)
            .FirstOrDefaultAsync(c => c.Id == customerId && c.MergedIntoId == null && c.ErasedAt == null, cancellationToken);
        if (customer is null)
        {
            return null;
        }
        var now = time.GetUtcNow().UtcDateTime;
        var changes = new List<string>();
        foreach (var (channel, granted) in change.Consents.OrderBy(c => c.Key))
        {
            var consent = customer.Consents.FirstOrDefault(c => c.Channel == channel);
            if (consent?.Granted == granted)
            {
                continue;
            }
            changes.Add($"{channel} consent: {Word(consent?.Granted)} -> {Word(granted)}");
            if (consent is null)
            {
                customer.Consents.Add(new ChannelConsent { Channel = channel, Granted = granted, UpdatedAt = now });
            }
            else
            {
                consent.Granted = granted;
                consent.UpdatedAt = now;
            }
        }
        if (change.SetsPreferredChannel && customer.PreferredChannel != change.PreferredChannel)
        {
            changes.Add($"preferred channel: {customer.PreferredChannel?.ToString() ?? "none"} -> {change.PreferredChannel?.ToString() ?? "none"}");
            customer.PreferredChannel = change.PreferredChannel;
        }
        if (change.SetsQuietHours && (customer.QuietHoursStart != change.QuietHoursStart || customer.QuietHoursEnd != change.QuietHoursEnd))
        {
            changes.Add($"quiet hours: {Hours(customer.QuietHoursStart, customer.QuietHoursEnd)} -> {Hours(change.QuietHoursStart, change.QuietHoursEnd)}");
            (customer.QuietHoursStart, customer.QuietHoursEnd) = (change.QuietHoursStart, change.QuietHoursEnd);
        }
        if (changes.Count > 0)
        {
            customer.UpdatedAt = now;
            db.AuditLog.Add(new AuditEntry { At = now, Actor = actor, Action = "customer.preferences_changed", Target = customer.ExternalId, Detail = string.Join("; ", changes) });
            await db.SaveChangesAsync(cancellationToken);
        }
        return changes;
    }

    private static string Word(bool? granted) => granted switch { true => "granted", false => "refused", null => "not asked" };

    private static string Hours(TimeOnly? start, TimeOnly? end) => start is { } s && end is { } e
        ? string.Create(CultureInfo.InvariantCulture, $"{s:HH\\:mm}-{e:HH\\:mm}")
        : "none";
}
