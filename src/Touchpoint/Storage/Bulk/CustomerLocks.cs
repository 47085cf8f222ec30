namespace Touchpoint.Storage.Bulk;

/// <summary>
/// PostgreSQL advisory locks that serialise writers of the same customers (ingest batches, recompute, merge).
/// Transaction-scoped, on stripes of customer ids, always taken in ascending order so two writers cannot deadlock;
/// striping keeps a large batch within the server's lock table. SQLite has one writer at a time and needs none.
/// Each stripe also has a version (table timeline_stripes, both engines) that every writer of customers' timelines
/// bumps under its locks (SQLite: its write lock), so a long import can tell who else wrote (see <see cref="BulkWriter"/>).
/// </summary>
public static class CustomerLocks
{
    public const int Space = 0x54500001;
    public const int StripeCount = 256;

    /// <summary>Takes the locks; parameters @space (int) and @stripes (int[]).</summary>
    public const string Sql = "SELECT count(pg_advisory_xact_lock(@space, s)) FROM (SELECT unnest(@stripes) AS s ORDER BY 1) AS ordered";

    /// <summary>
    /// Bumps the locked stripes' versions (table timeline_stripes, one row per stripe) and returns them; parameter
    /// @stripes (int[]). Run after <see cref="Sql"/> by every writer of customers' timelines, so the versions change
    /// only under the locks.
    /// </summary>
    public const string BumpSql = "UPDATE timeline_stripes SET version = version + 1 WHERE stripe = ANY(@stripes) RETURNING stripe, version";

    /// <summary>SQLite's <see cref="BumpSql"/>, inside the write transaction; parameter @stripes (a JSON array).</summary>
    public const string SqliteBumpSql = "UPDATE timeline_stripes SET version = version + 1 WHERE stripe IN (SELECT value FROM json_each(@stripes)) RETURNING stripe, version";

    public static int Stripe(long customerId) => (int)(customerId % StripeCount);

    public static int[] Stripes(IEnumerable<long> customerIds) => customerIds.Select(Stripe).Distinct().Order().ToArray();
}
