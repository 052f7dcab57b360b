namespace Ebb.Checks;

/// <summary>
/// An <see cref="EbbHeap"/>'s side of the checked and guarded modes: its allocations are
/// blocks of the mode in force (checked blocks behind a header, guarded blocks on their own
/// pages; in sampled mode, one in N), marked with the heap's owner number, and their
/// addresses are kept here so that <see cref="EbbHeap.Dispose"/> frees those still live
/// (into the quarantine, or closed): a later free of one is then a double free with both
/// stacks, as for any block. A block freed meanwhile, even through <see cref="EbbMemory.Free"/>,
/// is left alone, by its owner mark and state, whatever its address holds now.
/// </summary>
internal sealed unsafe class HeapBlocks
{
    private static int s_owners;

    private readonly uint _owner = (uint)Interlocked.Increment(ref s_owners);
    private readonly Lock _gate = new();
    private readonly HashSet<nint> _blocks = [];
    // Addresses freed elsewhere stay in the set until it doubles; then the dead ones go.
    private int _pruneAt = 1024;

    /// <summary>
    /// A block of the mode in force for this heap; false in sampled mode when the allocation
    /// is not sampled (the heap allocates an ordinary block). A null block with true: out of memory.
    /// </summary>
    public bool TryAlloc(nuint byteCount, nuint alignment, bool zero, out void* block)
    {
        System.Diagnostics.Debug.Assert(Checker.s_enabled, "an EbbHeap keeps mode blocks only in a checking mode");
        try
        {
            block = Checker.AllocForHeap(byteCount, alignment, zero, _owner);
        }
        catch (OutOfMemoryException)
        {
            block = null;
            return true;
        }
        if (block == null) return false;
        lock (_gate)
        {
            _blocks.Add((nint)block);
            if (_blocks.Count >= _pruneAt) Prune();
        }
        return true;
    }

    /// <summary>
    /// Moves a block of the mode to a new block of this heap (<paramref name="alloc"/>, the
    /// heap's own allocation), keeping its contents up to the smaller size, and frees it.
    /// </summary>
    public void* Realloc(void* ptr, nuint byteCount, Func<nuint, nint> alloc)
    {
        try
        {
            nuint old = Checker.UsableSize(ptr);
            void* p = (void*)alloc(byteCount == 0 ? 1 : byteCount);
            Buffer.MemoryCopy(ptr, p, byteCount, Math.Min(old, byteCount));
            Checker.FreeModeBlock(ptr);
            return p;
        }
        catch (EbbMemoryException e) when (Checker.Print(e)) { throw; }
    }

    /// <summary>At the heap's Dispose: frees every block of this heap still live; throws the first error found (after freeing them all).</summary>
    public void FreeAll()
    {
        nint[] all;
        lock (_gate)
        {
            all = [.. _blocks];
            _blocks.Clear();
        }
        EbbMemoryException? first = null;
        foreach (nint p in all)
        {
            if (!Checker.IsLiveOf((void*)p, _owner)) continue;
            try { Checker.FreeModeBlock((void*)p); }
            catch (EbbMemoryException e) { first ??= e; }
        }
        if (first is not null && !Checker.Print(first)) throw first;
    }

    // Under the lock.
    private void Prune()
    {
        _blocks.RemoveWhere(p => !Checker.IsLiveOf((void*)p, _owner));
        _pruneAt = Math.Max(1024, _blocks.Count * 2);
    }
}
