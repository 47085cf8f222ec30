using Microsoft.EntityFrameworkCore;
using Touchpoint.Import;
using Touchpoint.Storage;

namespace Touchpoint.Customers;

/// <summary>How an incoming record names its customer: any of these may be given.</summary>
public sealed class CustomerRef(string? ExternalId, string? Email, string? Phone, string? SocialHandle, string? Name, DateTime FirstSeen)
{
    private List<string>? _keys;

    public string? ExternalId { get; } = ExternalId;
    public string? Email { get; } = Email;
    public string? Phone { get; } = Phone;
    public string? SocialHandle { get; } = SocialHandle;
    public string? Name { get; } = Name;
    public DateTime FirstSeen { get; } = FirstSeen;

    /// <summary>The resolver's lookup keys, made once (a ref belongs to one run, so to one phone region): an import looks each row up several times.</summary>
    internal List<string> KeysIn(CustomerResolver resolver) => _keys ??= resolver.KeysOf(this);

    /// <summary>
    /// What a row naming its customer (an interaction, a score) must get right, each problem naming its field: at
    /// least one of the four, no NUL character, an email that is one, and values that fit their columns.
    /// </summary>
    public static void Check(List<FieldError> errors, string? externalId, string? email, string? phone, string? socialHandle)
    {
        if (string.IsNullOrWhiteSpace(externalId) && string.IsNullOrWhiteSpace(email) && string.IsNullOrWhiteSpace(phone) && string.IsNullOrWhiteSpace(socialHandle))
        {
            errors.Add(new("customer", "one of customer_external_id, customer_email, customer_phone or customer_social_handle is required"));
        }
        StoredText.CheckNoNul(errors, [("customer_external_id", externalId), ("customer_email", email), ("customer_phone", phone), ("customer_social_handle", socialHandle)]);
        StoredText.CheckEmail(errors, "customer_email", email);
        StoredText.CheckPhone(errors, "customer_phone", phone);
        StoredText.CheckHandle(errors, "customer_social_handle", socialHandle);
        StoredLengths.Check(errors, "customer_external_id", externalId, StoredLengths.ExternalId);
        StoredLengths.Check(errors, "customer_email", email, StoredLengths.IdentityValue);
        StoredLengths.Check(errors, "customer_phone", phone, StoredLengths.IdentityValue);
        StoredLengths.Check(errors, "customer_social_handle", socialHandle, StoredLengths.IdentityValue);
    }
}

/// <summary>
/// Identity resolution for one ingest run: maps every way a record names a customer (external id, CRM id,
/// email, phone, social handle) to one profile id, creating profiles for people seen for the first time.
/// Keeps what it learned in memory so a run of a million rows asks the database once per customer.
/// </summary>
public sealed class CustomerResolver(DatabaseTarget target, TimeProvider time, string phoneRegion)
{
    private const int Chunk = 500;
    private readonly Dictionary<string, long> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _phoneKeys = new(StringComparer.Ordinal);

    // Erased people's anonymous profiles the run found (only their erased-N ids name them: their identities are gone).
    private readonly HashSet<long> _erased = [];

    public long CustomersCreated { get; private set; }

    /// <summary>
    /// Identities (email, phone, handle) a record taught a profile it resolved to by another key (a phone given beside
    /// a known email): no profile held them, and later records naming only them find the same customer.
    /// </summary>
    public long IdentitiesAdded { get; private set; }

    /// <summary>How often a batch's customers are looked up and created again after another writer got in the way.</summary>
    private const int ResolveAttempts = 10;

    public async Task<long[]> ResolveAsync(IReadOnlyList<CustomerRef> refs, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ResolveOnceAsync(refs, cancellationToken);
            }
            catch (Exception e) when (attempt < ResolveAttempts && (e is DbUpdateException || e.IsInsertConflict()))
            {
                // Another writer created one of these customers between our lookup and our insert (on PostgreSQL, two
                // writers creating two new customers in opposite orders may deadlock instead): look again. Each conflict
                // is another writer's commit, which the next look finds, so with a few writers at once this ends.
                _known.Clear();
            }
        }
    }

    /// <summary>
    /// Looks up (without creating anything) the customers of <paramref name="refs"/> not known yet, so a later
    /// <see cref="ResolveAsync"/> only has to create the new ones. Read-only: it may run while this run's bulk
    /// writer holds the database's write lock.
    /// </summary>
    public async Task PrefetchAsync(IReadOnlyList<CustomerRef> refs, CancellationToken cancellationToken)
    {
        var unknown = refs.SelectMany(r => r.KeysIn(this)).Where(k => !_known.ContainsKey(k)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            await using var db = StorageServices.CreateDb(target);
            await LookUpAsync(db, unknown, cancellationToken);
        }
    }

    /// <summary>
    /// Whether <see cref="ResolveAsync"/> would write nothing for <paramref name="refs"/>: each names a known profile
    /// and no email, phone or handle it could learn.
    /// </summary>
    public bool KnowsAll(IReadOnlyList<CustomerRef> refs) => refs.All(r =>
        r.KeysIn(this) is var keys && keys.Exists(_known.ContainsKey) && keys.TrueForAll(k => k[0] == 'x' || _known.ContainsKey(k)));

    /// <summary>
    /// The stored profile <paramref name="r"/> would resolve to, or 0 when it names none (it would make a profile), after
    /// <see cref="PrefetchAsync"/> looked its keys up: to refuse a record before its resolution creates or teaches anything.
    /// </summary>
    public long StoredOwnerOf(CustomerRef r)
    {
        foreach (var key in r.KeysIn(this))
        {
            if (_known.TryGetValue(key, out var id) && id != 0)
            {
                return id;
            }
        }
        return 0;
    }

    /// <summary>
    /// Whether <paramref name="r"/> names an erased person's anonymous profile (by its erased-N id), after
    /// <see cref="PrefetchAsync"/> looked its keys up: such a record is refused, as what it says, and the identities it
    /// would teach, would tie the person to the profile again.
    /// </summary>
    public bool NamesErased(CustomerRef r) => StoredOwnerOf(r) is var id and not 0 && _erased.Contains(id);

    private async Task<long[]> ResolveOnceAsync(IReadOnlyList<CustomerRef> refs, CancellationToken cancellationToken)
    {
        var keysPerRef = refs.Select(r => r.KeysIn(this)).ToArray();
        var unknown = keysPerRef.SelectMany(k => k).Where(k => !_known.ContainsKey(k)).Distinct().ToList();
        await using var db = StorageServices.CreateDb(target);
        if (unknown.Count > 0)
        {
            await LookUpAsync(db, unknown, cancellationToken);
        }

        var ids = new long[refs.Count];
        var created = new List<(Customer Customer, List<string> Keys)>();
        var pendingByKey = new Dictionary<string, Customer>(StringComparer.Ordinal);
        var createdFor = new Customer?[refs.Count];
        // Identities learned for stored profiles, and the primary email or phone they may fill in.
        var learned = new List<CustomerIdentity>();
        var fills = new Dictionary<long, (string? Email, string? Phone)>();
        var learnedByNew = 0;
        var now = time.GetUtcNow().UtcDateTime;
        for (var r = 0; r < refs.Count; r++)
        {
            var keys = keysPerRef[r];
            var (found, pending) = OwnerOf(keys, pendingByKey);
            if (found != 0)
            {
                ids[r] = found;
                // One key is the one that found the profile: nothing to learn (most rows; spares an enumerator each).
                foreach (var (key, identity) in keys.Count > 1 ? Unheld(keys, pendingByKey, now) : [])
                {
                    identity.CustomerId = found;
                    learned.Add(identity);
                    _known[key] = found;
                    var fill = fills.GetValueOrDefault(found);
                    fills[found] = identity.Kind switch
                    {
                        IdentityKind.Email => (fill.Email ?? refs[r].Email?.Trim(), fill.Phone),
                        IdentityKind.Phone => (fill.Email, fill.Phone ?? refs[r].Phone?.Trim()),
                        _ => fill,
                    };
                }
                continue;
            }
            if (pending is not null)
            {
                createdFor[r] = pending;
                foreach (var (key, identity) in keys.Count > 1 ? Unheld(keys, pendingByKey, now) : [])
                {
                    pendingByKey[key] = pending;
                    pending.Identities.Add(identity);
                    learnedByNew++;
                    pending.Email ??= identity.Kind == IdentityKind.Email ? refs[r].Email?.Trim() : null;
                    pending.Phone ??= identity.Kind == IdentityKind.Phone ? refs[r].Phone?.Trim() : null;
                }
                continue;
            }
            var customer = NewCustomer(refs[r], keys, now);
            db.Customers.Add(customer);
            created.Add((customer, keys));
            createdFor[r] = customer;
            foreach (var k in keys)
            {
                pendingByKey[k] = customer;
            }
        }
        if (created.Count == 0 && learned.Count == 0)
        {
            return ids;
        }
        // A profile merged (by another writer) since the run looked it up holds no identities, the one it was merged into
        // holds them all: what a row taught it goes there, and later rows naming it resolve there.
        var mergedInto = new Dictionary<long, long>();
        foreach (var chunk in learned.Select(i => i.CustomerId).Distinct().Chunk(Chunk))
        {
            foreach (var m in await db.Customers.AsNoTracking().Where(c => chunk.Contains(c.Id) && c.MergedIntoId != null)
                         .Select(c => new { c.Id, Into = c.MergedIntoId!.Value }).ToListAsync(cancellationToken))
            {
                mergedInto[m.Id] = m.Into;
            }
        }
        if (mergedInto.Count > 0)
        {
            learned.ForEach(i => i.CustomerId = mergedInto.GetValueOrDefault(i.CustomerId, i.CustomerId));
            fills = fills.GroupBy(f => mergedInto.GetValueOrDefault(f.Key, f.Key)).ToDictionary(g => g.Key,
                g => (g.Select(f => f.Value.Email).FirstOrDefault(e => e is not null), g.Select(f => f.Value.Phone).FirstOrDefault(p => p is not null)));
            Redirect(id => mergedInto.GetValueOrDefault(id, id));
        }
        db.CustomerIdentities.AddRange(learned);
        // A profile without a primary email (phone) shows the first one a contact taught it.
        var toFill = fills.Where(f => f.Value.Email is not null || f.Value.Phone is not null).Select(f => f.Key).ToList();
        foreach (var chunk in toFill.Chunk(Chunk))
        {
            foreach (var customer in await db.Customers.Where(c => chunk.Contains(c.Id) && (c.Email == null || c.Phone == null)).ToListAsync(cancellationToken))
            {
                var (email, phone) = fills[customer.Id];
                customer.Email ??= email;
                customer.Phone ??= phone;
                customer.UpdatedAt = now;
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        CustomersCreated += created.Count;
        IdentitiesAdded += learned.Count + learnedByNew;
        foreach (var (key, customer) in pendingByKey)
        {
            _known[key] = customer.Id;
        }
        for (var r = 0; r < refs.Count; r++)
        {
            if (ids[r] == 0)
            {
                ids[r] = createdFor[r]!.Id;
            }
        }
        return ids;
    }

    /// <summary>
    /// Points what the run learned at the profiles <paramref name="survivorOf"/> says they stand for now: a merge
    /// made during the run leaves the merged profile a pointer, and later rows naming it belong to the survivor.
    /// </summary>
    public void Redirect(Func<long, long> survivorOf)
    {
        foreach (var (key, id) in _known.ToList())
        {
            _known[key] = survivorOf(id);
        }
    }

    /// <summary>
    /// The email, phone and handle keys of <paramref name="keys"/> no profile holds, stored or about to be created, as
    /// identities. Not a customer id: a source's id names a profile of its own (a customer import of it would make
    /// one), so an unknown id beside a known email may be another person sharing that address.
    /// </summary>
    private IEnumerable<(string Key, CustomerIdentity Identity)> Unheld(List<string> keys, Dictionary<string, Customer> pendingByKey, DateTime now)
    {
        foreach (var key in keys)
        {
            if (key[0] != 'x' && !_known.ContainsKey(key) && !pendingByKey.ContainsKey(key))
            {
                yield return (key, IdentityOf(key, now));
            }
        }
    }

    /// <summary>The identity kinds a key may be, by the key's first letter ("x:" keys are customer ids, not identities).</summary>
    private static readonly (char Prefix, IdentityKind Kind)[] IdentityPrefixes = [('e', IdentityKind.Email), ('p', IdentityKind.Phone), ('s', IdentityKind.Social)];

    /// <summary>The identity an "e:", "p:" or "s:" key stands for; its value is already normalised.</summary>
    private static CustomerIdentity IdentityOf(string key, DateTime now) =>
        new() { Kind = Array.Find(IdentityPrefixes, p => p.Prefix == key[0]).Kind, Value = key[2..], CreatedAt = now };

    /// <summary>Every profile id the run has resolved a key to.</summary>
    public IEnumerable<long> KnownIds() => _known.Values.Where(id => id != 0).Distinct();

    /// <summary>
    /// The profile the first key held by one names: a stored one's id, or one this batch creates. In key order across
    /// both, as when the batch's profiles were stored (batches of one): an external id of a profile made earlier in the
    /// batch wins over an email of a stored one, or where a contact lands would depend on the batch size.
    /// </summary>
    private (long Id, Customer? Pending) OwnerOf(List<string> keys, Dictionary<string, Customer> pendingByKey)
    {
        foreach (var key in keys)
        {
            if (_known.TryGetValue(key, out var id) && id != 0)
            {
                return (id, null);
            }
            if (pendingByKey.TryGetValue(key, out var pending))
            {
                return (0, pending);
            }
        }
        return (0, null);
    }

    /// <summary>A profile for <paramref name="r"/>, with the identities its <paramref name="keys"/> (email, phone, handle, in that order) name.</summary>
    private static Customer NewCustomer(CustomerRef r, List<string> keys, DateTime now)
    {
        var identities = keys.Where(k => k[0] != 'x').Select(k => IdentityOf(k, now)).ToList();
        var externalId = !string.IsNullOrWhiteSpace(r.ExternalId)
            ? r.ExternalId.Trim()
            : DerivedExternalId(identities[0]);
        return new Customer
        {
            ExternalId = externalId,
            // Named after an identity when the source gives no name; an identity may be longer than a name column holds.
            Name = r.Name?.Trim() is { Length: > 0 } name ? name : Shorten(r.SocialHandle is { } h ? "@" + h.TrimStart('@') : r.Email ?? r.Phone ?? externalId),
            Email = r.Email?.Trim(),
            Phone = r.Phone?.Trim(),
            CustomerSince = r.FirstSeen == default ? now : r.FirstSeen,
            CreatedAt = now,
            UpdatedAt = now,
            Identities = identities,
        };
    }

    /// <summary>Lookup keys, most specific first: "x:" external id, then "e:", "p:", "s:" normalised identities.</summary>
    internal List<string> KeysOf(CustomerRef r)
    {
        var keys = new List<string>(4);
        if (!string.IsNullOrWhiteSpace(r.ExternalId))
        {
            keys.Add("x:" + r.ExternalId.Trim());
        }
        if (!string.IsNullOrWhiteSpace(r.Email))
        {
            keys.Add("e:" + CustomerIdentity.Normalize(IdentityKind.Email, r.Email, phoneRegion));
        }
        if (!string.IsNullOrWhiteSpace(r.Phone))
        {
            // A run names the same customers' numbers over and over; reading one takes libphonenumber a few microseconds.
            if (!_phoneKeys.TryGetValue(r.Phone, out var phone))
            {
                phone = _phoneKeys[r.Phone] = CustomerIdentity.Normalize(IdentityKind.Phone, r.Phone, phoneRegion);
            }
            keys.Add("p:" + phone);
        }
        if (!string.IsNullOrWhiteSpace(r.SocialHandle))
        {
            keys.Add("s:" + CustomerIdentity.Normalize(IdentityKind.Social, r.SocialHandle, phoneRegion));
        }
        return keys;
    }

    private async Task LookUpAsync(TouchpointDb db, List<string> keys, CancellationToken cancellationToken)
    {
        var external = keys.Where(k => k[0] == 'x').Select(k => k[2..]).ToList();
        foreach (var chunk in external.Chunk(Chunk))
        {
            var rows = await db.Customers.AsNoTracking().Where(c => chunk.Contains(c.ExternalId))
                .Select(c => new { c.ExternalId, Id = c.MergedIntoId ?? c.Id, Erased = c.ErasedAt != null }).ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                _known["x:" + row.ExternalId] = row.Id;
                if (row.Erased)
                {
                    _erased.Add(row.Id);
                }
            }
            // A CRM id recorded on a profile resolves like its external id (profiles imported under another key).
            var missing = chunk.Where(e => !_known.ContainsKey("x:" + e)).ToList();
            if (missing.Count > 0)
            {
                var crm = await db.CustomerIdentities.AsNoTracking().Where(i => i.Kind == IdentityKind.Crm && missing.Contains(i.Value))
                    .Select(i => new { i.Value, i.CustomerId }).ToListAsync(cancellationToken);
                foreach (var row in crm)
                {
                    _known["x:" + row.Value] = row.CustomerId;
                }
            }
        }
        foreach (var (prefix, kind) in IdentityPrefixes)
        {
            var values = keys.Where(k => k[0] == prefix).Select(k => k[2..]).ToList();
            foreach (var chunk in values.Chunk(Chunk))
            {
                var rows = await db.CustomerIdentities.AsNoTracking().Where(i => i.Kind == kind && chunk.Contains(i.Value))
                    .Select(i => new { i.Value, i.CustomerId }).ToListAsync(cancellationToken);
                foreach (var row in rows)
                {
                    _known[$"{prefix}:{row.Value}"] = row.CustomerId;
                }
            }
        }
    }

    /// <summary>
    /// "email:" and the address for a customer the source names only by an identity; an identity too long for the
    /// external id column (identities hold 256) is named by its SHA-256 instead, still one id per identity.
    /// </summary>
    private static string DerivedExternalId(CustomerIdentity identity)
    {
        var kind = identity.Kind.ToString().ToLowerInvariant();
        var id = $"{kind}:{identity.Value}";
        return id.Length <= StoredLengths.ExternalId
            ? id
            : $"{kind}-sha256:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(identity.Value)))}";
    }

    private static string Shorten(string name) => StoredText.Cut(name, StoredLengths.CustomerName);
}
