using Microsoft.EntityFrameworkCore;
using PhoneNumbers;
using Touchpoint.Storage;

namespace Touchpoint.Customers;

/// <summary>
/// Phone numbers as identity keys. The same number written "+1 415-555-2671", "1 (415) 555 2671" or "415.555.2671"
/// (the last two read in the US) is one key in E.164, "+14155552671", so a customer is recognised however a source
/// (a CRM, a phone system, a survey form) writes their number. An extension stays part of the key ("x12"): colleagues
/// behind one switchboard are different people. What libphonenumber cannot read as a possible number keeps its digits
/// (and a leading "+").
/// </summary>
public static class PhoneKeys
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    public static bool IsRegion(string region) => Util.GetSupportedRegions().Contains(region);

    /// <summary>The key of <paramref name="value"/>, a number without a country code read as one of <paramref name="region"/>.</summary>
    public static string Normalize(string value, string region)
    {
        var text = value.Trim();
        try
        {
            var number = Util.Parse(text, region);
            if (Util.IsPossibleNumber(number))
            {
                var e164 = Util.Format(number, PhoneNumberFormat.E164);
                return number.HasExtension ? $"{e164}x{number.Extension}" : e164;
            }
        }
        catch (NumberParseException)
        {
            // Not a phone number libphonenumber can read: the digits are still the best key.
        }
        return Digits(text);
    }

    /// <summary>
    /// Keys a number typed in part may begin: its digits as typed, with a "+" added (an international number typed
    /// without it), and read as a national number of <paramref name="region"/> ("0791" in GB begins "+44791").
    /// </summary>
    public static IReadOnlyList<string> SearchPrefixes(string partial, string region)
    {
        var digits = Digits(partial.Trim());
        if (digits.StartsWith('+'))
        {
            return [digits];
        }
        // The region's international dialling prefix ("00" in GB, "011" in the US) stands for the "+".
        if (Util.GetMetadataForRegion(region)?.InternationalPrefix is { Length: > 0 } idd
            && System.Text.RegularExpressions.Regex.Match(digits, $"^(?:{idd})") is { Success: true } dialled && dialled.Length < digits.Length)
        {
            return [digits, "+" + digits[dialled.Length..]];
        }
        var country = $"+{Util.GetCountryCodeForRegion(region)}";
        // After the national prefix ("0" in GB) comes a national number; no country code begins with it.
        return Util.GetNddPrefixForRegion(region, true) is { Length: > 0 } ndd && digits.StartsWith(ndd, StringComparison.Ordinal)
            ? new[] { digits, country + digits[ndd.Length..] }.Distinct().ToList()
            : new[] { digits, "+" + digits, country + digits }.Distinct().ToList();
    }

    /// <summary>A key as people read a number: "+44 7911 123456", "+1 415-555-2671 ext. 12"; a key of bare digits as it is.</summary>
    public static string Display(string key)
    {
        if (key.StartsWith('+'))
        {
            try
            {
                return Util.Format(Util.Parse(key, null), PhoneNumberFormat.INTERNATIONAL);
            }
            catch (NumberParseException)
            {
                // Stored by an older version, or not a number libphonenumber reads: shown as stored.
            }
        }
        return key;
    }

    /// <summary>What <see cref="RekeyStoredAsync"/> did: numbers read, keys changed, and keys left because another profile holds the new one.</summary>
    public readonly record struct Rekeyed(long Read, long Changed, long HeldByAnother);

    /// <summary>
    /// Gives every stored phone identity the key it has today in <paramref name="region"/>: numbers stored by a version
    /// that kept bare digits ("4155552671"), or read in another region before the setting changed, would otherwise not
    /// be found by a contact that writes them the usual way. A new key another identity already holds is left alone
    /// (the two profiles may be one person: merging them joins the numbers). Idempotent.
    /// </summary>
    public static Task<Rekeyed> RekeyStoredAsync(DatabaseTarget target, string region, CancellationToken cancellationToken) =>
        RekeyAsync(target, region, withoutCountryCodeOnly: false, cancellationToken);

    /// <summary>
    /// <see cref="RekeyStoredAsync"/> for the keys a region can change: those without a country code ("+"), which
    /// libphonenumber could not read as numbers of the region in force when they were stored. Run at every start
    /// (server and CLI), so a change of Customers:PhoneRegion, or an upgrade from a version that kept bare digits, needs
    /// no command; a key with a country code reads the same in every region.
    /// </summary>
    public static async Task<Rekeyed> RekeyWithoutCountryCodeAsync(DatabaseTarget target, string region, CancellationToken cancellationToken)
    {
        // Almost always none: the two ranges of the unique (kind, value) index around "+" (it sorts before "," and the
        // digits) say so at once, so a start does not read every phone identity to learn it. Two queries, not one with
        // OR, which SQLite plans as a walk of every phone key.
        await using (var db = StorageServices.CreateDb(target))
        {
            var phones = db.CustomerIdentities.Where(i => i.Kind == IdentityKind.Phone);
            if (!await phones.AnyAsync(i => string.Compare(i.Value, "+") < 0, cancellationToken)
                && !await phones.AnyAsync(i => string.Compare(i.Value, ",") >= 0, cancellationToken))
            {
                return new Rekeyed(0, 0, 0);
            }
        }
        return await RekeyAsync(target, region, withoutCountryCodeOnly: true, cancellationToken);
    }

    private static async Task<Rekeyed> RekeyAsync(DatabaseTarget target, string region, bool withoutCountryCodeOnly, CancellationToken cancellationToken)
    {
        long read = 0, changed = 0, held = 0, after = 0;
        while (true)
        {
            await using var db = StorageServices.CreateDb(target);
            var phones = db.CustomerIdentities.Where(i => i.Kind == IdentityKind.Phone && i.Id > after);
            if (withoutCountryCodeOnly)
            {
                phones = phones.Where(i => !i.Value.StartsWith("+"));
            }
            var page = await phones.OrderBy(i => i.Id).Take(5_000).ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                return new Rekeyed(read, changed, held);
            }
            var moves = page.Select(i => (Identity: i, Key: Normalize(i.Value, region))).Where(m => m.Key != m.Identity.Value).ToList();
            var wanted = moves.Select(m => m.Key).Distinct().ToList();
            var taken = (await db.CustomerIdentities.Where(i => i.Kind == IdentityKind.Phone && wanted.Contains(i.Value)).Select(i => i.Value)
                .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            var assigned = new List<string>();
            foreach (var (identity, key) in moves)
            {
                // The first of two old keys that read as one number takes it; the second stays as it was.
                if (taken.Add(key))
                {
                    identity.Value = key;
                    assigned.Add(key);
                }
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // A contact stored one of the new keys between the read and the write (another node or an import):
                // read the page again, and that key is then left as held. Any other failure is not ours to hide.
                if (await AnyStoredAsync(target, assigned, cancellationToken))
                {
                    continue;
                }
                throw;
            }
            read += page.Count;
            changed += assigned.Count;
            held += moves.Count - assigned.Count;
            after = page[^1].Id;
        }
    }

    // The write failed, so none of the keys it gave is stored by it: one that is stored came from another writer.
    private static async Task<bool> AnyStoredAsync(DatabaseTarget target, List<string> keys, CancellationToken cancellationToken)
    {
        await using var db = StorageServices.CreateDb(target);
        return await db.CustomerIdentities.AnyAsync(i => i.Kind == IdentityKind.Phone && keys.Contains(i.Value), cancellationToken);
    }

    private static string Digits(string text)
    {
        var digits = new string(text.Where(char.IsAsciiDigit).ToArray());
        return text.StartsWith('+') ? "+" + digits : digits;
    }
}
