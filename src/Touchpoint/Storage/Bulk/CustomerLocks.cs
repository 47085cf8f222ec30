namespace Touchpoint.Storage.Bulk;

/// <summary>
/// PostgreSQL advisory locks that serialise writers of the same customers (ingest batches, recompute, merge).
/// Transaction-scoped, on stripes of customer ids, always taken in ascending order so two writers cannot deadlock;
/// striping keeps a large batch within the server's lock table. SQLite has one writer at a time and needs none.
/// </summary>
public static class CustomerLocks
{
    public const int Space = 0x54500001;
    public const int StripeCount = 256;

    /// <summary>Takes the locks; parameters @space (int) and @stripes (int[]).</summary>
    public const string Sql = "SELECT count(pg_advisory_xact_lock(@space, s)) FROM (SELECT unnest(@stripes) AS s ORDER BY 1) AS ordered";

    public static int[] Stripes(IEnumerable<long> customerIds) =>
        customerIds.Select(id => (int)(id % StripeCount)).Distinct().Order().ToArray();
}
