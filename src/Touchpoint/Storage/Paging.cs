namespace Touchpoint.Storage;

/// <summary>Where a numbered page starts.</summary>
public static class Paging
{
    /// <summary>
    /// The rows before page <paramref name="page"/> (1-based), computed in 64 bits: a page number from a URL times the
    /// page size can pass int.MaxValue, and the wrapped, negative offset read page 1 on SQLite and failed on PostgreSQL.
    /// A page that far past the end is empty either way.
    /// </summary>
    public static int Offset(int page, int pageSize) => (int)Math.Clamp((page - 1L) * pageSize, 0, int.MaxValue);
}
