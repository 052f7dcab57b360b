using System.Diagnostics.CodeAnalysis;
using Ebb.Heap;

namespace Ebb.Arena;

/// <summary>What went wrong in a free (or realloc, or usable-size query) of a pointer.</summary>
internal enum FreeError
{
    /// <summary>The block is free already (or its page, or its huge mapping, is gone).</summary>
    DoubleFree,
    /// <summary>Not a block start Ebb handed out: inside a block, metadata, foreign memory.</summary>
    InvalidFree,
    /// <summary>A block start carved from its page but never handed out.</summary>
    NeverHandedOut,
}

/// <summary>A line the core would print with <c>EBB_VERBOSE</c>; the host formats it (the core formats no text).</summary>
internal enum LogEvent
{
    /// <summary>brk refused a chunk; chunks come from mmap instead.</summary>
    BrkRefused,
    /// <summary>A: bytes, B: address of a region reserved for chunks.</summary>
    ReservedRegion,
    /// <summary>A: address of a wholly free chunk unmapped.</summary>
    UnmappedChunk,
    /// <summary>A: bytes, B: address of the never-used rest of a region, unmapped.</summary>
    UnmappedRegion,
    /// <summary>A: old break, B: new break, C: the chunk's address.</summary>
    RaisedBreak,
    /// <summary>A: the new break (a chunk given back).</summary>
    LoweredBreak,
    /// <summary>A: bytes, B: address of a huge block's own mapping.</summary>
    MappedHuge,
}

/// <summary>
/// What the allocator core asks of its host. The core (Os, Arena, Heap) is compiled twice: into
/// Ebb.dll, whose host is .NET (src/Ebb/DotNetHost), and into libebb.so with no runtime, whose host is
/// src/Ebb.Native/NativeHost. Each host implements these partial methods; the core never names a host
/// type, holds no managed object, throws nothing and formats no text (mimalloc's prim.h plays the
/// same part for its platforms).
/// </summary>
internal static unsafe partial class Host
{
    /// <summary>The calling thread's heap, created (or a dead thread's taken over) and stored in the host's thread-local slot.</summary>
    public static partial Heap.Heap* InitThreadHeap();

    /// <summary>Arranges that the calling thread's exit hands <paramref name="h"/> to <see cref="DeadHeaps"/>; false when the host cannot (then the thread is polled).</summary>
    public static partial bool WatchThreadExit(Heap.Heap* h);

    /// <summary>Free slices are waiting for the purge delay, abandoned pages for a sweep, or dead heaps for release: see that it happens.</summary>
    public static partial void WakePurger();

    /// <summary>A free the core refused. Does not return: the .NET host throws, the native host reports and aborts.</summary>
    [DoesNotReturn]
    public static partial void FreeFailed(FreeError error, void* p, BlockInfo info);

    /// <summary>A free of memory Ebb never owned. The .NET host throws; libebb.so leaves it alone (it may be the loader's start-up memory).</summary>
    public static partial void ForeignFree(void* p, BlockInfo info);

    /// <summary>An allocation that must not return null found no memory. Does not return (the .NET host throws OutOfMemoryException).</summary>
    [DoesNotReturn]
    public static partial void OutOfMemory();

    /// <summary>An allocation's slow path found no memory and returns null (libebb.so sets errno to ENOMEM).</summary>
    public static partial void AllocFailed();

    /// <summary>Frees <paramref name="p"/> if it belongs to a host's own pool outside the chunks (sampled mode's guarded slots); false otherwise.</summary>
    public static partial bool TryFreeForeign(void* p);

    /// <summary>An allocation took the slow path: a host without a purge thread runs due housekeeping here.</summary>
    public static partial void SlowPath();

    /// <summary>Starts Ebb up (settings, arena) if it has not started: a free can come before any allocation.</summary>
    public static partial void Start();

    /// <summary>Prints one verbose line (called only when <see cref="Settings.Verbose"/>).</summary>
    public static partial void Log(LogEvent e, nuint a, nuint b, nuint c);
}
