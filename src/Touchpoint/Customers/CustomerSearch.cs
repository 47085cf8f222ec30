using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Customers.Segments;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint.Customers;

/// <summary>What to look for: free text (name, email, phone, social handle, external or CRM id) and a saved segment or persona.</summary>
public sealed record CustomerQuery(string? Text = null, long? SegmentId = null, int Page = 1, int PageSize = 50, ListSort<CustomerSortKey>? Sort = null);

/// <summary>The columns the customer list sorts by; their camelCase names are what <c>sort=</c> takes.</summary>
public enum CustomerSortKey
{
    Name,
    Plan,
    CustomerSince,
    LastContactAt,
}

/// <summary>One row of the customer list.</summary>
public sealed record CustomerListItem(long Id, string Name, string? Email, string? Plan, string AccountType, string? City,
    DateTime CustomerSince, DateTime? LastContactAt, int OpenCases);

/// <summary>A page of customers; <see cref="SegmentMissing"/> is set when the segment asked for no longer exists or no longer parses.</summary>
public sealed record CustomerPage(IReadOnlyList<CustomerListItem> Items, int Total, int Page, int PageSize, bool SegmentMissing = false)
{
    public int PageCount => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
}

/// <summary>
/// Finds customers for the list page and the API. Identity searches are prefix ranges on the unique (kind, value)
/// index, with the text normalised the way identities are stored (so "+1 (555) 010-2000" finds "+15550102000");
/// only a search that may be a name reads the customers table, and that is the one scan. Segment filters are
/// the rule's predicate, evaluated in the database.
/// </summary>
public sealed class CustomerSearch(TouchpointDb db, TimeProvider time, IOptions<InteractionOptions> options, IOptions<CustomerOptions> customerOptions)
{
    private readonly InteractionOptions _options = options.Value;

    public const int MaxPageSize = 200;

    /// <summary>By name, A to Z: the order the list had before it could be sorted.</summary>
    public static readonly ListSort<CustomerSortKey> DefaultSort = new(CustomerSortKey.Name, false);

    public async Task<CustomerPage> SearchAsync(CustomerQuery query, CancellationToken cancellationToken = default)
    {
        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var page = Math.Max(1, query.Page);
        if (await FilterAsync(query, cancellationToken) is not { } customers)
        {
            return new CustomerPage([], 0, page, pageSize, SegmentMissing: true);
        }
        var total = await customers.CountAsync(cancellationToken);
        var openSince = _options.CasesOpenSince(time.GetUtcNow().UtcDateTime);
        var items = await Sorted(customers, query.Sort ?? DefaultSort)
            .Skip(Paging.Offset(page, pageSize)).Take(pageSize)
            .Select(c => new CustomerListItem(c.Id, c.Name, c.Email, c.Plan, c.AccountType, c.City, c.CustomerSince,
                // Both read one customer's rows through the (customer_id, ...) indexes.
                db.Interactions.Where(i => i.CustomerId == c.Id).Max(i => (DateTime?)i.StartedAt),
                db.Cases.Count(k => k.CustomerId == c.Id && k.Status == CaseStatus.Open && k.LastContactAt >= openSince)))
            .ToListAsync(cancellationToken);
        return new CustomerPage(items, total, page, pageSize);
    }

    /// <summary>
    /// The ids of every customer the query finds (an export's rows), in the list's order (the query's sort, by name
    /// without one); null when its segment is gone.
    /// </summary>
    public async Task<List<long>?> IdsAsync(CustomerQuery query, CancellationToken cancellationToken = default) =>
        await FilterAsync(query, cancellationToken) is { } customers
            ? await Sorted(customers, query.Sort ?? DefaultSort).Select(c => c.Id).ToListAsync(cancellationToken)
            : null;

    /// <summary>
    /// The customers in <paramref name="sort"/>'s order, ties broken by id in the same direction, so that every page
    /// follows from the one before (no row shown twice or skipped) and the descending list is the ascending one reversed.
    /// Customers without a plan or without a contact come last either way (the databases disagree where NULL sorts).
    /// </summary>
    private IOrderedQueryable<Customer> Sorted(IQueryable<Customer> customers, ListSort<CustomerSortKey> sort)
    {
        var descending = sort.Descending;
        var interactions = db.Interactions;
        return sort.Key switch
        {
            CustomerSortKey.Name => customers.SortBy(c => c.Name, descending).ThenSortBy(c => c.Id, descending),
            CustomerSortKey.Plan => customers.OrderBy(c => c.Plan == null).ThenSortBy(c => c.Plan, descending)
                .ThenSortBy(c => c.Name, descending).ThenSortBy(c => c.Id, descending),
            CustomerSortKey.CustomerSince => customers.SortBy(c => c.CustomerSince, descending).ThenSortBy(c => c.Id, descending),
            // One (customer_id, started_at) index seek per customer, as the list's own column reads it.
            CustomerSortKey.LastContactAt => customers
                .OrderBy(c => !interactions.Any(i => i.CustomerId == c.Id))
                .ThenSortBy(c => interactions.Where(i => i.CustomerId == c.Id).Max(i => (DateTime?)i.StartedAt), descending)
                .ThenSortBy(c => c.Id, descending),
        };
    }

    /// <summary>The live profiles the query's text and segment find; null when the segment no longer exists or parses.</summary>
    private async Task<IQueryable<Customer>?> FilterAsync(CustomerQuery query, CancellationToken cancellationToken)
    {
        // Merged profiles are only aliases of their survivor; listing them would show each person twice.
        var customers = db.Customers.AsNoTracking().Where(c => c.MergedIntoId == null);
        if (query.SegmentId is { } segmentId)
        {
            var segment = await db.Segments.AsNoTracking().FirstOrDefaultAsync(s => s.Id == segmentId, cancellationToken);
            if (segment is null || SegmentRule.Parse(segment.Rule).Rule is not { } rule)
            {
                return null;
            }
            customers = customers.InSegment(rule, new SegmentTime(time.GetUtcNow().UtcDateTime, _options));
        }
        return Terms.From(query.Text, customerOptions.Value.PhoneRegion) is { } terms ? Matching(customers, terms) : customers;
    }

    private IQueryable<Customer> Matching(IQueryable<Customer> customers, Terms terms)
    {
        var identities = db.CustomerIdentities.AsNoTracking();
        IQueryable<long>? ids = null;
        foreach (var (kind, prefix) in terms.IdentityPrefixes)
        {
            var upper = UpperBound(prefix);
            var matches = identities
                .Where(i => i.Kind == kind && string.Compare(i.Value, prefix) >= 0 && string.Compare(i.Value, upper) < 0)
                .Select(i => i.CustomerId);
            ids = ids is null ? matches : ids.Union(matches);
        }
        var external = terms.Raw;
        var externalUpper = UpperBound(external);
        var byExternalId = db.Customers
            .Where(c => string.Compare(c.ExternalId, external) >= 0 && string.Compare(c.ExternalId, externalUpper) < 0)
            .Select(c => c.Id);
        ids = ids is null ? byExternalId : ids.Union(byExternalId);
        // The number in a customer's address (/customers/125), pasted by someone who has it.
        if (long.TryParse(terms.Raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            ids = ids.Union(db.Customers.Where(c => c.Id == id).Select(c => c.Id));
        }

        Expression<Func<Customer, bool>> identified = c => ids.Contains(c.Id);
        if (terms.NameWords.Count == 0)
        {
            return customers.Where(identified);
        }
        // Names match anywhere, each word on its own ("Lovelace Ada" finds Ada Lovelace), without case or accents ("muller"
        // finds Müller: both sides folded alike); this is the part that reads every customer row.
        var customer = identified.Parameters[0];
        Expression? named = null;
        foreach (var word in terms.NameWords)
        {
            Expression<Func<Customer, bool>> has = c => c.SearchName!.Contains(word);
            var body = new ParameterSwap(has.Parameters[0], customer).Visit(has.Body);
            named = named is null ? body : Expression.AndAlso(named, body);
        }
        return customers.Where(Expression.Lambda<Func<Customer, bool>>(Expression.OrElse(identified.Body, named!), customer));
    }

    private sealed class ParameterSwap(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }

    /// <summary>
    /// The smallest string above every string that starts with <paramref name="prefix"/>, so a prefix match is an index range
    /// <c>prefix &lt;= value &lt; upper</c> on both databases (SQLite's LIKE is case-insensitive and skips a binary index).
    /// </summary>
    internal static string UpperBound(string prefix)
    {
        // Both databases compare UTF-8 bytes, which is code point order: raise the last code point, not the last UTF-16
        // unit (that split a pair such as U+203FF, or made half of one from U+D7FF, which PostgreSQL's driver cannot
        // send), stepping over the surrogates' range; the highest, U+10FFFF, carries to the one before.
        var runes = prefix.EnumerateRunes().ToList();
        while (runes.Count > 0)
        {
            var last = runes[^1].Value;
            runes.RemoveAt(runes.Count - 1);
            if (last < 0x10FFFF)
            {
                return string.Concat(runes.Select(r => r.ToString())) + new System.Text.Rune(last + 1 == 0xD800 ? 0xE000 : last + 1);
            }
        }
        return prefix + "\U0010FFFF";
    }

    /// <summary>The search text read as each kind of identity it could be.</summary>
    internal sealed record Terms(string Raw, IReadOnlyList<(IdentityKind Kind, string Prefix)> IdentityPrefixes, string? NameFragment)
    {
        /// <summary>The words of <see cref="NameFragment"/>, each to be found in the name (spaces, tabs and their number do not matter).</summary>
        public IReadOnlyList<string> NameWords { get; } = NameFragment is null ? [] : CustomerNames.Fold(NameFragment).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

        /// <summary>The terms of <paramref name="text"/>; a number without a country code is read in <paramref name="phoneRegion"/> too.</summary>
        public static Terms? From(string? text, string phoneRegion)
        {
            // No stored text holds a NUL (PostgreSQL cannot, and inputs refuse it), and PostgreSQL fails a query that sends one.
            var raw = text?.Replace("\0", "", StringComparison.Ordinal).Trim() ?? "";
            if (raw.Length == 0)
            {
                return null;
            }
            var prefixes = new List<(IdentityKind, string)>();
            var at = raw.IndexOf('@', StringComparison.Ordinal);
            if (at > 0)
            {
                // Contains @ after the start: an email address, nothing else.
                prefixes.Add((IdentityKind.Email, CustomerIdentity.Normalize(IdentityKind.Email, raw, phoneRegion)));
                return new Terms(raw, prefixes, null);
            }
            if (LooksLikePhone(raw))
            {
                // People type part of a number, with or without the country's "+", or the national way ("0791..."):
                // stored numbers are E.164 (or digits, for what libphonenumber could not read).
                prefixes.AddRange(PhoneKeys.SearchPrefixes(raw, phoneRegion).Select(p => (IdentityKind.Phone, p)));
                prefixes.Add((IdentityKind.Crm, raw));
                return new Terms(raw, prefixes, null);
            }
            var handle = CustomerIdentity.Normalize(IdentityKind.Social, raw, phoneRegion);
            if (handle.Length > 0)
            {
                prefixes.Add((IdentityKind.Social, handle));
                prefixes.Add((IdentityKind.Email, CustomerIdentity.Normalize(IdentityKind.Email, raw, phoneRegion)));
            }
            prefixes.Add((IdentityKind.Crm, raw));
            return new Terms(raw, prefixes, raw.StartsWith('@') ? null : raw.ToLowerInvariant());
        }

        private static bool LooksLikePhone(string text) =>
            text.Count(char.IsAsciiDigit) >= 3 && text.All(ch => char.IsAsciiDigit(ch) || ch is '+' or ' ' or '-' or '(' or ')' or '.');
    }
}
