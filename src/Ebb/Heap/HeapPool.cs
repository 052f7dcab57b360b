using System.Diagnostics;
using System.Runtime.InteropServices;
using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>The page with no free block that empty direct slots point at, so the alloc fast path needs no null test.</summary>
internal static unsafe class EmptyPage
{
    public static Page* Instance;

    public static void Init()
    {
        if (Instance != null) return;
        Page* p = (Page*)NativeMemory.AlignedAlloc((nuint)sizeof(Page), 64);
        *p = default;
        p->LocalHeap = HeapState.None;
        Instance = p;
    }
}

/// <summary>
/// Heaps are native structs that are never freed: a heap given back (thread died, EbbHeap
/// disposed) is reset and kept for the next one. Another thread may still hold a stale
/// pointer to it (the full-page hint of a remote free), which then stays harmless.
/// </summary>
internal static unsafe class HeapPool
{
    private static Heap* pool;

    public static Heap* Rent(HeapKind kind)
    {
        Arena.Arena.EnsureInitialized();
        Heap* h;
        lock (Arena.Arena.Gate)
        {
            h = pool;
            if (h != null) pool = h->NextInPool;
        }
        if (h == null) h = (Heap*)NativeMemory.AlignedAlloc((nuint)sizeof(Heap), 64);
        Reset(h);
        h->Kind = kind;
        h->ThreadId = Environment.CurrentManagedThreadId;
        return h;
    }

    /// <summary>Back to the pool. The caller has moved every page out. Under the arena lock.</summary>
    public static void ReturnLocked(Heap* h)
    {
        Debug.Assert(h->Empty == null, "a heap goes back to the pool with empty pages still on its list");
        Reset(h);
        h->NextInPool = pool;
        pool = h;
    }

    private static void Reset(Heap* h)
    {
        *h = default;
        Page** direct = Heap.DirectOf(h);
        for (int i = 0; i < Heap.DirectSlots; i++) direct[i] = EmptyPage.Instance;
    }
}
