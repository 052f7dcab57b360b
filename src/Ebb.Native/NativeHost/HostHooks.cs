using Ebb.Heap;
using Ebb.NativeHost;

namespace Ebb.Arena;

// libebb.so's side of the core's contract (src/Ebb/Arena/Host.cs).
internal static unsafe partial class Host
{
    public static partial Heap.Heap* InitThreadHeap()
    {
        Shim.ebb_shim_start();
        // Starting may have allocated on this thread (the background thread's creation): then it has a heap now.
        Heap.Heap* h = HeapState.Real((Heap.Heap*)Shim.ebb_shim_thread_heap());
        if (h != null) return h;
        h = HeapPool.RentForThread();
        if (h != null) Shim.ebb_shim_set_thread_heap(h);
        return h;
    }

    // The C shim's pthread key is armed by InitThreadHeap: every thread heap is watched.
    public static partial bool WatchThreadExit(Heap.Heap* h) => true;

    public static partial void WakePurger() => Beat.Schedule();

    public static partial void FreeFailed(FreeError error, void* p, BlockInfo info) =>
        Shim.ebb_shim_fatal_free((int)error, p, info.Size, info.Start, (int)info.Kind);

    // Memory from before Ebb was the process's malloc (the loader's start-up allocator): left alone.
    public static partial void ForeignFree(void* p, BlockInfo info) { }

    public static partial void AllocFailed() => Shim.ebb_shim_set_enomem();

    public static partial void OutOfMemory() => Shim.ebb_shim_fatal(2);

    public static partial bool TryFreeForeign(void* p) => false;

    public static partial void Log(LogEvent e, nuint a, nuint b, nuint c) => Shim.ebb_shim_log((int)e, a, b, c);

    public static partial void SlowPath() => Beat.Tick();

    public static partial void Start() => Shim.ebb_shim_start();
}
