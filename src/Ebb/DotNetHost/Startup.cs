using Ebb.Arena;

namespace Ebb.DotNetHost;

/// <summary>
/// The .NET host's start-up: the options (<see cref="EbbMemory.Configure"/>, else the environment
/// and runtimeconfig), copied into the core's <see cref="Settings"/>; the thread-exit hook of the
/// native helper; the arena; then <see cref="Started"/> (the metrics, the stats printed at exit).
/// Runs once, on first use.
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
        if (first) Started?.Invoke(s_options);
    }

    /// <summary>Runs once Ebb has started, with its options (the API layer sets it: the metrics, the stats at exit).</summary>
    public static Action<EbbOptions>? Started;
}
