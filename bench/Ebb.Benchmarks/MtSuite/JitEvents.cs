using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Ebb.Benchmarks.MtSuite;

/// <summary>
/// What the JIT compiled while a workload ran, from the runtime's own events (the JIT keyword of
/// Microsoft-Windows-DotNETRuntime, read in process): how many compilations of methods of the
/// Ebb library it made (a method recompiled at a higher tier counts again) and the time from each
/// one's JittingStarted to its MethodLoad, on the compiling thread.
/// Ahead-of-time code that the runtime merely loads raises no JittingStarted, so a ReadyToRun
/// Ebb.dll shows here as methods not compiled. For <c>suite-child --jit-events</c>.
/// </summary>
public sealed class JitEvents : EventListener
{
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private readonly ConcurrentDictionary<(long Thread, ulong Method), DateTime> _started = new();
    private int _ebbMethods, _allMethods;
    private long _ebbTicks, _allTicks;

    /// <summary>Compilations of methods of the Ebb library (not the benchmarks) since the listener started.</summary>
    public int EbbMethods => Volatile.Read(ref _ebbMethods);

    /// <summary>Milliseconds spent compiling them.</summary>
    public double EbbMilliseconds => TimeSpan.FromTicks(Interlocked.Read(ref _ebbTicks)).TotalMilliseconds;

    /// <summary>Every compilation since the listener started (the workload's methods, the framework's, Ebb's).</summary>
    public int AllMethods => Volatile.Read(ref _allMethods);

    /// <summary>Milliseconds spent compiling every method.</summary>
    public double AllMilliseconds => TimeSpan.FromTicks(Interlocked.Read(ref _allTicks)).TotalMilliseconds;

    /// <inheritdoc/>
    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, JitKeyword);
    }

    /// <inheritdoc/>
    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.Payload is not { Count: > 7 } payload || payload[0] is not ulong method) return;
        if (e.EventName == "MethodJittingStarted_V1")
            _started[(e.OSThreadId, method)] = e.TimeStamp;
        else if (e.EventName is "MethodLoadVerbose_V1" or "MethodLoadVerbose_V2" && _started.TryRemove((e.OSThreadId, method), out var t0))
        {
            long ticks = (e.TimeStamp - t0).Ticks;
            Interlocked.Increment(ref _allMethods);
            Interlocked.Add(ref _allTicks, ticks);
            // Payload 6 is the method's namespace-qualified type name.
            if (payload[6] is string type && type.StartsWith("Ebb.", StringComparison.Ordinal) && !type.StartsWith("Ebb.Benchmarks", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _ebbMethods);
                Interlocked.Add(ref _ebbTicks, ticks);
            }
        }
    }
}
