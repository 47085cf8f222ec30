using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Import;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint.Customers;

/// <summary>
/// Creates or updates customers from source rows, resolving each row to an existing profile by external id
/// or by any identity it carries. Idempotent: the same rows twice change nothing the second time, and a row
/// that changes nothing counts as a duplicate.
/// </summary>
public sealed class CustomerIngestor(DatabaseTarget target, TimeProvider time, IOptions<InteractionOptions> interactionOptions, IOptions<CustomerOptions> customerOptions)
{
    public async Task<ImportSummary> IngestAsync(IEnumerable<ImportRow<CustomerInput>> rows, IProgress<ImportProgress>? progress = null,
        int batchSize = 5_000, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var summary = new ImportSummary();
        var batch = new List<(long Line, CustomerInput Input)>(batchSize);
        // The batch's rows by external id. A row given again as it was is a duplicate; one with other values is written after
        // the batch holding the earlier one, so it updates the profile as it would from a second file (it used to be counted
        // as a duplicate and its changes dropped). Rows repeated across batches meet what is stored and count by what they change.
        var inBatch = new Dictionary<string, CustomerInput>(StringComparer.Ordinal);
        // Rows of merged profiles (an export writes them with merged_into), and whether each counted as imported.
        var merges = new List<(long Line, CustomerInput Input)>();
        var counted = new Dictionary<CustomerInput, bool>(ReferenceEqualityComparer.Instance);
        long read = 0;
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            read++;
            if (summary.Accept(row, r => r.Validate(now)) is not { } value)
            {
                continue;
            }
            var externalId = value.ExternalId.Trim();
            if (inBatch.TryGetValue(externalId, out var earlier))
            {
                if (SameValues(earlier, value))
                {
                    summary.Duplicates++;
                    continue;
                }
                await WriteBatchAsync(batch, summary, counted, cancellationToken);
                batch.Clear();
                inBatch.Clear();
            }
            inBatch[externalId] = value;
            batch.Add((row.Line, value));
            if (!string.IsNullOrWhiteSpace(value.MergedInto))
            {
                merges.Add((row.Line, value));
            }
            if (batch.Count >= batchSize)
            {
                await WriteBatchAsync(batch, summary, counted, cancellationToken);
                batch.Clear();
                inBatch.Clear();
                progress?.Report(new ImportProgress(read, summary.Imported, summary.Duplicates, summary.Rejected, "importing"));
            }
        }
        if (batch.Count > 0)
        {
            await WriteBatchAsync(batch, summary, counted, cancellationToken);
        }
        if (merges.Count > 0)
        {
            await MergeAsync(merges, counted, summary, cancellationToken);
        }
        summary.Elapsed = stopwatch.Elapsed;
        progress?.Report(new ImportProgress(read, summary.Imported, summary.Duplicates, summary.Rejected, "done"));
        return summary;
    }

    /// <summary>
    /// Merges each row's profile into the one its merged_into names, once every row is stored (that profile may come
    /// later in the file), as the merge API does: histories and identities move, the merged id keeps resolving. A
    /// profile already merged into it is left alone (a second import of the same file). A merge that cannot be made
    /// turns its row into a rejection; the row's attributes stay stored.
    /// </summary>
    private async Task MergeAsync(List<(long Line, CustomerInput Input)> merges, Dictionary<CustomerInput, bool> counted, ImportSummary summary,
        CancellationToken cancellationToken)
    {
        await using var db = StorageServices.CreateDb(target);
        var merge = new CustomerMerge(db, target, interactionOptions, time);
        foreach (var (line, input) in merges)
        {
            if (!counted.ContainsKey(input))
            {
                // Refused when its batch was written (an identity of another customer's): rejected once, merged never.
                continue;
            }
            var (externalId, into) = (input.ExternalId.Trim(), input.MergedInto!.Trim());
            // Read now, not before the loop: an earlier merge of this file may have moved either.
            var pair = await db.Customers.AsNoTracking().Where(c => c.ExternalId == externalId || c.ExternalId == into)
                .Select(c => new { c.Id, c.ExternalId, c.MergedIntoId }).ToListAsync(cancellationToken);
            var profile = pair.FirstOrDefault(c => c.ExternalId == externalId);
            var survivor = pair.FirstOrDefault(c => c.ExternalId == into);
            string? problem = null;
            if (survivor is null)
            {
                problem = $"no customer '{into}' to merge it into";
            }
            else if (profile is null)
            {
                problem = "the row was stored on another profile (one of its identities belongs to it), which is not merged";
            }
            else if (profile.MergedIntoId != (survivor.MergedIntoId ?? survivor.Id))
            {
                var result = await merge.MergeAsync(survivor.MergedIntoId ?? survivor.Id, profile.Id, "import", cancellationToken);
                problem = result.Error switch
                {
                    null => null,
                    MergeError.AlreadyMerged => "the profile was already merged into another one",
                    MergeError.SameCustomer => "the profile is the one it would be merged into",
                    MergeError.Erased => "one of the two profiles is an erased person's",
                    _ => $"could not merge ({result.Error})",
                };
                if (problem is null && !counted[input])
                {
                    // Unchanged attributes, but merged now: the row changed something after all.
                    summary.Duplicates--;
                    summary.Imported++;
                    counted[input] = true;
                }
            }
            if (problem is not null)
            {
                if (counted[input]) { summary.Imported--; } else { summary.Duplicates--; }
                summary.Rejections.Add(Rejection.For(line, [new FieldError("merged_into", problem)]));
            }
        }
    }

    /// <summary>How often a batch is read and written again when another writer stored one of its customers first.</summary>
    private const int WriteAttempts = 5;

    /// <summary>
    /// Writes the batch; counts go to <paramref name="summary"/> once it is saved. Another writer (a second import of the same
    /// file, the API) may store one of the batch's customers, identities or consents between this one's read and its save:
    /// the save then breaks a unique index, and the batch is read again, so those rows meet what is stored now (it used to
    /// stop the import with the database's error).
    /// </summary>
    private async Task WriteBatchAsync(List<(long Line, CustomerInput Input)> batch, ImportSummary summary, Dictionary<CustomerInput, bool> counted,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var tried = new ImportSummary();
            var triedCounted = new Dictionary<CustomerInput, bool>(ReferenceEqualityComparer.Instance);
            try
            {
                await TryWriteBatchAsync(batch, tried, triedCounted, cancellationToken);
            }
            catch (DbUpdateException e) when (attempt < WriteAttempts && e.IsUniqueViolation())
            {
                continue;
            }
            summary.Imported += tried.Imported;
            summary.Duplicates += tried.Duplicates;
            summary.CustomersCreated += tried.CustomersCreated;
            summary.Rejections.AddRange(tried.Rejections);
            foreach (var (input, changed) in triedCounted)
            {
                counted[input] = changed;
            }
            return;
        }
    }

    private async Task TryWriteBatchAsync(List<(long Line, CustomerInput Input)> batch, ImportSummary summary, Dictionary<CustomerInput, bool> counted,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = StorageServices.CreateDb(target);
        var externalIds = batch.Select(b => b.Input.ExternalId.Trim()).ToList();
        // Read once per row: a phone takes libphonenumber a few microseconds.
        var identitiesOf = batch.ConvertAll(b => Identities(b.Input).ToList());
        var identityValues = identitiesOf.SelectMany(i => i).Select(i => i.Value).Distinct().ToList();

        var byExternalId = await db.Customers.Include(c => c.Identities).Include(c => c.Consents)
            .Where(c => externalIds.Contains(c.ExternalId)).ToDictionaryAsync(c => c.ExternalId, StringComparer.Ordinal, cancellationToken);
        var owners = await db.CustomerIdentities.AsNoTracking().Where(i => identityValues.Contains(i.Value))
            .Select(i => new { i.Kind, i.Value, i.CustomerId }).ToListAsync(cancellationToken);
        var ownerByIdentity = owners.ToDictionary(o => (o.Kind, o.Value), o => o.CustomerId);
        var ownerIds = owners.Select(o => o.CustomerId).Distinct().ToList();
        var byId = byExternalId.Values.ToDictionary(c => c.Id);
        foreach (var c in await db.Customers.Include(c => c.Identities).Include(c => c.Consents)
                     .Where(c => ownerIds.Contains(c.Id)).ToListAsync(cancellationToken))
        {
            byId.TryAdd(c.Id, c);
        }

        // Identities of profiles this batch creates: those have no id until saved, so a later row naming one of their
        // identities must find them by reference (it used to find none and create a second profile).
        var ownerInBatch = new Dictionary<(IdentityKind, string), Customer>();
        Customer? OwnerOf((IdentityKind, string) identity) =>
            ownerInBatch.GetValueOrDefault(identity) ?? (ownerByIdentity.TryGetValue(identity, out var id) ? byId.GetValueOrDefault(id) : null);
        bool HeldByAnother((IdentityKind, string) identity, Customer customer) =>
            ownerInBatch.TryGetValue(identity, out var created)
                ? !ReferenceEquals(created, customer)
                : ownerByIdentity.TryGetValue(identity, out var owner) && owner != customer.Id && owner != customer.MergedIntoId;

        for (var row = 0; row < batch.Count; row++)
        {
            var (line, input) = batch[row];
            var externalId = input.ExternalId.Trim();
            var identities = identitiesOf[row];
            var customer = byExternalId.GetValueOrDefault(externalId) ?? identities.Select(OwnerOf).FirstOrDefault(c => c is not null);
            // An identity is one person's: a row giving its profile another profile's email (phone, handle, CRM id) is
            // refused, or the profile would show an email that finds someone else. A merged profile's identities live
            // on the profile it was merged into.
            if (customer is not null && identities.FirstOrDefault(i => HeldByAnother(i, customer)) is ({ } takenKind, { } takenValue))
            {
                summary.Rejections.Add(Rejection.For(line, [new FieldError(FieldOf(input, takenKind, takenValue), $"{takenValue} belongs to another customer (merge the two profiles to join them)")]));
                continue;
            }
            if (customer?.ErasedAt is not null && PersonalFieldOf(input) is { } personal)
            {
                // The anonymous profile an erasure left (found by its erased-N id): giving it a name, an address or a consent
                // would tie the person to the contacts it keeps again. What statistics read (plan, status, revenue) may change.
                summary.Rejections.Add(Rejection.For(line, [new FieldError(personal, "is personal data, which the erased person's profile no longer takes")]));
                continue;
            }
            // Quiet hours are a span: a row may move one end of stored hours, but one end alone (on a new profile, or one
            // without hours) was stored as such, and the 360 page, the context flags and the preferences form read it as none.
            if ((input.QuietHoursStart ?? customer?.QuietHoursStart) is null != (input.QuietHoursEnd ?? customer?.QuietHoursEnd) is null)
            {
                var missing = (input.QuietHoursStart ?? customer?.QuietHoursStart) is null ? "quiet_hours_start" : "quiet_hours_end";
                summary.Rejections.Add(Rejection.For(line, [new FieldError(missing, "is missing: quiet hours need a start and an end")]));
                continue;
            }
            var created = customer is null;
            if (customer is null)
            {
                customer = new Customer { ExternalId = externalId, Name = input.Name?.Trim() is { Length: > 0 } name ? name : externalId, CustomerSince = input.CustomerSince ?? now, CreatedAt = now, UpdatedAt = now };
                db.Customers.Add(customer);
                byExternalId[externalId] = customer;
            }
            else if (customer.ExternalId != externalId && customer.Identities.All(i => !(i.Kind == IdentityKind.Crm && i.Value == externalId)))
            {
                // The row names a known person under another key: remember that key so later rows resolve here too.
                customer.Identities.Add(new CustomerIdentity { Kind = IdentityKind.Crm, Value = externalId, CreatedAt = now });
            }
            Apply(customer, input, now);
            var movedOn = false;
            foreach (var (kind, value) in identities)
            {
                if (!ownerByIdentity.ContainsKey((kind, value)) && !ownerInBatch.ContainsKey((kind, value))
                    && customer.Identities.All(i => i.Kind != kind || i.Value != value))
                {
                    if (customer.MergedIntoId is { } survivor)
                    {
                        // A merged profile's row (a CRM sync still sending it) keeps its attributes, but an identity it brings
                        // is the person's, and lives where their history does: on the pointer, contacts naming it landed
                        // there, out of sight of the survivor's 360 page, context and segments.
                        db.CustomerIdentities.Add(new CustomerIdentity { CustomerId = survivor, Kind = kind, Value = value, CreatedAt = now });
                        ownerByIdentity[(kind, value)] = survivor;
                        movedOn = true;
                        continue;
                    }
                    customer.Identities.Add(new CustomerIdentity { Kind = kind, Value = value, CreatedAt = now });
                    if (db.Entry(customer).State == EntityState.Added)
                    {
                        ownerInBatch[(kind, value)] = customer;
                    }
                    else
                    {
                        ownerByIdentity[(kind, value)] = customer.Id;
                    }
                }
            }
            var changed = created || movedOn || db.Entry(customer).State == EntityState.Modified
                || customer.Identities.Any(i => db.Entry(i).State == EntityState.Added)
                || customer.Consents.Any(c => db.Entry(c).State is EntityState.Added or EntityState.Modified);
            if (created)
            {
                summary.CustomersCreated++;
            }
            if (!string.IsNullOrWhiteSpace(input.MergedInto))
            {
                counted[input] = changed;
            }
            if (changed)
            {
                summary.Imported++;
                if (!created)
                {
                    customer.UpdatedAt = now;
                }
            }
            else
            {
                summary.Duplicates++;
            }
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Whether two rows say the same, lists and consents included (the record's own equality compares those by reference).</summary>
    private static bool SameValues(CustomerInput a, CustomerInput b) =>
        System.Text.Json.JsonSerializer.Serialize(a, ImportJson.Options) == System.Text.Json.JsonSerializer.Serialize(b, ImportJson.Options);

    /// <summary>
    /// The first field of <paramref name="input"/> carrying personal data: what an erasure removes. The values an export
    /// writes for an erased profile (its name, the default language and time zone) are none, so that file imports again.
    /// </summary>
    private static string? PersonalFieldOf(CustomerInput input) =>
        new (string Field, bool Given)[]
        {
            ("name", input.Name?.Trim() is { Length: > 0 } name && name != PersonalData.ErasedName),
            ("email", !string.IsNullOrWhiteSpace(input.Email)),
            ("phone", !string.IsNullOrWhiteSpace(input.Phone)),
            ("social_handle", !string.IsNullOrWhiteSpace(input.SocialHandle)),
            ("crm_id", !string.IsNullOrWhiteSpace(input.CrmId)),
            (CustomerInput.OtherIdentitiesField, input.OtherIdentities is { Count: > 0 }),
            ("birth_year", input.BirthYear is not null),
            ("gender", !string.IsNullOrEmpty(input.Gender)),
            ("city", !string.IsNullOrEmpty(input.City)),
            ("country", !string.IsNullOrEmpty(input.Country)),
            ("language", input.Language is { Length: > 0 } language && language != "en"),
            ("time_zone", input.TimeZone is { Length: > 0 } zone && zone != "UTC"),
            ("preferred_channel", input.PreferredChannel is not null),
            ("quiet_hours_start", input.QuietHoursStart is not null),
            ("quiet_hours_end", input.QuietHoursEnd is not null),
            ("consents", input.Consents is { Count: > 0 }),
        }.FirstOrDefault(f => f.Given).Field;

    /// <summary>The field of <paramref name="input"/> that gave the identity: its email, phone, handle or CRM id, or one of its other identities.</summary>
    private string FieldOf(CustomerInput input, IdentityKind kind, string value)
    {
        var (field, given) = kind switch
        {
            IdentityKind.Email => ("email", input.Email),
            IdentityKind.Phone => ("phone", input.Phone),
            IdentityKind.Social => ("social_handle", input.SocialHandle),
            _ => ("crm_id", input.CrmId),
        };
        return !string.IsNullOrWhiteSpace(given) && CustomerIdentity.Normalize(kind, given, customerOptions.Value.PhoneRegion) == value
            ? field
            : CustomerInput.OtherIdentitiesField;
    }

    private IEnumerable<(IdentityKind Kind, string Value)> Identities(CustomerInput input)
    {
        if (!string.IsNullOrWhiteSpace(input.Email))
        {
            yield return (IdentityKind.Email, CustomerIdentity.Normalize(IdentityKind.Email, input.Email, customerOptions.Value.PhoneRegion));
        }
        if (!string.IsNullOrWhiteSpace(input.Phone))
        {
            yield return (IdentityKind.Phone, CustomerIdentity.Normalize(IdentityKind.Phone, input.Phone, customerOptions.Value.PhoneRegion));
        }
        if (!string.IsNullOrWhiteSpace(input.SocialHandle))
        {
            yield return (IdentityKind.Social, CustomerIdentity.Normalize(IdentityKind.Social, input.SocialHandle, customerOptions.Value.PhoneRegion));
        }
        if (!string.IsNullOrWhiteSpace(input.CrmId))
        {
            yield return (IdentityKind.Crm, CustomerIdentity.Normalize(IdentityKind.Crm, input.CrmId, customerOptions.Value.PhoneRegion));
        }
        foreach (var entry in input.OtherIdentities ?? [])
        {
            if (CustomerInput.ReadOtherIdentity(entry) is var (kind, value))
            {
                yield return (kind, CustomerIdentity.Normalize(kind, value, customerOptions.Value.PhoneRegion));
            }
        }
    }

    /// <summary>Copies the attributes the row carries; attributes it leaves out keep their stored value.</summary>
    private static void Apply(Customer c, CustomerInput i, DateTime now)
    {
        if (i.Name?.Trim() is { Length: > 0 } name) { c.Name = name; }
        if (i.Email is { Length: > 0 } email) { c.Email = email.Trim(); }
        if (i.Phone is { Length: > 0 } phone) { c.Phone = phone.Trim(); }
        if (i.BirthYear is { } birthYear) { c.BirthYear = birthYear; }
        if (i.Gender is { Length: > 0 } gender) { c.Gender = gender; }
        if (i.City is { Length: > 0 } city) { c.City = city; }
        if (i.Country is { Length: > 0 } country) { c.Country = country; }
        if (i.AccountType is { Length: > 0 } accountType) { c.AccountType = accountType; }
        if (i.AccountStatus is { Length: > 0 } accountStatus) { c.AccountStatus = accountStatus; }
        if (i.Plan is { Length: > 0 } plan) { c.Plan = plan; }
        if (i.Products is { } products) { c.Products = string.Join(',', products.Select(p => p.Trim()).Where(p => p.Length > 0)); }
        if (i.Revenue is { } revenue) { c.Revenue = revenue; }
        if (i.CustomerSince is { } since) { c.CustomerSince = StoredTimes.Utc(since); }
        if (i.Language is { Length: > 0 } language) { c.Language = language; }
        if (i.PreferredChannel is { } preferred) { c.PreferredChannel = preferred; }
        if (i.QuietHoursStart is { } quietStart) { c.QuietHoursStart = StoredTimes.WholeMicroseconds(quietStart); }
        if (i.QuietHoursEnd is { } quietEnd) { c.QuietHoursEnd = StoredTimes.WholeMicroseconds(quietEnd); }
        if (i.TimeZone is { Length: > 0 } timeZone) { c.TimeZone = timeZone; }
        // To the microsecond, as PostgreSQL keeps it: an export carries the date, and its import must find it equal. Never
        // after now: a source clock running ahead (within the day the future check forgives) would outrank real decisions.
        DateTime DecidedAt(DateTime? at) => StoredTimes.WholeMicroseconds(at is { } t && StoredTimes.Utc(t) is var given && given < now ? given : now);
        foreach (var (channel, granted) in i.Consents ?? new Dictionary<Channel, bool>())
        {
            var decidedAt = DecidedAt(i.ConsentDates?.GetValueOrDefault(channel) is { } own && own != default ? own : i.ConsentsAt);
            var consent = c.Consents.FirstOrDefault(x => x.Channel == channel);
            if (consent is null)
            {
                c.Consents.Add(new ChannelConsent { Channel = channel, Granted = granted, UpdatedAt = decidedAt });
            }
            else if (consent.Granted != granted && (decidedAt > consent.UpdatedAt || (decidedAt == consent.UpdatedAt && !granted)))
            {
                // The latest decision wins; one the source dates before the stored one is older news. Of two made at the
                // same moment the refusal stands, as a merge of two profiles decides.
                consent.Granted = granted;
                consent.UpdatedAt = decidedAt;
            }
        }
    }
}
