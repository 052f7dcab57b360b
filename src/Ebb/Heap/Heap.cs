using System.Runtime.InteropServices;
using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>What a heap belongs to.</summary>
internal enum HeapKind
{
    /// <summary>A thread's own heap, reached through <c>t_heap</c>; only that thread touches its owner-only state.</summary>
    Thread,
    /// <summary>An <see cref="EbbHeap"/>: touched only under the EbbHeap's lock; every free into it is a remote free.</summary>
    Explicit,
}

/// <summary>
/// A heap: a set of pages per size class. Lives in native memory, reached by pointer;
/// never freed (recycled through a pool), so a stale pointer read by another thread
/// (the full-page hint) stays harmless.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Heap
{
    /// <summary>
    /// Direct slots: requests of 0..1024 bytes index <c>(size + 15) / 16</c>, larger ones the
    /// overflow slot (<see cref="OverflowSlot"/>), which always holds the empty page.
    /// </summary>
    public const int DirectSlots = 66;
    public const nuint DirectMaxSize = 1024;
    /// <summary>The slot every request above <see cref="DirectMaxSize"/> indexes: never set, so the pop always fails there and the slow path takes the size.</summary>
    public const int OverflowSlot = 65;

    /// <summary>The direct slot of a request of <paramref name="size"/> bytes, at most <see cref="DirectMaxSize"/>.</summary>
    public static nuint SlotOf(nuint size) => (size + 15) >> 4;

    /// <summary>
    /// <c>Page*</c> per direct slot (must stay the first field: the fast path indexes the heap
    /// pointer itself): the first page of the slot's bin, or the empty page (no free block) so
    /// the fast path needs no null test.
    /// </summary>
    public fixed ulong Direct[DirectSlots];
    /// <summary>Per bin, the queue of pages with (possibly) free blocks: first and last.</summary>
    public fixed ulong First[SizeClasses.Count];
    public fixed ulong Last[SizeClasses.Count];
    /// <summary>Pages found with no free block, newest first (FullTail the oldest). Their LocalHeap is None, so a local free takes the slow path and brings them back.</summary>
    public Page* Full, FullTail;
    /// <summary>Large spans of an explicit heap (linked through Page.Next/Prev; under the arena lock).</summary>
    public Page* Large;
    /// <summary>Huge blocks of an explicit heap (under the huge lock).</summary>
    public HugeHeader* Huge;
    /// <summary>Next heap in the pool of unused heaps.</summary>
    public Heap* NextInPool;
    /// <summary>Set (by any thread) when a remote free hit one of our full pages: scan Full before taking a new page.</summary>
    public int RemoteOnFull;
    /// <summary>Empty pages (<see cref="EmptyPages"/>), newest first, linked through Page.Next/Prev; LocalHeap None. Owner only.</summary>
    public Page* Empty, EmptyTail;
    /// <summary>Bytes of the pages on <see cref="Empty"/>. Owner only.</summary>
    public long EmptyBytes;
    public HeapKind Kind;
    /// <summary>Managed thread id of the owner thread (thread heaps), for reports.</summary>
    public int ThreadId;
    /// <summary>The owner thread's kernel id, for the poll that finds dead threads when the native hook is missing (<see cref="DeadHeaps"/>).</summary>
    public int KernelTid;
    /// <summary>When its thread was found dead (ms, <see cref="Arena.Arena.Now"/>), while the heap waits in <see cref="DeadHeaps"/>.</summary>
    public int DiedAt;
    /// <summary>Link in <see cref="DeadHeaps"/>'s lists: written by the native thread-exit hook as the owner dies, then under the arena lock.</summary>
    public Heap* NextDead;

    public static Page** DirectOf(Heap* h) => (Page**)h->Direct;
    public static Page** FirstOf(Heap* h) => (Page**)h->First;
    public static Page** LastOf(Heap* h) => (Page**)h->Last;
}

/// <summary>Special heap pointer values.</summary>
internal static unsafe class HeapState
{
    /// <summary>
    /// The LocalHeap of a page no thread may free into on the fast path. Not null: a thread
    /// without a heap has a null <c>t_heap</c>, which must never match.
    /// </summary>
    public static Heap* None => (Heap*)1;

    /// <summary>
    /// A host's "no heap yet" that can be indexed like a heap: only its direct slots exist, and
    /// all hold the empty page, so a fast path reading it needs no null test (libebb.so's
    /// thread-local slot starts here; the host provides the memory, <see cref="InitNoHeap"/>
    /// fills it). Null in the .NET host, whose thread-static slot starts at null. The slow paths
    /// take it as null.
    /// </summary>
    public static Heap* NoHeap { get; private set; }

    /// <summary>Points the <see cref="Heap.DirectSlots"/> slots at <paramref name="slots"/> to the empty page and makes them <see cref="NoHeap"/> (once, after the arena's start).</summary>
    public static void InitNoHeap(Page** slots)
    {
        EmptyPage.FillDirect(slots);
        NoHeap = (Heap*)slots;
    }

    /// <summary>The heap <paramref name="h"/> stands for: null for <see cref="NoHeap"/>.</summary>
    public static Heap* Real(Heap* h) => h == NoHeap ? null : h;
}
