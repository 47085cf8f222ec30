using System.Diagnostics.Tracing;

namespace Touchpoint.Bench;

/// <summary>
/// The runtime's GC events, heard in-process: how long the threads were paused, per generation collected (and for
/// background collections separately), so a change can be judged by which collections it made cheaper.
/// </summary>
internal sealed class GcPauses : EventListener
{
    private const int GcStart = 1, RestartEnd = 3, SuspendBegin = 9;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (int Count, TimeSpan Paused)> _byKind = [];
    private string _current = "?";
    private DateTime? _suspended;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Informational, (EventKeywords)0x1); // GC
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_gate)
        {
            switch (e.EventId)
            {
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
            return text;
        }
    }
}
