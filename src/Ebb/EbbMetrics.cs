using System.Diagnostics.Metrics;
using Ebb.Os;

namespace Ebb;

/// <summary>
/// The <see cref="System.Diagnostics.Metrics.Meter"/> named <c>Ebb</c>, with observable
/// instruments for the statistics, so <c>dotnet-counters monitor --counters Ebb -p PID</c>
/// shows them. Created as soon as the process has the metrics library
/// (System.Diagnostics.DiagnosticSource) loaded, whoever loaded it: the program's own meters or
/// listeners, or the runtime answering a dotnet-counters session; a process that uses no metrics
/// does not load it for Ebb. Reading <see cref="Meter"/> creates it at once. Each collection takes
/// one snapshot (at most every 250 ms).
/// </summary>
public static class EbbMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Ebb";

    private static Meter? s_meter;
    private static EbbStats? s_cached;
    private static long s_cachedAt;
    private static readonly Lock s_gate = new();

    /// <summary>The meter: created when the metrics library loads (see the class), or here if read first.</summary>
    public static Meter Meter { get { Start(); return s_meter!; } }

    /// <summary>The assembly whose loading means that metrics are in use in this process.</summary>
    internal const string MetricsAssemblyName = "System.Diagnostics.DiagnosticSource";

    /// <summary>
    /// Creates the meter once the metrics library is loaded: now, if it is; else when it loads.
    /// No type of that library is named on this path, so calling it does not load the library.
    /// </summary>
    internal static void StartWhenMetricsAreLoaded()
    {
        AppDomain.CurrentDomain.AssemblyLoad += OnAssemblyLoad;
        foreach (var a in AppDomain.CurrentDomain.GetAssemblies())
            if (a.GetName().Name == MetricsAssemblyName) { StartSoon(); return; }
    }

    private static void OnAssemblyLoad(object? sender, AssemblyLoadEventArgs e)
    {
        if (e.LoadedAssembly.GetName().Name == MetricsAssemblyName) StartSoon();
    }

    private static void StartSoon()
    {
        AppDomain.CurrentDomain.AssemblyLoad -= OnAssemblyLoad;
        // Not on the loading thread: it may be in the middle of the runtime creating its metrics
        // event source, which a new Meter would call back into.
        ThreadPool.UnsafeQueueUserWorkItem(static _ =>
        {
            try { Start(); }
            catch (Exception e)
            {
                // The allocator works without its metrics: one line, not a crash on a pool thread.
                Console.Error.WriteLine($"ebb: warning: the metrics could not start: {e.Message}");
            }
        }, null);
    }

    internal static void Start()
    {
        if (s_meter != null) return;
        lock (s_gate)
        {
            if (s_meter != null) return;
            var m = new Meter(MeterName);
            m.CreateObservableUpDownCounter("ebb.memory.reserved", () => Snapshot().ReservedBytes, "By", "Address space held by Ebb");
            m.CreateObservableUpDownCounter("ebb.memory.committed", () => Snapshot().CommittedBytes, "By", "Bytes in spans and huge blocks in use");
            m.CreateObservableUpDownCounter("ebb.memory.resident", () => Snapshot().ResidentBytes, "By", "Bytes that may be resident (committed plus not yet purged)");
            m.CreateObservableUpDownCounter("ebb.memory.in_use", () => Snapshot().InUseBytes, "By", "Bytes of blocks in use");
            m.CreateObservableUpDownCounter("ebb.blocks.in_use", () => Snapshot().InUseBlocks, "{block}", "Blocks in use");
            m.CreateObservableUpDownCounter("ebb.memory.pending_purge", () => Snapshot().PendingPurgeBytes, "By", "Free bytes waiting for the purge delay");
            m.CreateObservableCounter("ebb.memory.purged", () => Snapshot().PurgedBytes, "By", "Bytes given back with madvise");
            m.CreateObservableCounter("ebb.os.calls", ObserveOsCalls, "{call}", "System calls made by the Os layer, by kind");
            s_meter = m;
        }
    }

    private static IEnumerable<Measurement<long>> ObserveOsCalls()
    {
        var os = Snapshot().Os;
        foreach (OsCall kind in Enum.GetValues<OsCall>())
            yield return new Measurement<long>(os.Calls(kind), new KeyValuePair<string, object?>("call", kind.ToString().ToLowerInvariant()));
    }

    private static EbbStats Snapshot()
    {
        lock (s_gate)
        {
            long now = Environment.TickCount64;
            if (s_cached == null || now - s_cachedAt > 250)
            {
                s_cached = EbbMemory.GetStats();
                s_cachedAt = now;
            }
            return s_cached;
        }
    }
}
