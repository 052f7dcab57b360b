using System.Numerics;
using Ebb.Arena;
using Ebb.Os;

namespace Ebb.Checks;

/// <summary>
/// Guarded modes. A guarded block sits at the right end of its own pages, against an
/// inaccessible guard page, byte-precise: the 13-byte block's last byte is the byte before
/// the guard page, so reading or writing one byte past the end faults at that instruction.
/// <para>
/// Alignment: byte precision and the 16-byte promise cannot both hold for a 13-byte block.
/// In this mode (for hunting a bug, not for production) precision wins, as with GWP-ASan's
/// PerfectlyRightAlign: a block is aligned to the largest power of two that divides its size,
/// at most 16 (a 13-byte block to 1, a 12-byte block to 4, a 24-byte block to 8): every
/// element of an array of T is then aligned as T needs, since a C# type's size is a
/// multiple of its alignment. An explicit alignment (AlignedAlloc) is honoured; the
/// block is then aligned down and the bytes between its end and the guard page are slack,
/// filled and checked at free. The slack on the left is filled and checked at free too
/// (underflow).
/// </para>
/// <para>
/// <c>EBB_GUARD=all</c> (this class): every block gets its own mapping (data pages + guard
/// page); a freed block's pages are made inaccessible and kept, up to the freed-page budget,
/// so a use after free faults. <c>EBB_GUARD=sample:N</c> is <see cref="SampledPool"/>, which
/// places its blocks right-aligned too but keeps them 16-byte aligned (<see cref="SampledPool.SampledAlignment"/>).
/// </para>
/// </summary>
internal sealed unsafe class GuardedHeap
{
    private static readonly nuint s_page = (nuint)OsMemory.PageSize;

    private sealed class Block
    {
        public nint User, Start;
        public nuint Size, DataLength;
        public int Entry = -1;
        public bool Freed;
        // The EbbHeap whose block this is (0: EbbMemory's).
        public uint Owner;
        public required Stack Alloc;
        public Stack? Free;
    }

    private readonly CheckOptions _options;
    private readonly Lock _gate = new();
    private readonly GuardTable _table;
    private bool _reporterTried;

    // All mode: blocks by address; freed ones in FIFO order until the budget evicts them.
    private readonly Dictionary<nint, Block> _blocks = [];
    private readonly Queue<Block> _freed = new();
    private long _freedBytes;

    // Mappings of one data page and its guard page whose blocks left the freed budget: kept
    // (inaccessible, still resident) for the next one-page block, which then costs one mprotect
    // instead of a mapping, a guard mprotect, a page fault and an unmap. At most
    // MaxKeptMappings; beyond that they are unmapped.
    private const int MaxKeptMappings = 4096;
    private readonly Stack<nint> _kept = new();

    /// <summary>Creates the guarded heap (guarded-all mode).</summary>
    public GuardedHeap(CheckOptions options)
    {
        this._options = options;
        _table = new GuardTable(1 << 20);
    }

    /// <summary>
    /// The alignment a guarded block of <paramref name="size"/> bytes gets (see the class
    /// remarks): its natural alignment for a plain allocation (<paramref name="alignment"/> 0),
    /// at least the alignment asked for by AlignedAlloc.
    /// </summary>
    public static nuint BlockAlignment(nuint size, nuint alignment)
    {
        nuint natural = size == 0 ? 16 : Math.Min((nuint)16, (nuint)1 << BitOperations.TrailingZeroCount(size));
        return alignment == 0 ? natural : Math.Max(natural, alignment);
    }

    /// <summary>All mode: a block on its own pages, right-aligned against a guard page (for the EbbHeap <paramref name="owner"/>, when not 0).</summary>
    public void* Alloc(nuint size, nuint alignment, bool zero, uint owner = 0)
    {
        nuint align = BlockAlignment(size, alignment);
        if (size > nuint.MaxValue / 2) throw new OutOfMemoryException();
        var stack = Stack.Capture(_options.Stacks);
        nuint data;
        nint start;
        bool reused = false;
        if (align <= s_page)
        {
            data = OsMemory.RoundUpToPage(Math.Max(size + align - 1, 1));
            start = data == s_page ? TakeKept() : 0;
            reused = start != 0;
            if (!reused) start = OsMemory.TryMap(0, data + s_page, Prot.ReadWrite, MapFlags.Private | MapFlags.Anonymous, -1, 0, out _);
        }
        else
        {
            // The mapping itself aligned, so the block starts it and ends within a page of the
            // guard. Aligning down inside a plain mapping left up to the alignment of slack after
            // the block, all of it filled and checked (gigabytes written for a 1 GiB alignment).
            data = OsMemory.RoundUpToPage(Math.Max(size, 1));
            start = ChunkSource.MapAligned(data + s_page, align, noReserve: false);
        }
        if (start == 0) throw new OutOfMemoryException();
        nint guard = start + (nint)data;
        // A kept mapping's guard page is still inaccessible; its data page is opened.
        if (reused)
        {
            if (!OsMemory.TryProtect(start, data, Prot.ReadWrite))
            {
                OsMemory.TryUnmap(start, data + s_page);
                throw new OutOfMemoryException();
            }
        }
        else OsMemory.Protect(guard, s_page, Prot.None);
        nint user = (nint)((nuint)(guard - (nint)size) & ~(align - 1));
        var b = new Block { User = user, Start = start, Size = size, DataLength = data, Alloc = stack, Owner = owner };
        Fill(b, zero, fresh: !reused);
        lock (_gate)
        {
            EnsureReporter();
            b.Entry = _table.Add(start, guard + (nint)s_page, user, size, b.Alloc.ThreadId, b.Alloc.Id);
            _blocks[user] = b;
        }
        return (void*)user;
    }

    /// <summary>Frees a guarded block: checks the slack, then makes its pages inaccessible.</summary>
    public void Free(void* ptr)
    {
        if (ptr == null) return;
        var stack = Stack.Capture(_options.Stacks);
        Block b;
        lock (_gate)
        {
            b = Find((nint)ptr, "free", out bool foreign);
            if (foreign) { Backend.Free(ptr); return; }
            ThrowIfSlackChanged(b, "at free");
            b.Freed = true;
            b.Free = stack;
            OsMemory.Protect(b.Start, b.DataLength, Prot.None);
        }
        lock (_gate)
        {
            _table.MarkFreed(b.Entry, stack.ThreadId, stack.Id);
            _freed.Enqueue(b);
            _freedBytes += (long)(b.DataLength + s_page);
            while (_freedBytes > _options.GuardFreedBudgetBytes && _freed.Count > 0)
            {
                var old = _freed.Dequeue();
                _freedBytes -= (long)(old.DataLength + s_page);
                _table.Remove(old.Entry);
                _blocks.Remove(old.User);
                if (old.DataLength == s_page && _kept.Count < MaxKeptMappings) _kept.Push(old.Start);
                else OsMemory.Unmap(old.Start, old.DataLength + s_page);
            }
        }
    }

    /// <summary>Whether <paramref name="ptr"/> is a live guarded block of the EbbHeap <paramref name="owner"/>.</summary>
    public bool IsLiveOf(void* ptr, uint owner)
    {
        lock (_gate) return _blocks.TryGetValue((nint)ptr, out var b) && !b.Freed && b.Owner == owner;
    }

    /// <summary>Moves a guarded block to a new allocation.</summary>
    public void* Realloc(void* ptr, nuint size, nuint alignment)
    {
        if (ptr == null) return Checker.Alloc(size, alignment, false);
        nuint old;
        lock (_gate)
        {
            var b = Find((nint)ptr, "realloc", out bool foreign);
            old = foreign ? Backend.UsableSize(ptr) : b.Size;
        }
        if (size == 0) size = 1;
        void* p = Checker.Alloc(size, alignment, false);
        Buffer.MemoryCopy(ptr, p, size, Math.Min(old, size));
        Checker.Free(ptr);
        return p;
    }

    /// <summary>The requested size of a guarded block.</summary>
    public nuint UsableSize(void* ptr)
    {
        lock (_gate)
        {
            var b = Find((nint)ptr, "usable size", out bool foreign);
            return foreign ? Backend.UsableSize(ptr) : b.Size;
        }
    }

    // A kept one-page mapping (inaccessible), or 0.
    private nint TakeKept()
    {
        lock (_gate) return _kept.TryPop(out nint start) ? start : 0;
    }

    // Under the lock, once: the native reporter goes in after the runtime's handler.
    private void EnsureReporter()
    {
        if (_reporterTried) return;
        _reporterTried = true;
        FaultReporter.TryInstall(_table);
    }

    // Fresh pages are zero: a zeroed block on them needs no fill (a kept mapping's pages are not fresh).
    private static void Fill(Block b, bool zero, bool fresh)
    {
        nint guard = b.Start + (nint)b.DataLength;
        Poison.Fill(b.Start, (nuint)(b.User - b.Start), Poison.Left);
        if (!zero) Poison.Fill(b.User, b.Size, Poison.Junk);
        else if (!fresh) Poison.Fill(b.User, b.Size, 0);
        Poison.Fill(b.User + (nint)b.Size, (nuint)(guard - b.User) - b.Size, Poison.Right);
    }

    // Under the lock: the live guarded block at p; `foreign` when p is not a guarded block at
    // all and lies outside every guarded region (the allocator's own checks then apply).
    private Block Find(nint p, string op, out bool foreign)
    {
        foreign = false;
        _blocks.TryGetValue(p, out Block? b);
        if (b is null && !Backend.TryFindBlock((void*)p, out _, out _))
        {
            // Guarded blocks are mappings of their own, never Ebb blocks: only a pointer Ebb
            // does not know can be inside one (the error path, so a scan will do).
            foreach (var x in _blocks.Values)
                if (p >= x.Start && p < x.Start + (nint)(x.DataLength + s_page)) { b = x; break; }
        }
        if (b is null)
        {
            foreign = true;
            return null!;
        }
        if (b.User != p)
            throw ErrorReport.Error(EbbErrorKind.InvalidFree, p, Report.Interior(op, p, b.User, b.Size), b.Size,
                b.Alloc.Describe("allocated"), b.Free?.Describe("freed"), block: b.User);
        if (b.Freed)
            throw ErrorReport.Error(EbbErrorKind.DoubleFree, p, Report.DoubleFree(op, p, b.Size), b.Size,
                b.Alloc.Describe("allocated"), b.Free?.Describe("freed"), block: b.User);
        return b;
    }

    private static void ThrowIfSlackChanged(Block b, string when)
    {
        nint end = b.User + (nint)b.Size;
        nint guard = b.Start + (nint)b.DataLength;
        if (Poison.FindChanged(end, (nuint)(guard - end), Poison.Right, out nuint first, out nuint last))
            throw Error(EbbErrorKind.HeapBufferOverflow, b, end + (nint)first, last - first + 1, when);
        if (Poison.FindChanged(b.Start, (nuint)(b.User - b.Start), Poison.Left, out first, out last))
            throw Error(EbbErrorKind.HeapBufferUnderflow, b, b.Start + (nint)last, last - first + 1, when);
    }

    private static EbbMemoryException Error(EbbErrorKind kind, Block b, nint at, nuint count, string when) =>
        ErrorReport.Error(kind, at, Report.Written(count, at, b.User, b.Size, false, when), b.Size, b.Alloc.Describe("allocated"),
            block: b.User, access: $"WRITE of size {count}");
}
