namespace Touchpoint.Storage;

/// <summary>
/// Times as both databases store them: in UTC (a local time converted, one without a kind taken as UTC, as the files'
/// times are) and to whole microseconds, since PostgreSQL keeps no finer. A finer value read back differed from what
/// was given: a re-import counted as an update, and a contact 7 days and 500 ns after another was no repeat when
/// derived in memory and a repeat once recomputed from the store.
/// </summary>
public static class StoredTimes
{
    public static DateTime Utc(DateTime t) =>
        WholeMicroseconds(DateTime.SpecifyKind(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t, DateTimeKind.Utc));

    public static DateTime WholeMicroseconds(DateTime t) => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerMicrosecond));

    public static TimeOnly WholeMicroseconds(TimeOnly t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMicrosecond);
}
