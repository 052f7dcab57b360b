using System.Runtime.CompilerServices;

namespace Ebb;

/// <summary>
/// Runs when the Ebb assembly is first touched, before the caller's code is compiled where
/// possible, so that the JIT sees the checks switch, the thread-heap slot and the chunk map
/// already initialized: it folds <c>Checker.Enabled</c> and the chunk and page maps' addresses to
/// constants and inlines the thread-static access instead of calling a helper on every
/// allocation (which happens to code compiled straight to full optimization, e.g. a method
/// with stackalloc, before first use). The chunk map (4 MiB, MAP_NORESERVE) and the page map
/// (16 GiB, read-only until a chunk's part is committed) are address space: no RSS until a
/// chunk is made. It also gives start-up (a layer below) what the API layer does once Ebb
/// starts: the stats at exit when asked for, and (on the purge thread) the address-space event
/// source and the hook that creates the metrics once the metrics library is loaded.
/// </summary>
internal static unsafe class EarlyInit
{
    // CA2255 warns that module initializers are meant for applications; this one only touches
    // two of the library's own statics, which is exactly the intended early use.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Run()
    {
        Ebb.DotNetHost.Startup.Started = options =>
        {
            if (options.ShowStats)
                AppDomain.CurrentDomain.ProcessExit += (_, _) => EbbMemory.PrintStats(Console.Error);
        };
        Ebb.DotNetHost.Startup.StartedInBackground = () =>
        {
            EbbMetrics.StartWhenMetricsAreLoaded();
            EbbAddressSpaceEvents.Start();
        };
        _ = Checks.Checker.s_enabled;
        _ = Ebb.DotNetHost.ThreadHeap.Current;
        _ = Arena.ChunkMap.Map;
        _ = Arena.PageMap.Base;
    }
}
