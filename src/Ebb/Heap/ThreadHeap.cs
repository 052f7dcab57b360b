using System.Runtime.CompilerServices;

namespace Ebb.Heap;

/// <summary>
/// The calling thread's heap, reached by one [ThreadStatic] read of a raw pointer (the JIT
/// inlines thread-static access for unmanaged types). .NET has no thread-exit hook, so a
/// finalizable <see cref="Holder"/> referenced only from another [ThreadStatic] slot stands
/// in for one: when the thread dies its slot goes, the holder becomes unreachable, and its
/// finalizer abandons the heap (its pages are then adopted by other threads or, once
/// empty, given back by the purge thread). Nothing leaks because a thread ended.
/// </summary>
internal static unsafe class ThreadHeap
{
    [ThreadStatic] private static Heap* t_heap;
    [ThreadStatic] private static Holder? t_holder;

    /// <summary>
    /// Sampled mode (<c>EBB_GUARD=sample:N</c>): allocations left before this thread's next
    /// sampled one. Declared here, next to <c>t_heap</c>, not in the checks' own class: .NET
    /// reaches each class's thread statics through its own base lookup, and outside a loop
    /// the JIT cannot hoist it, so a countdown in another class cost a second lookup on every
    /// allocation (+15–25% a pair); here the allocator's lookup serves both.
    /// </summary>
    [ThreadStatic] internal static int SampleCountdown;

    public static Heap* Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_heap;
    }

    /// <summary>The calling thread's heap, created on first use.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Heap* Init()
    {
        Heap* h = t_heap;
        if (h != null) return h;
        h = HeapPool.Rent(HeapKind.Thread);
        t_holder = new Holder(h);
        t_heap = h;
        return h;
    }

    private sealed class Holder(Heap* heap)
    {
        ~Holder() => Abandoned.AbandonHeap(heap);
    }
}
