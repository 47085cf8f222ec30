using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Touchpoint.Feedback;
using Touchpoint.Interactions;
using Touchpoint.Platform;
using Touchpoint.Storage;
using Touchpoint.Storage.Bulk;

namespace Touchpoint.Customers;

/// <summary>Everything stored about one person: what a data subject's access request is answered with.</summary>
public sealed record PersonalDataExport(
    DateTime ExportedAt,
    PersonalProfile Profile,
    IReadOnlyList<PersonalProfile> MergedProfiles,
    IReadOnlyList<PersonalIdentity> Identities,
    IReadOnlyList<PersonalConsent> Consents,
    IReadOnlyList<PersonalInteraction> Interactions,
    IReadOnlyList<PersonalCase> Cases,
    IReadOnlyList<PersonalFeedback> Feedback);

public sealed record PersonalProfile(long Id, string ExternalId, string Name, string? Email, string? Phone, int? BirthYear, string? Gender,
    string? City, string? Country, string AccountType, string AccountStatus, string? Plan, string Products, double Revenue, DateTime CustomerSince,
    string Language, string TimeZone, Channel? PreferredChannel, TimeOnly? QuietHoursStart, TimeOnly? QuietHoursEnd, DateTime CreatedAt,
    DateTime UpdatedAt, DateTime? ErasedAt);

public sealed record PersonalIdentity(IdentityKind Kind, string Value, DateTime CreatedAt);

public sealed record PersonalConsent(Channel Channel, bool Granted, DateTime UpdatedAt);

public sealed record PersonalMessage(MessageAuthor Author, DateTime At, string Text);

public sealed record PersonalInteraction(string ExternalId, Channel Channel, Direction Direction, DateTime StartedAt, DateTime? EndedAt,
    string? Agent, string? Queue, string? Reason, Outcome Outcome, string? Subject, string? Case, IReadOnlyList<PersonalMessage> Messages);

public sealed record PersonalCase(string ExternalId, string? Reason, string? Subject, CaseStatus Status, DateTime OpenedAt, DateTime LastContactAt,
    DateTime? ResolvedAt);

public sealed record PersonalFeedback(string ExternalId, FeedbackKind Kind, int Score, string? Comment, DateTime RespondedAt, string? Interaction);

/// <summary>What an erasure removed: profiles made anonymous, identities, consents, messages deleted, free texts cleared.</summary>
public sealed record ErasureResult(long CustomerId, int Profiles, int Identities, int Consents, int Messages, int TextsCleared);

/// <summary>
/// The data-protection duties towards one person (GDPR articles 15 and 17): export everything stored about them, and
/// erase it. A person is the profile and every profile merged into it, so the id of either finds the whole of them.
/// Erasure keeps the contacts, cases and scores as anonymous facts (the contact center's statistics stay right) and
/// removes what identifies the person or what they said: identities, consents, contact details and demographics, the
/// source system's id, transcripts, subjects and feedback comments. A later contact from the same address is a new,
/// unrelated profile.
/// </summary>
public sealed class PersonalData(TouchpointDb db, TimeProvider time)
{
    /// <summary>The name an erased profile is listed under.</summary>
    public const string ErasedName = "Erased customer";

    public async Task<PersonalDataExport?> ExportAsync(long customerId, string actor, CancellationToken cancellationToken = default)
    {
        if (await PersonAsync(customerId, cancellationToken) is not { } ids)
        {
            return null;
        }
        var profiles = await db.Customers.AsNoTracking().Where(c => ids.Contains(c.Id)).OrderBy(c => c.MergedIntoId != null).ThenBy(c => c.Id)
            .Select(c => new PersonalProfile(c.Id, c.ExternalId, c.Name, c.Email, c.Phone, c.BirthYear, c.Gender, c.City, c.Country, c.AccountType,
                c.AccountStatus, c.Plan, c.Products, c.Revenue, c.CustomerSince, c.Language, c.TimeZone, c.PreferredChannel, c.QuietHoursStart,
                c.QuietHoursEnd, c.CreatedAt, c.UpdatedAt, c.ErasedAt))
            .ToListAsync(cancellationToken);
        var identities = await db.CustomerIdentities.AsNoTracking().Where(i => ids.Contains(i.CustomerId)).OrderBy(i => i.Kind).ThenBy(i => i.Value)
            .Select(i => new PersonalIdentity(i.Kind, i.Value, i.CreatedAt)).ToListAsync(cancellationToken);
        var consents = await db.ChannelConsents.AsNoTracking().Where(c => ids.Contains(c.CustomerId)).OrderBy(c => c.Channel)
            .Select(c => new PersonalConsent(c.Channel, c.Granted, c.UpdatedAt)).ToListAsync(cancellationToken);
        var messages = (await db.Messages.AsNoTracking().Where(m => ids.Contains(m.CustomerId)).OrderBy(m => m.InteractionId).ThenBy(m => m.Sequence)
                .Select(m => new { m.InteractionId, Message = new PersonalMessage(m.Author, m.At, m.Text) }).ToListAsync(cancellationToken))
            .ToLookup(m => m.InteractionId, m => m.Message);
        var interactions = (await db.Interactions.AsNoTracking().Where(i => ids.Contains(i.CustomerId)).OrderBy(i => i.StartedAt).ThenBy(i => i.Id)
                .Select(i => new { i.Id, i.ExternalId, i.Channel, i.Direction, i.StartedAt, i.EndedAt, Agent = i.Agent!.Name, i.Queue, i.Reason, i.Outcome,
                    i.Subject, Case = i.Case!.ExternalId })
                .ToListAsync(cancellationToken))
            .Select(i => new PersonalInteraction(i.ExternalId, i.Channel, i.Direction, i.StartedAt, i.EndedAt, i.Agent, i.Queue, i.Reason, i.Outcome,
                i.Subject, i.Case, messages[i.Id].ToList()))
            .ToList();
        var cases = await db.Cases.AsNoTracking().Where(c => ids.Contains(c.CustomerId)).OrderBy(c => c.OpenedAt).ThenBy(c => c.Id)
            .Select(c => new PersonalCase(c.ExternalId, c.Reason, c.Subject, c.Status, c.OpenedAt, c.LastContactAt, c.ResolvedAt)).ToListAsync(cancellationToken);
        var feedback = await db.Feedback.AsNoTracking().Where(f => ids.Contains(f.CustomerId)).OrderBy(f => f.RespondedAt).ThenBy(f => f.Id)
            .Select(f => new PersonalFeedback(f.ExternalId, f.Kind, f.Score, f.Comment, f.RespondedAt,
                db.Interactions.Where(i => i.Id == f.InteractionId).Select(i => i.ExternalId).FirstOrDefault()))
            .ToListAsync(cancellationToken);

        var now = time.GetUtcNow().UtcDateTime;
        db.AuditLog.Add(new AuditEntry { At = now, Actor = actor, Action = "customer.personal_data_exported", Target = profiles[0].ExternalId,
            Detail = $"#{profiles[0].Id}: {interactions.Count} interactions, {feedback.Count} feedback responses" });
        await db.SaveChangesAsync(cancellationToken);
        return new PersonalDataExport(now, profiles[0], profiles.Skip(1).ToList(), identities, consents, interactions, cases, feedback);
    }

    public async Task<ErasureResult?> EraseAsync(long customerId, string actor, CancellationToken cancellationToken = default)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear(); // a retried attempt starts from what is stored
            if (await PersonAsync(customerId, cancellationToken) is not { } seen)
            {
                return null;
            }
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // The locks ingestion and merges take (a write first, so SQLite's transaction holds the write lock before it
            // reads): no batch writes this person's rows while they are erased. Read again under them: a merge may have
            // added a profile meanwhile, and its stripe is locked too.
            await CustomerLocks.LockAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), seen, cancellationToken);
            if (await PersonAsync(customerId, cancellationToken) is not { } ids)
            {
                return null;
            }
            await CustomerLocks.LockAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), ids.Except(seen), cancellationToken);
            var profiles = await db.Customers.Where(c => ids.Contains(c.Id)).ToListAsync(cancellationToken);
            var survivor = profiles.Single(c => c.MergedIntoId == null);
            var now = time.GetUtcNow().UtcDateTime;

            var identifiers = await db.CustomerIdentities.Where(i => ids.Contains(i.CustomerId)).Select(i => i.Value).ToListAsync(cancellationToken);
            var identities = await db.CustomerIdentities.Where(i => ids.Contains(i.CustomerId)).ExecuteDeleteAsync(cancellationToken);
            var consents = await db.ChannelConsents.Where(c => ids.Contains(c.CustomerId)).ExecuteDeleteAsync(cancellationToken);
            var messages = await db.Messages.Where(m => ids.Contains(m.CustomerId)).ExecuteDeleteAsync(cancellationToken);
            var texts = await db.Interactions.Where(i => ids.Contains(i.CustomerId) && i.Subject != null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Subject, (string?)null), cancellationToken);
            texts += await db.Cases.Where(c => ids.Contains(c.CustomerId) && c.Subject != null)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Subject, (string?)null), cancellationToken);
            texts += await db.Feedback.Where(f => ids.Contains(f.CustomerId) && f.Comment != null)
                .ExecuteUpdateAsync(s => s.SetProperty(f => f.Comment, (string?)null), cancellationToken);

            // The audit log names profiles by the source system's id: it names the erased ids from now on.
            var renamed = profiles.ToDictionary(c => c.ExternalId, c => ErasedExternalId(c.Id), StringComparer.Ordinal);
            var oldIds = renamed.Keys.ToList();
            foreach (var entry in await db.AuditLog.Where(a => a.Target != null && oldIds.Contains(a.Target)).ToListAsync(cancellationToken))
            {
                entry.Target = renamed[entry.Target!];
                foreach (var (from, to) in renamed)
                {
                    entry.Detail = entry.Detail?.Replace(from, to, StringComparison.Ordinal);
                }
            }
            // A bulk export keeps its search on record ("search 'zelda@example.com'"): one naming the person goes too.
            var searches = await db.AuditLog.Where(a => a.Action == "customer.exported" && a.Detail != null && a.Detail.Contains(SearchOnRecord))
                .ToListAsync(cancellationToken);
            foreach (var entry in searches)
            {
                var at = entry.Detail!.IndexOf(SearchOnRecord, StringComparison.Ordinal);
                if (NamesPerson(entry.Detail[(at + SearchOnRecord.Length)..], profiles, identifiers))
                {
                    entry.Detail = entry.Detail[..at] + ", search (erased)";
                }
            }
            foreach (var profile in profiles)
            {
                Anonymise(profile, now);
                if (db.Entry(profile).State == EntityState.Modified)
                {
                    profile.UpdatedAt = now;
                }
            }
            // Erased before, and nothing of the person arrived since: nothing happened, so nothing goes on record, and the
            // erasure keeps the date it was made (a second request used to log another erasure and move the date).
            if (identities + consents + messages + texts == 0 && profiles.TrueForAll(p => db.Entry(p).State == EntityState.Unchanged)
                && searches.TrueForAll(e => db.Entry(e).State == EntityState.Unchanged))
            {
                await transaction.CommitAsync(cancellationToken);
                return new ErasureResult(survivor.Id, profiles.Count, 0, 0, 0, 0);
            }
            db.AuditLog.Add(new AuditEntry
            {
                At = now, Actor = actor, Action = "customer.erased", Target = survivor.ExternalId,
                Detail = $"#{survivor.Id} and {profiles.Count - 1} merged profiles: {identities} identities, {consents} consents, {messages} messages deleted, {texts} subjects and comments cleared",
            });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new ErasureResult(survivor.Id, profiles.Count, identities, consents, messages, texts);
        });
    }

    public static string ErasedExternalId(long customerId) => $"erased-{customerId}";

    /// <summary>How the audit entry of a bulk customer export (<c>customer.exported</c>) begins the search it was made with.</summary>
    public const string SearchOnRecord = ", search '";

    /// <summary>
    /// Whether a search (as typed, quote and all) names the person: holds one of their identities, ids, contact details or
    /// name words (any case), or the digits of one of their numbers (typed with or without the country code).
    /// </summary>
    private static bool NamesPerson(string search, List<Customer> profiles, List<string> identifiers)
    {
        var terms = identifiers.Concat(profiles.SelectMany(p => new[] { p.ExternalId, p.Email, p.Phone }.Concat(p.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries))))
            .Where(t => t is { Length: >= 3 });
        if (terms.Any(t => search.Contains(t!, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }
        var digits = new string(search.Where(char.IsAsciiDigit).ToArray()).TrimStart('0');
        return digits.Length >= 6 && identifiers.Concat(profiles.Select(p => p.Phone)).Any(n => n is not null && new string(n.Where(char.IsAsciiDigit).ToArray()).Contains(digits, StringComparison.Ordinal));
    }

    /// <summary>
    /// Keeps what the statistics need (account type and status, plan, products, revenue, tenure); drops what identifies. An
    /// anonymous profile is left as it is (its first erasure's date included).
    /// </summary>
    private static void Anonymise(Customer c, DateTime now)
    {
        c.ExternalId = ErasedExternalId(c.Id);
        c.Name = ErasedName;
        c.Email = null;
        c.Phone = null;
        c.BirthYear = null;
        c.Gender = null;
        c.City = null;
        c.Country = null;
        c.Language = "en";
        c.TimeZone = "UTC";
        c.PreferredChannel = null;
        c.QuietHoursStart = null;
        c.QuietHoursEnd = null;
        c.ErasedAt ??= now;
    }

    /// <summary>The ids of the person <paramref name="customerId"/> belongs to: the surviving profile first, then those merged into it.</summary>
    private async Task<List<long>?> PersonAsync(long customerId, CancellationToken cancellationToken)
    {
        var found = await db.Customers.AsNoTracking().Where(c => c.Id == customerId).Select(c => new { c.Id, c.MergedIntoId }).FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }
        var survivor = found.MergedIntoId ?? found.Id;
        return [survivor, .. await db.Customers.AsNoTracking().Where(c => c.MergedIntoId == survivor).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(cancellationToken)];
    }
}
