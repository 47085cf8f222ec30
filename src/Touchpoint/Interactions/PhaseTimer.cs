using System.Diagnostics;

namespace Touchpoint.Interactions;

/// <summary>
/// Where an import's time goes, phase by phase; off unless the benchmark turns it on. Meant for one import at a
/// time: phases of concurrent imports would be mixed. Each asynchronous flow that calls <see cref="Start"/> (the
/// import's loop, the write running beside it) measures its own phases, so overlapping phases both count.
/// </summary>
internal static class PhaseTimer
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, TimeSpan> Totals = [];
    private static readonly Dictionary<string, long> Allocated = [];
    private static readonly Stopwatch Watch = Stopwatch.StartNew();
    private static readonly AsyncLocal<Point> Last = new();

    /// <summary>Where a flow's previous mark was: its time, and the bytes its thread had allocated then.</summary>
    private sealed class Point
    {
        public TimeSpan At;
        public long Allocated;
        public int Thread;

        public void Set(TimeSpan at)
        {
            At = at;
            Allocated = GC.GetAllocatedBytesForCurrentThread();
            Thread = Environment.CurrentManagedThreadId;
        }
    }

    public static bool Enabled { get; set; }

    /// <summary>Adds the time since the previous mark to <paramref name="phase"/>.</summary>
    public static void Mark(string phase)
    {
        if (!Enabled)
        {
            return;
        }
        lock (Gate)
        {
            var now = Watch.Elapsed;
            if (Last.Value is { } last)
            {
                Totals[phase] = Totals.GetValueOrDefault(phase) + (now - last.At);
                // A phase that awaited may have moved threads: its allocations are then not known, and not counted.
                if (last.Thread == Environment.CurrentManagedThreadId)
                {
                    Allocated[phase] = Allocated.GetValueOrDefault(phase) + (GC.GetAllocatedBytesForCurrentThread() - last.Allocated);
                }
                last.Set(now);
            }
        }
    }

    /// <summary>Starts timing this flow (the time before this counts to no phase).</summary>
    public static void Start()
    {
        if (!Enabled)
        {
            return;
        }
        var start = new Point();
        start.Set(Watch.Elapsed);
        Last.Value = start;
    }

    /// <summary>
    /// Returns the phases, longest first, with the bytes they allocated where every mark of theirs stayed on one
    /// thread (else what they were seen to allocate), and clears them.
    /// </summary>
    public static List<(string Phase, TimeSpan Time, long Allocated)> Take()
    {
        lock (Gate)
        {
            var phases = Totals.OrderByDescending(x => x.Value).Select(x => (x.Key, x.Value, Allocated.GetValueOrDefault(x.Key))).ToList();
            Totals.Clear();
            Allocated.Clear();
            return phases;
        }
    }
}
