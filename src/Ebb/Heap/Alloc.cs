using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebb.Arena;

namespace Ebb.Heap;

/// <summary>
/// Allocation. The fast path (<see cref="Fast"/>, inlined into Alloc and AllocZeroed) serves
/// 0..1024 bytes from the calling thread's heap (the host reads it from its thread-local slot
/// and passes it in): one indexed load of the bin's page, pop its free list. No
/// counter either: a page's Used counts the blocks on Free as in use already (see
/// <see cref="Page.Used"/>), so only frees count. No atomic, no lock, no bounds check, no
/// write barrier, no managed allocation. All else
/// (no heap yet, larger sizes, empty page) goes to <see cref="AllocSlow"/>.
/// </summary>
internal static unsafe class HeapAlloc
{
    /// <summary>
    /// A block of at least <paramref name="size"/> bytes from <paramref name="h"/>, the calling
    /// thread's heap as the host's thread-local slot holds it (null before the thread's first
    /// allocation). When the OS refuses memory, <see cref="Host.OutOfMemory"/> (the .NET host throws).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(Heap* h, nuint size) => Fast(h, size, zero: false, orFail: true);

    /// <summary>As <see cref="Alloc"/>, zeroed; a block fresh from the OS is only cleared of its link word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* AllocZeroed(Heap* h, nuint size) => Fast(h, size, zero: true, orFail: true);

    /// <summary>As <see cref="Alloc"/>, but null when out of memory (malloc's contract).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* TryAlloc(Heap* h, nuint size) => Fast(h, size, zero: false, orFail: false);

    /// <summary>
    /// As <see cref="TryAlloc"/>, for a host whose heap pointer is never null: its thread-local
    /// slot starts at <see cref="HeapState.NoHeap"/>, and sizes above 1 KiB index the overflow
    /// slot (<see cref="DirectIndex"/>), both of which hold the empty page. So this path is one
    /// test and one branch, and a method that is just this one needs no frame (the JIT sets one
    /// up for a method of more than three blocks).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* TryAllocIndexed(Heap* h, nuint size)
    {
        // The heap pointer itself indexed (Direct is its first field): Heap.DirectOf's field address makes the JIT test h for null.
        if (TryPop(((Page**)h)[DirectIndex(size)], size, zero: false, out void* b)) return b;
        return AllocSlow(h, size, zero: false);
    }

    /// <summary>The direct slot for <paramref name="size"/>, <see cref="Heap.OverflowSlot"/> above <see cref="Heap.DirectMaxSize"/> (a conditional move, not a branch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint DirectIndex(nuint size)
    {
        nuint slot = Heap.SlotOf(size);
        if (size > Heap.DirectMaxSize) slot = Heap.OverflowSlot;
        return slot;
    }

    /// <summary>As <see cref="AllocZeroed"/>, but null when out of memory (calloc's contract).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* TryAllocZeroed(Heap* h, nuint size) => Fast(h, size, zero: true, orFail: false);

    /// <summary>
    /// The fast path the two share; each passes constants, which the JIT folds once this is
    /// inlined, so each caller gets only its own code (checked in the pair benchmark's
    /// disassembly: the same instructions as a hand-written copy).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void* Fast(Heap* h, nuint size, bool zero, bool orFail)
    {
        if (h != null && size <= Heap.DirectMaxSize && TryPopDirect(h, size, zero, out void* b)) return b;
        return orFail ? AllocSlowOrFail(h, size, zero) : AllocSlow(h, size, zero);
    }

    /// <summary>
    /// Pops a block for <paramref name="size"/> (at most <see cref="Heap.DirectMaxSize"/>) from
    /// the page in the size's direct slot of <paramref name="h"/>, whose owner calls (its thread,
    /// or an EbbHeap under its gate); false when that page's free list is empty. (An out
    /// parameter, not a null result: the JIT then compiles the inlined fast path to the same
    /// instructions as a hand-written copy, where a null result for the caller to test added a
    /// test and a jump.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryPopDirect(Heap* h, nuint size, bool zero, out void* block) =>
        TryPop(((Page**)h)[Heap.SlotOf(size)], size, zero, out block);

    /// <summary>Pops the first block of <paramref name="pg"/>'s free list, cleared when <paramref name="zero"/>; false when the list is empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryPop(Page* pg, nuint size, bool zero, out void* block)
    {
        Block* b = pg->Free;
        block = b;
        if (b == null) return false;
        pg->Free = b->Next;
        // Handed out: no longer marked free (the double-free check, BlockMark).
        b->Mark = 0;
        if (zero)
        {
            // A block fresh from the OS is zero but for the link and mark words.
            if ((pg->Flags & PageFlags.FreeIsZero) != 0) b->Next = null;
            else NativeMemory.Clear(b, size);
        }
        return true;
    }

    // ---- slow paths -------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void* AllocSlowOrFail(Heap* h, nuint size, bool zero)
    {
        void* p = AllocSlow(h, size, zero);
        if (p == null) Host.OutOfMemory();
        return p;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void* AllocSlow(Heap* h, nuint size, bool zero)
    {
        Host.SlowPath();
        h = HeapState.Real(h);
        if (h == null)
        {
            h = Host.InitThreadHeap();
            if (h == null) return NoMemory();
        }
        else if (size <= Heap.DirectMaxSize)
        {
            // The common case first: the page's Free ran dry but blocks freed since wait on
            // LocalFree or ThreadFree; they become Free here, without the general path's walk of
            // the queue.
            Page* pg = Heap.DirectOf(h)[Heap.SlotOf(size)];
            if (pg->Free == null && Pages.Refill(pg) && TryPop(pg, size, zero, out void* b)) return b;
        }
        void* p = FromHeap(h, size, zero);
        return p != null ? p : NoMemory();
    }

    /// <summary>Null, after telling the host (libebb.so sets errno here, so its fast path has nothing to do after a pop).</summary>
    private static void* NoMemory()
    {
        Host.AllocFailed();
        return null;
    }

    /// <summary>
    /// Any size from heap <paramref name="h"/> (the caller owns it: its thread, or its lock).
    /// Inlined, with <see cref="FromBin"/>, into its callers: every allocation above 1 KiB comes
    /// through here, and two more calls before the pop cost it about a tenth of its time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void* FromHeap(Heap* h, nuint size, bool zero)
    {
        if (size <= Layout.MaxSmallSize) return FromBin(h, SizeClasses.BinOf(size), size, zero);
        if (size <= Layout.HugeThreshold) return Large(h, size, zero);
        return Huge.Alloc(h, size, 16, zero);
    }

    /// <summary>A block of bin <paramref name="bin"/>; <paramref name="size"/> is what to clear when <paramref name="zero"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void* FromBin(Heap* h, int bin, nuint size, bool zero)
    {
        Page* pg = Heap.FirstOf(h)[bin];
        if (pg == null || (pg->Free == null && !Pages.Refill(pg)))
        {
            pg = Pages.FindPage(h, bin);
            if (pg == null) return null;
        }
        return TryPop(pg, size, zero, out void* b) ? b : null;
    }

    /// <summary>A block aligned to <paramref name="alignment"/> (a power of two above 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void* Aligned(Heap* h, nuint size, nuint alignment, bool zero)
    {
        if (alignment <= 16) return FromHeap(h, size, zero);
        if (alignment <= Layout.SliceSize && size <= Layout.MaxSmallSize)
        {
            // The first bin big enough whose blocks are all naturally aligned this much
            // (a power-of-two bin always is), so the block start is the pointer returned.
            nuint want = Math.Max(size, alignment);
            if (want <= Layout.MaxSmallSize)
            {
                for (int bin = SizeClasses.BinOf(want); bin < SizeClasses.Count; bin++)
                    if (SizeClasses.NaturalAlignment(bin) >= alignment)
                        return FromBin(h, bin, size, zero);
            }
        }
        if (alignment <= Layout.SliceSize && size <= Layout.HugeThreshold) return Large(h, Math.Max(size, Layout.MaxSmallSize + 1), zero);
        return Huge.Alloc(h, size, alignment, zero);
    }

    /// <summary>A span of whole slices holding one block (128 KiB &lt; size ≤ 4 MiB), 64 KiB aligned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void* Large(Heap* h, nuint size, bool zero)
    {
        uint slices = (uint)((size + Layout.SliceSize - 1) >> Layout.SliceShift);
        Page* pg = Arena.Arena.AllocSpan(slices, out bool known0);
        if (pg == null) return null;
        pg->Start = Page.SpanStart(pg);
        pg->AreaSize = (nuint)slices << Layout.SliceShift;
        pg->Capacity = 1;
        pg->Used = 1;
        pg->BlockSize = 0;
        pg->LocalHeap = HeapState.None;
        pg->Kind = PageKind.Large;
        if (h->Kind == HeapKind.Explicit)
        {
            using (Arena.ArenaLock.Hold())
            {
                pg->Heap = h;
                pg->Prev = null;
                pg->Next = h->Large;
                if (h->Large != null) h->Large->Prev = pg;
                h->Large = pg;
            }
        }
        if (zero && !known0) NativeMemory.Clear((void*)pg->Start, size);
        return (void*)pg->Start;
    }
}
