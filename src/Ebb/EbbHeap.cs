using Ebb.DotNetHost;
using Ebb.Checks;
using Ebb.Heap;

namespace Ebb;

/// <summary>
/// A first-class heap: its own pages, with the allocation methods of <see cref="EbbMemory"/>.
/// <see cref="Dispose"/> frees every block it holds at once (arena semantics). Its blocks may
/// be freed one by one with <see cref="EbbMemory.Free"/> (or <see cref="Free"/>) from any thread.
/// Its methods are thread-safe (a lock per call: one compare-and-swap to enter). A heap left undisposed is abandoned when
/// collected: its blocks stay valid and are reclaimed as they are freed.
/// </summary>
public sealed unsafe class EbbHeap : IDisposable
{
    private SpinGate _gate;
    private Heap.Heap* _heap;
    // In a checked or guarded mode: this heap's blocks of that mode, which Dispose frees.
    private readonly HeapBlocks? _checks = Checker.s_enabled ? new() : null;

    /// <summary>Creates an empty heap.</summary>
    public EbbHeap()
    {
        Ebb.DotNetHost.Startup.EnsureStarted();
        _heap = HeapPool.Rent(HeapKind.Explicit);
        if (_heap == null) throw new OutOfMemoryException();
    }

    /// <summary>Allocates a block of at least <paramref name="byteCount"/> bytes from this heap.</summary>
    /// <param name="byteCount">Bytes wanted.</param>
    /// <returns>The block, 16-byte aligned.</returns>
    /// <exception cref="OutOfMemoryException">The OS refused memory.</exception>
    /// <exception cref="ObjectDisposedException">The heap was disposed.</exception>
    public void* Alloc(nuint byteCount) => OrThrow(TryAllocCore(byteCount, 0, zero: false));

    /// <summary>Allocates a block for <paramref name="elementCount"/> elements of <paramref name="elementSize"/> bytes.</summary>
    /// <param name="elementCount">Number of elements.</param>
    /// <param name="elementSize">Bytes per element.</param>
    /// <returns>The block.</returns>
    /// <exception cref="OutOfMemoryException">The OS refused memory, or the product overflows.</exception>
    public void* Alloc(nuint elementCount, nuint elementSize) => Alloc(EbbMemory.Multiply(elementCount, elementSize));

    /// <summary>Allocates a zeroed block from this heap.</summary>
    /// <param name="byteCount">Bytes wanted.</param>
    /// <returns>The zeroed block.</returns>
    /// <exception cref="OutOfMemoryException">The OS refused memory.</exception>
    public void* AllocZeroed(nuint byteCount) => OrThrow(TryAllocCore(byteCount, 0, zero: true));

    /// <summary>Allocates a zeroed block for <paramref name="elementCount"/> elements of <paramref name="elementSize"/> bytes.</summary>
    /// <param name="elementCount">Number of elements.</param>
    /// <param name="elementSize">Bytes per element.</param>
    /// <returns>The zeroed block.</returns>
    /// <exception cref="OutOfMemoryException">The OS refused memory, or the product overflows.</exception>
    public void* AllocZeroed(nuint elementCount, nuint elementSize) => AllocZeroed(EbbMemory.Multiply(elementCount, elementSize));

    /// <summary>Allocates from this heap, or returns null when out of memory.</summary>
    /// <param name="byteCount">Bytes wanted.</param>
    /// <returns>The block, or null.</returns>
    public void* TryAlloc(nuint byteCount) => TryAllocCore(byteCount, 0, zero: false);

    /// <summary>Allocates an aligned block from this heap.</summary>
    /// <param name="byteCount">Bytes wanted.</param>
    /// <param name="alignment">A power of two.</param>
    /// <returns>The block.</returns>
    /// <exception cref="ArgumentException"><paramref name="alignment"/> is not a power of two.</exception>
    /// <exception cref="OutOfMemoryException">The OS refused memory.</exception>
    public void* AlignedAlloc(nuint byteCount, nuint alignment)
    {
        EbbMemory.ThrowIfNotPowerOfTwo(alignment);
        return OrThrow(TryAllocCore(byteCount, alignment, zero: false));
    }

    /// <summary>Resizes a block; a new block, when one is needed, comes from this heap (in a checked or guarded mode, a block of that mode moves to a new block of that mode, as with <see cref="EbbMemory.Realloc"/>). Null allocates, 0 is treated as 1.</summary>
    /// <param name="ptr">A block from Ebb, or null.</param>
    /// <param name="byteCount">The new size.</param>
    /// <returns>The block, perhaps moved.</returns>
    /// <exception cref="OutOfMemoryException">The OS refused memory (the old block stays valid).</exception>
    /// <exception cref="EbbMemoryException"><paramref name="ptr"/> is not a block Ebb handed out.</exception>
    public void* Realloc(void* ptr, nuint byteCount) => AlignedReallocCore(ptr, byteCount, 0);

    /// <summary>Resizes an aligned block; a new block comes from this heap.</summary>
    /// <param name="ptr">A block from Ebb, or null.</param>
    /// <param name="byteCount">The new size.</param>
    /// <param name="alignment">A power of two.</param>
    /// <returns>The block, perhaps moved.</returns>
    /// <exception cref="ArgumentException"><paramref name="alignment"/> is not a power of two.</exception>
    /// <exception cref="OutOfMemoryException">The OS refused memory.</exception>
    /// <exception cref="EbbMemoryException"><paramref name="ptr"/> is not a block Ebb handed out.</exception>
    public void* AlignedRealloc(void* ptr, nuint byteCount, nuint alignment)
    {
        EbbMemory.ThrowIfNotPowerOfTwo(alignment);
        return AlignedReallocCore(ptr, byteCount, alignment);
    }

    /// <summary>Frees a block (of any heap: the same as <see cref="EbbMemory.Free"/>).</summary>
    /// <param name="ptr">The block, or null.</param>
    /// <exception cref="EbbMemoryException"><paramref name="ptr"/> is not a block Ebb handed out.</exception>
    public void Free(void* ptr) => EbbMemory.Free(ptr);

    /// <summary>Frees an aligned block (the same as <see cref="Free"/>).</summary>
    /// <param name="ptr">The block, or null.</param>
    public void AlignedFree(void* ptr) => EbbMemory.Free(ptr);

    /// <summary>The bytes usable in a block.</summary>
    /// <param name="ptr">A block from Ebb.</param>
    /// <returns>The usable size.</returns>
    public nuint UsableSize(void* ptr) => EbbMemory.UsableSize(ptr);

    /// <summary>
    /// Frees every block of this heap at once and gives its pages back. Pointers into it become
    /// invalid. In a checked or guarded mode its blocks of that mode are freed as by
    /// <see cref="Free"/> (checked, then quarantined or made inaccessible), so a later free of one is a double free.
    /// </summary>
    /// <exception cref="EbbMemoryException">Checked or guarded mode: a block's redzone was found changed (every block is freed all the same).</exception>
    public void Dispose()
    {
        _gate.Enter();
        try
        {
            if (_heap == null) return;
            Heap.Heap* h = _heap;
            _heap = null;
            Teardown.DisposeHeap(h);
        }
        finally { _gate.Exit(); }
        GC.SuppressFinalize(this);
        _checks?.FreeAll();
    }

    /// <summary>Abandons the heap's pages (blocks stay valid) when it is collected undisposed.</summary>
    ~EbbHeap()
    {
        if (_heap != null) Abandoned.AbandonHeap(_heap);
    }

    private void* TryAllocCore(nuint byteCount, nuint alignment, bool zero)
    {
        _gate.Enter();
        try
        {
            Heap.Heap* h = _heap;
            ObjectDisposedException.ThrowIf(h == null, this);
            // Checker.Enabled first: static readonly, so the JIT folds the test away in release mode.
            if (Checker.s_enabled && _checks!.TryAlloc(byteCount, alignment, zero, out void* c)) return c;
            // The thread heap's fast path, under the gate: the size's direct slot, pop.
            if (alignment <= 16 && byteCount <= Heap.Heap.DirectMaxSize && HeapAlloc.TryPopDirect(h, byteCount, zero, out void* b)) return b;
            return alignment <= 16 ? HeapAlloc.FromHeap(h, byteCount, zero) : HeapAlloc.Aligned(h, byteCount, alignment, zero);
        }
        finally { _gate.Exit(); }
    }

    private void* AlignedReallocCore(void* ptr, nuint byteCount, nuint alignment)
    {
        if (ptr == null) return OrThrow(TryAllocCore(byteCount, alignment, zero: false));
        // In a checked or guarded mode a block from EbbMemory is that mode's (behind a header, or
        // in its own mapping), not a block of the allocator's: the mode checks it and moves it.
        if (Checker.s_enabled && !Blocks.IsBlockStart(ptr)) return _checks!.Realloc(ptr, byteCount, n => (nint)OrThrow(TryAllocCore(n, alignment, zero: false)));
        _gate.Enter();
        try
        {
            ObjectDisposedException.ThrowIf(_heap == null, this);
            return OrThrow(Resize.Realloc(ThreadHeap.Current, _heap, ptr, byteCount == 0 ? 1 : byteCount, alignment));
        }
        finally { _gate.Exit(); }
    }

    private static void* OrThrow(void* p)
    {
        if (p == null) EbbMemory.ThrowOutOfMemory();
        return p;
    }
}
