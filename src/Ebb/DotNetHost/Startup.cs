using Ebb.Arena;

namespace Ebb.DotNetHost;

/// <summary>
/// The .NET host's start-up: the options (<see cref="EbbMemory.Configure"/>, else the environment
/// and runtimeconfig), copied into the core's <see cref="Settings"/>; the thread-exit hook of the
/// native helper; the arena; then <see cref="Started"/> (the stats printed at exit) on the
/// calling thread, and <see cref="StartedInBackground"/> (the metrics, the event source) on the
/// purge thread. Runs once, on first use.
/// </summary>
internal static unsafe class Startup
{
    private static readonly Lock s_gate = new();
    private static volatile bool s_started;
    private static EbbOptions s_options = new();
    private static EbbOptions? s_configured;

    /// <summary>The options in force (defaults until start-up).</summary>
    public static EbbOptions Options => s_options;

    /// <summary>Replaces the settings; only before first use.</summary>
    public static void Configure(EbbOptions o)
    {
        lock (s_gate)
        {
            if (s_started) throw new InvalidOperationException("Ebb is already in use; EbbMemory.Configure must be called before the first allocation.");
            s_configured = o.Clone();
        }
    }

    /// <summary>Starts Ebb up if it has not started.</summary>
    public static void EnsureStarted()
    {
        if (s_started) return;
        bool first;
        lock (s_gate)
        {
            first = !s_started;
            if (first)
            {
                EbbOptions options = s_configured ?? EbbOptions.FromEnvironment();
                Settings.PurgeDelayMs = options.PurgeDelayMs;
                Settings.Purge = options.Purge;
                Settings.PageSource = options.PageSource;
                Settings.Verbose = options.Verbose;
                s_options = options;
                ThreadExitHook.Install();
                Arena.Arena.Initialize();
                s_started = true;
            }
        }
        if (!first) return;
        Started?.Invoke(s_options);
        // The rest of start-up runs on the purge thread, not on the thread that allocated
        // first: creating a Meter loads and initializes the metrics and tracing assemblies,
        // milliseconds that a short program, or a request that happens to allocate first, would wait for.
        Purger.EnsureStarted();
    }

    /// <summary>Runs once Ebb has started, on the thread that started it, with its options (the API layer sets it: the stats at exit).</summary>
    public static Action<EbbOptions>? Started;

    /// <summary>Runs once, on the purge thread, after start-up (the API layer sets it: the metrics and the event source, which a caller that needs them at once starts itself).</summary>
    public static Action? StartedInBackground;

    /// <summary>The purge thread runs <see cref="StartedInBackground"/> here, once, before its first pass.</summary>
    public static void RunBackgroundStart()
    {
        try { StartedInBackground?.Invoke(); }
        catch (Exception e)
        {
            // The allocator works without its metrics: one line, and the program goes on.
            Console.Error.WriteLine($"ebb: warning: the metrics could not start: {e.Message}");
        }
        Volatile.Write(ref s_backgroundStartRan, true);
    }

    private static bool s_backgroundStartRan;

    /// <summary>Whether the purge thread has run the background start-up (for a caller that must see its effects, or their absence, for sure).</summary>
    public static bool BackgroundStartRan => Volatile.Read(ref s_backgroundStartRan);
}
