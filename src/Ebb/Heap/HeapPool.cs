using System.Diagnostics;
using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>The page with no free block that empty direct slots point at, so the alloc fast path needs no null test.</summary>
internal static unsafe class EmptyPage
{
    public static Page* Instance;

    /// <summary>Makes the empty page (the caller holds the arena lock; once).</summary>
    public static void InitLocked()
    {
        if (Instance != null) return;
        Page* p = (Page*)Meta.AllocLocked((nuint)sizeof(Page));
        // Without it every direct slot would be null and the fast path would fault: nothing works.
        Debug.Assert(p != null, "no memory for the empty page");
        *p = default;
        p->LocalHeap = HeapState.None;
        Instance = p;
    }

    /// <summary>Points all <see cref="Heap.DirectSlots"/> direct slots at <paramref name="direct"/> to the empty page (a fresh heap's, or the native host's no-heap stand-in).</summary>
    public static void FillDirect(Page** direct)
    {
        Debug.Assert(Instance != null, "the empty page comes with the arena's start");
        for (int i = 0; i < Heap.DirectSlots; i++) direct[i] = Instance;
    }
}

/// <summary>
/// Heaps are native structs that are never freed: a heap given back (thread died, EbbHeap
/// disposed) is reset and kept for the next one. Another thread may still hold a stale
/// pointer to it (the full-page hint of a remote free), which then stays harmless.
/// </summary>
internal static unsafe class HeapPool
{
    private static Heap* s_pool;

    public static Heap* Rent(HeapKind kind)
    {
        Arena.Arena.Initialize();
        Heap* h;
        using (Arena.ArenaLock.Hold())
        {
            h = s_pool;
            if (h != null) s_pool = h->NextInPool;
            else h = (Heap*)Meta.AllocLocked((nuint)sizeof(Heap));
        }
        if (h == null) return null;
        Reset(h);
        h->Kind = kind;
        return h;
    }

    /// <summary>A heap for a thread's first allocation: a dead thread's, taken over whole (its pages stay put), or a fresh one. Null when out of memory.</summary>
    public static Heap* RentForThread()
    {
        Heap* h = DeadHeaps.TryTake();
        return h != null ? h : Rent(HeapKind.Thread);
    }

    /// <summary>Back to the pool. The caller has moved every page out. Under the arena lock.</summary>
    public static void ReturnLocked(Heap* h)
    {
        Debug.Assert(h->Empty == null, "a heap goes back to the pool with empty pages still on its list");
        Reset(h);
        h->NextInPool = s_pool;
        s_pool = h;
    }

    private static void Reset(Heap* h)
    {
        *h = default;
        EmptyPage.FillDirect(Heap.DirectOf(h));
    }
}
