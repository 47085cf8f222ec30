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
    private static readonly Stopwatch Watch = Stopwatch.StartNew();
    private static readonly AsyncLocal<System.Runtime.CompilerServices.StrongBox<TimeSpan>> Last = new();

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
                Totals[phase] = Totals.GetValueOrDefault(phase) + (now - last.Value);
                last.Value = now;
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
        Last.Value = new System.Runtime.CompilerServices.StrongBox<TimeSpan>(Watch.Elapsed);
    }

    /// <summary>Returns the phases, longest first, and clears them.</summary>
    public static List<(string Phase, TimeSpan Time)> Take()
    {
        lock (Gate)
        {
            var phases = Totals.OrderByDescending(x => x.Value).Select(x => (x.Key, x.Value)).ToList();
            Totals.Clear();
            return phases;
        }
    }
}
