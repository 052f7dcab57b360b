using System.Runtime;
using Ebb.Arena;
using Ebb.Heap;

namespace Ebb.NativeHost;

/// <summary>
/// The entry points the C shim calls (plain C symbols, no transition code: [RuntimeExport]). Each
/// takes the calling thread's heap from the shim's thread-local slot (<see cref="HeapState.NoHeap"/>
/// before the thread's first allocation, never null) and keeps the C contracts: null for out of
/// memory (the shim sets errno), a refused free reported and the process aborted (as glibc
/// does), never an exception. malloc and free take the pointer or size first and the heap
/// second: that is where the shim has them, so its tail call moves nothing.
/// </summary>
internal static unsafe class Exports
{
    [RuntimeExport("ebb_core_init")]
    public static void Init(int purgeDelayMs, int purgeMode, int pageSource, int verbose, Page** noHeap, int noHeapSlots)
    {
        if (Arena.Arena.IsInitialized) return;
        Settings.PurgeDelayMs = purgeDelayMs;
        Settings.Purge = (EbbPurgeMode)purgeMode;
        Settings.PageSource = (EbbPageSource)pageSource;
        Settings.Verbose = verbose != 0;
        using (ArenaLock.Hold())
        {
            if (!DeadHeaps.Hooked) DeadHeaps.UseHook((nint*)Meta.AllocLocked((nuint)sizeof(nint)));
        }
        Arena.Arena.Initialize();
        // The shim's slots are as many as the heap's direct slots, or its malloc would read past them.
        if (noHeapSlots < Heap.Heap.DirectSlots) Shim.ebb_shim_fatal(1);
        HeapState.InitNoHeap(noHeap);
    }

    [RuntimeExport("ebb_core_malloc")]
    public static void* Malloc(nuint size, Heap.Heap* h) => HeapAlloc.TryAllocIndexed(h, size);

    [RuntimeExport("ebb_core_calloc")]
    public static void* Calloc(Heap.Heap* h, nuint size) => HeapAlloc.TryAllocZeroed(h, size);

    [RuntimeExport("ebb_core_free")]
    public static void Free(void* p, Heap.Heap* h) => Dealloc.Free(h, p);

    [RuntimeExport("ebb_core_realloc")]
    public static void* Realloc(Heap.Heap* h, void* p, nuint size) => OrEnomem(Resize.Realloc(HeapState.Real(h), null, p, size, 0));

    [RuntimeExport("ebb_core_aligned")]
    public static void* Aligned(Heap.Heap* h, nuint size, nuint alignment)
    {
        h = HeapState.Real(h);
        if (h == null) h = Host.InitThreadHeap();
        return OrEnomem(h == null ? null : HeapAlloc.Aligned(h, size, alignment, zero: false));
    }

    /// <summary>The C contract for a failed allocation: null, and errno ENOMEM (paths that do not go through the allocation slow path: realloc, aligned).</summary>
    private static void* OrEnomem(void* p)
    {
        if (p == null) Shim.ebb_shim_set_enomem();
        return p;
    }

    /// <summary>malloc_usable_size: 0 for a pointer Ebb does not own (glibc's, from before the preload), as glibc answers for its own; in one call, so a program that counts its memory at every malloc and free (redis) pays one.</summary>
    [RuntimeExport("ebb_core_usable_size")]
    public static nuint UsableSize(Heap.Heap* h, void* p)
    {
        Page* pg = Blocks.LiveSmallPage(p);
        if (pg != null) return pg->BlockSize;
        return Owns(p) == 0 ? 0 : Blocks.LiveBlockAtSlow(p, HeapState.Real(h)).Size;
    }

    /// <summary>Whether Ebb owns the memory at <paramref name="p"/> (a chunk or a huge mapping of its own).</summary>
    [RuntimeExport("ebb_core_owns")]
    public static int Owns(void* p) => Arena.Arena.IsInitialized && ChunkMap.Get((nuint)p) != ChunkMap.None ? 1 : 0;

    /// <summary>The calling thread is exiting: its heap goes to the dead heaps, for a new thread to take over or housekeeping to give up.</summary>
    [RuntimeExport("ebb_core_thread_exit")]
    public static void ThreadExit(Heap.Heap* h)
    {
        h = HeapState.Real(h);
        if (h == null) return;
        Pages.ReleaseEmpty(h);
        DeadHeaps.Push(h);
        Beat.Schedule();
    }

    /// <summary>Gives back everything that can be given back now (malloc_trim).</summary>
    [RuntimeExport("ebb_core_trim")]
    public static void Trim(Heap.Heap* h) => Teardown.Trim(HeapState.Real(h));

    /// <summary>The background thread's beat (EBB_BACKGROUND_PURGE=1): runs what is due, returns the ms to sleep or -1.</summary>
    [RuntimeExport("ebb_core_beat")]
    public static int BeatNow() => Arena.Arena.IsInitialized ? Beat.RunFromThread() : -1;

    /// <summary>Figures for ebb_stats: committed, peak committed, dirty (waiting to be purged), purged, reserved bytes.</summary>
    [RuntimeExport("ebb_core_stats")]
    public static void Stats(long* committed, long* peak, long* dirty, long* purged, long* reserved)
    {
        *committed = Arena.Arena.CommittedBytes;
        *peak = Arena.Arena.PeakCommittedBytes;
        *dirty = Arena.Arena.DirtyBytes + Huge.DirtyCachedBytes;
        *purged = Arena.Arena.PurgedBytes;
        *reserved = ChunkSource.ReservedBytes + Huge.LiveBytes + Huge.CachedBytes;
    }
}
