using Ebb.DotNetHost;
using Ebb.Heap;

namespace Ebb.Arena;

// The .NET host's side of the core's contract (Arena/Host.cs).
internal static unsafe partial class Host
{
    public static partial Heap.Heap* InitThreadHeap() => ThreadHeap.Init();

    public static partial bool WatchThreadExit(Heap.Heap* h) => ThreadExitHook.Watch(h);

    public static partial void WakePurger() => Purger.Wake();

    public static partial void FreeFailed(FreeError error, void* p, BlockInfo info) => FreeErrors.Throw(error, p, info);

    public static partial void ForeignFree(void* p, BlockInfo info) => FreeErrors.Throw(FreeError.InvalidFree, p, info);

    // A null is the whole answer in .NET (TryAlloc); Alloc's caller throws through OutOfMemory.
    public static partial void AllocFailed() { }

    public static partial void OutOfMemory() => throw new OutOfMemoryException();

    /// <summary>Set by the checks when sampled mode is on: frees a block of the sampled pool, false for any other pointer.</summary>
    public static delegate*<void*, bool> SampledFree;

    public static partial bool TryFreeForeign(void* p) => SampledFree != null && SampledFree(p);

    // The purge thread does housekeeping: nothing to do on slow paths.
    public static partial void SlowPath() { }

    public static partial void Start() => Startup.EnsureStarted();

    public static partial void Log(LogEvent e, nuint a, nuint b, nuint c) => Console.Error.WriteLine("ebb: " + e switch
    {
        LogEvent.BrkRefused => "brk refused; taking chunks from mmap instead",
        LogEvent.ReservedRegion => $"reserved {a >> 20} MiB at 0x{b:x} for chunks",
        LogEvent.UnmappedChunk => $"unmapped the free chunk at 0x{a:x}",
        LogEvent.UnmappedRegion => $"unmapped {a >> 20} MiB of region never used at 0x{b:x}",
        LogEvent.RaisedBreak => $"raised the break from 0x{a:x} to 0x{b:x} for a chunk at 0x{c:x}",
        LogEvent.LoweredBreak => $"lowered the break to 0x{a:x}, giving back a 32 MiB chunk",
        LogEvent.MappedHuge => $"mapped a huge block of {a >> 10} KiB at 0x{b:x}",
        _ => e.ToString(),
    });
}
