using Microsoft.EntityFrameworkCore;

namespace Touchpoint.Storage;

/// <summary>
/// A write refused by a unique index: what a check-then-insert meets when another request inserted the same key in
/// between (two people saving a segment of one name at once), to be answered as the check would have, not as a failure.
/// </summary>
public static class UniqueViolations
{
    public static bool IsUniqueViolation(this DbUpdateException e) => e.InnerException switch
    {
        Npgsql.PostgresException p => p.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY (a consent row: customer and channel).
        Microsoft.Data.Sqlite.SqliteException q => q.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };

    /// <summary>
    /// Whether another writer inserting some of the same keys got in the way: a unique violation, or on PostgreSQL a
    /// deadlock on the unique index (two writers inserting two new keys in opposite orders), which rolls the whole
    /// transaction back and which EF Core reports wrapped as a transient failure. Either way nothing was stored, and
    /// looking the keys up again finds what the other writer committed.
    /// </summary>
    public static bool IsInsertConflict(this Exception e) => e switch
    {
        DbUpdateException u => u.IsUniqueViolation() || (u.InnerException is { } inner && Bulk.BulkStore.IsDeadlockVictim(inner)),
        InvalidOperationException { InnerException: DbUpdateException u } => u.IsInsertConflict(),
        _ => false,
    };
}
