using Ebb.Heap;
using System.Runtime.CompilerServices;

namespace Ebb.DotNetHost;

/// <summary>
/// The calling thread's heap, reached by one [ThreadStatic] read of a raw pointer (the JIT
/// inlines thread-static access for unmanaged types). .NET has no thread-exit hook, so the
/// native helper's pthread key stands in for one (<see cref="DeadHeaps"/>): when the thread
/// exits, its heap goes to a new thread or, after the purge delay, to the abandoned lists,
/// whether or not a GC ever runs. Without the native library the purge thread polls the
/// thread's kernel id instead. (No finalizer: one could run after the poll or the hook had
/// already handed the heap to a new thread, and abandon a heap in use.) Nothing leaks because a
/// thread ended.
/// </summary>
internal static unsafe class ThreadHeap
{
    #pragma warning disable IDE1006 // t_: thread-static (.editorconfig)
    [ThreadStatic] private static Heap.Heap* t_heap;
    #pragma warning restore IDE1006

    /// <summary>
    /// Sampled mode (<c>EBB_GUARD=sample:N</c>): allocations left before this thread's next
    /// sampled one. Declared here, next to <c>t_heap</c>, not in the checks' own class: .NET
    /// reaches each class's thread statics through its own base lookup, and outside a loop
    /// the JIT cannot hoist it, so a countdown in another class cost a second lookup on every
    /// allocation (+15–25% a pair); here the allocator's lookup serves both.
    /// </summary>
    #pragma warning disable IDE1006 // t_: thread-static (.editorconfig)
    [ThreadStatic] internal static int t_sampleCountdown;
    #pragma warning restore IDE1006

    public static Heap.Heap* Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_heap;
    }

    /// <summary>The calling thread's heap, created on first use (a dead thread's taken over whole, or a fresh one); null when out of memory.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Heap.Heap* Init()
    {
        Heap.Heap* h = t_heap;
        if (h != null) return h;
        Ebb.DotNetHost.Startup.EnsureStarted();
        h = HeapPool.RentForThread();
        if (h == null) return null;
        h->ThreadId = Environment.CurrentManagedThreadId;
        // The hook (or, without it, the purge thread's poll) finds this thread's end, so the purge thread must be running.
        if (!DeadHeaps.Watch(h)) DeadHeaps.Poll(h);
        Ebb.DotNetHost.Purger.EnsureStarted();
        t_heap = h;
        return h;
    }
}
