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
}
