using System.Diagnostics.Tracing;

namespace Touchpoint.Bench;

/// <summary>
/// The runtime's GC events, heard in-process: how long the threads were paused, per generation collected (and for
/// background collections separately), so a change can be judged by which collections it made cheaper.
/// </summary>
internal sealed class GcPauses : EventListener
{
    private const int GcStart = 1, RestartEnd = 3, SuspendBegin = 9, AllocationTick = 10;
    private readonly Dictionary<string, long> _allocatedByType = [];
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (int Count, TimeSpan Paused)> _byKind = [];
    private string _current = "?";
    private DateTime? _suspended;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            // Verbose adds the allocation ticks (one per ~100 KB allocated, with the type) when asked for.
            EnableEvents(source, Environment.GetEnvironmentVariable("TOUCHPOINT_BENCH_ALLOCATIONS") == "1" ? EventLevel.Verbose : EventLevel.Informational, (EventKeywords)0x1); // GC
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_gate)
        {
            switch (e.EventId)
            {
                case AllocationTick when e.PayloadNames is { } names:
                    var type = e.Payload![names.IndexOf("TypeName")] as string ?? "?";
                    if (Convert.ToInt32(e.Payload[names.IndexOf("AllocationKind")], System.Globalization.CultureInfo.InvariantCulture) == 1)
                    {
                        type = "(large) " + type;
                    }
                    var amount = Convert.ToInt64(e.Payload[names.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
                    _allocatedByType[type] = _allocatedByType.GetValueOrDefault(type) + amount;
                    break;
                case GcStart when e.Payload is { Count: >= 3 } p:
                    // Type 1 is a background collection (its pauses are short ones at its start and end).
                    _current = $"gen{p[1]}{(Convert.ToInt32(p[3] ?? 0, System.Globalization.CultureInfo.InvariantCulture) == 1 ? " background" : "")} (reason {p[2]})";
                    var (count, paused) = _byKind.GetValueOrDefault(_current);
                    _byKind[_current] = (count + 1, paused);
                    break;
                case SuspendBegin:
                    _suspended = e.TimeStamp;
                    break;
                case RestartEnd when _suspended is { } at:
                    var known = _byKind.GetValueOrDefault(_current);
                    _byKind[_current] = (known.Count, known.Paused + (e.TimeStamp - at));
                    _suspended = null;
                    break;
            }
        }
    }

    public string Take()
    {
        lock (_gate)
        {
            var text = string.Join(", ", _byKind.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value.Count}× {k.Value.Paused.TotalSeconds:F2} s"));
            _byKind.Clear();
            if (_allocatedByType.Count > 0)
            {
                // Sampled: each tick stands for the ~100 KB allocated since the last one, charged to the type that crossed it.
                text += "\n  allocated by type (sampled): " + string.Join(", ", _allocatedByType.OrderByDescending(t => t.Value).Take(Environment.GetEnvironmentVariable("TOUCHPOINT_BENCH_ALLOCATIONS_TOP") is { } top ? int.Parse(top, System.Globalization.CultureInfo.InvariantCulture) : 20)
                    .Select(t => $"{t.Key} {t.Value / (1024 * 1024):N0} MiB"));
                _allocatedByType.Clear();
            }
            return text;
        }
    }
}
