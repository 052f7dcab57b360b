using System.Numerics;
using Ebb.Os;

namespace Ebb.Checks;

/// <summary>
/// Guarded modes. A guarded block sits at the right end of its own pages, against an
/// inaccessible guard page, byte-precise: the 13-byte block's last byte is the byte before
/// the guard page, so reading or writing one byte past the end faults at that instruction.
/// <para>
/// Alignment: byte precision and the 16-byte promise cannot both hold for a 13-byte block.
/// As GWP-ASan does, a block is aligned to the largest power of two that divides its size,
/// at most 16 (a 13-byte block to 1, a 12-byte block to 4, a 24-byte block to 8): every
/// element of an array of T is then aligned as T needs, since a C# type's size is a
/// multiple of its alignment. An explicit alignment (AlignedAlloc) is honoured; the
/// block is then aligned down and the bytes between its end and the guard page are slack,
/// filled and checked at free. The slack on the left is filled and checked at free too
/// (underflow).
/// </para>
/// <para>
/// <c>EBB_GUARD=all</c>: every block gets its own mapping (data pages + guard page); a freed
/// block's pages are made inaccessible and kept, up to the freed-page budget, so a use after
/// free faults. <c>EBB_GUARD=sample:N</c>: one allocation in N (a randomized per-thread
/// countdown) of at most a page goes to a fixed pool of one-page slots between guard pages;
/// a freed slot is made inaccessible and reused last (FIFO).
/// </para>
/// </summary>
internal sealed unsafe class GuardedHeap
{
    /// <summary>The largest allocation the sampled pool takes: one page.</summary>
    public static readonly nuint MaxSampledSize = (nuint)OsMemory.PageSize;

    [ThreadStatic] private static bool countdownStarted;

    private static readonly nuint Page = (nuint)OsMemory.PageSize;

    private sealed class Block
    {
        public nint User, Start;
        public nuint Size, DataLength;
        public int Entry = -1, Slot = -1;
        public bool Freed;
        public required Stack Alloc;
        public Stack? Free;
    }

    private readonly CheckOptions options;
    private readonly Lock gate = new();
    private readonly GuardTable table;
    private bool reporterTried;

    // All mode: blocks by address; freed ones in FIFO order until the budget evicts them.
    private readonly Dictionary<nint, Block> blocks = [];
    private readonly Queue<Block> freed = new();
    private long freedBytes;

    // Sample mode: the pool, its slots' blocks, and the free slots in reuse order.
    private readonly nint pool;
    private readonly nuint poolLength;
    private readonly Block?[] slots = [];
    private readonly Queue<int> freeSlots = new();

    /// <summary>Creates the guarded heap; in sample mode the pool is reserved (inaccessible) now.</summary>
    public GuardedHeap(CheckOptions options)
    {
        this.options = options;
        if (options.Mode == CheckMode.GuardSample)
        {
            int n = options.GuardSlots;
            poolLength = (nuint)(2 * n + 1) * Page;
            pool = OsMemory.Map(0, poolLength, Prot.None, MapFlags.Private | MapFlags.Anonymous | MapFlags.NoReserve);
            OsMemory.TryNameMapping(pool, poolLength, "ebb-guarded");
            slots = new Block?[n];
            for (int i = 0; i < n; i++) freeSlots.Enqueue(i);
            table = new GuardTable(n);
        }
        else
        {
            table = new GuardTable(1 << 20);
        }
    }

    /// <summary>The sampled pool's first byte (0 outside sample mode).</summary>
    public nint PoolStart => pool;

    /// <summary>The sampled pool's length in bytes.</summary>
    public nuint PoolLength => poolLength;

    /// <summary>Whether <paramref name="ptr"/> lies in the sampled pool.</summary>
    public bool InPool(void* ptr) => (nuint)((nint)ptr - pool) < poolLength;

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

    /// <summary>All mode: a block on its own pages, right-aligned against a guard page.</summary>
    public void* Alloc(nuint size, nuint alignment, bool zero)
    {
        nuint align = BlockAlignment(size, alignment);
        if (size > nuint.MaxValue / 2) throw new OutOfMemoryException();
        nuint data = OsMemory.RoundUpToPage(Math.Max(size + align - 1, 1));
        var stack = Stack.Capture(options.Stacks);
        nint start = OsMemory.TryMap(0, data + Page, Prot.ReadWrite, MapFlags.Private | MapFlags.Anonymous, -1, 0, out _);
        if (start == 0) throw new OutOfMemoryException();
        nint guard = start + (nint)data;
        OsMemory.Protect(guard, Page, Prot.None);
        nint user = (nint)((nuint)(guard - (nint)size) & ~(align - 1));
        var b = new Block { User = user, Start = start, Size = size, DataLength = data, Alloc = stack };
        Fill(b, zero, fresh: true);
        string text = b.Alloc.Describe("allocated");
        lock (gate)
        {
            EnsureReporter();
            b.Entry = table.Add(start, guard + (nint)Page, user, size, text);
            blocks[user] = b;
        }
        return (void*)user;
    }

    /// <summary>Sample mode: the countdown reached zero; restart it and take a slot if one is free.</summary>
    public void* AllocSampled(nuint size, nuint alignment, bool zero)
    {
        bool first = !countdownStarted;
        countdownStarted = true;
        int n = options.SampleRate;
        // Mean N, so one allocation in N is sampled; the first countdown of a thread starts at a random phase.
        Checker.SampleCountdown = first ? Random.Shared.Next(0, n) : Random.Shared.Next(1, 2 * n);
        if (first && Checker.SampleCountdown > 0) return Unguarded(size, alignment, zero);

        var stack = Stack.Capture(options.Stacks);
        nuint align = BlockAlignment(size, alignment);
        Block b;
        lock (gate)
        {
            if (freeSlots.Count == 0) return Unguarded(size, alignment, zero);
            int slot = freeSlots.Dequeue();
            if (slots[slot] is { } previous) table.Remove(previous.Entry);
            nint start = pool + (nint)((nuint)(2 * slot + 1) * Page);
            OsMemory.Protect(start, Page, Prot.ReadWrite);
            nint user = (nint)((nuint)(start + (nint)Page - (nint)size) & ~(align - 1));
            b = new Block { User = user, Start = start, Size = size, DataLength = Page, Slot = slot, Alloc = stack };
            slots[slot] = b;
            EnsureReporter();
        }
        Fill(b, zero, fresh: false);
        string text = b.Alloc.Describe("allocated");
        lock (gate) b.Entry = table.Add(b.Start - (nint)Page, b.Start + 2 * (nint)Page, b.User, size, text);
        return (void*)b.User;
    }

    /// <summary>Frees a guarded block: checks the slack, then makes its pages inaccessible.</summary>
    public void Free(void* ptr)
    {
        if (ptr == null) return;
        var stack = Stack.Capture(options.Stacks);
        Block b;
        lock (gate)
        {
            b = Find((nint)ptr, "free", out bool foreign);
            if (foreign) { Backend.Free(ptr); return; }
            ThrowIfSlackChanged(b, "at free");
            b.Freed = true;
            b.Free = stack;
            OsMemory.Protect(b.Start, b.DataLength, Prot.None);
        }
        string text = stack.Describe("freed");
        lock (gate)
        {
            table.MarkFreed(b.Entry, text);
            if (b.Slot >= 0)
            {
                freeSlots.Enqueue(b.Slot);
                return;
            }
            freed.Enqueue(b);
            freedBytes += (long)(b.DataLength + Page);
            while (freedBytes > options.GuardFreedBudgetBytes && freed.Count > 0)
            {
                var old = freed.Dequeue();
                freedBytes -= (long)(old.DataLength + Page);
                table.Remove(old.Entry);
                blocks.Remove(old.User);
                OsMemory.Unmap(old.Start, old.DataLength + Page);
            }
        }
    }

    /// <summary>Moves a guarded block to a new allocation.</summary>
    public void* Realloc(void* ptr, nuint size, nuint alignment)
    {
        if (ptr == null) return Checker.Alloc(size, alignment, false);
        nuint old;
        lock (gate)
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
        lock (gate)
        {
            var b = Find((nint)ptr, "usable size", out bool foreign);
            return foreign ? Backend.UsableSize(ptr) : b.Size;
        }
    }

    private void* Unguarded(nuint size, nuint alignment, bool zero)
    {
        void* p = alignment <= 16 ? Backend.Alloc(size) : Backend.AlignedAlloc(size, alignment);
        if (zero) System.Runtime.InteropServices.NativeMemory.Clear(p, size);
        return p;
    }

    // Under the lock, once: the native reporter goes in after the runtime's handler.
    private void EnsureReporter()
    {
        if (reporterTried) return;
        reporterTried = true;
        FaultReporter.TryInstall(table);
    }

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
        Block? b = null;
        if (options.Mode == CheckMode.GuardSample)
        {
            // Slots are the odd pages of the pool; the even ones are guards, where only a
            // 0-byte block (placed at its slot's end) may point.
            nuint k = (nuint)(p - pool) / Page;
            if (InPool((void*)p) && k % 2 == 1) b = slots[(int)(k / 2)];
            else if (InPool((void*)p) && k > 0 && slots[(int)(k / 2) - 1] is { Size: 0 } empty && empty.User == p) b = empty;
        }
        else blocks.TryGetValue(p, out b);
        if (b is null && options.Mode == CheckMode.GuardAll && !Backend.TryFindBlock((void*)p, out _, out _))
        {
            // Guarded blocks are mappings of their own, never Ebb blocks: only a pointer Ebb
            // does not know can be inside one (the error path, so a scan will do).
            foreach (var x in blocks.Values)
                if (p >= x.Start && p < x.Start + (nint)(x.DataLength + Page)) { b = x; break; }
        }
        if (b is null)
        {
            if (options.Mode == CheckMode.GuardSample && InPool((void*)p))
                throw new EbbMemoryException(EbbErrorKind.InvalidFree, p, Report.Foreign(op, p));
            foreign = true;
            return null!;
        }
        if (b.User != p)
            throw new EbbMemoryException(EbbErrorKind.InvalidFree, p, Report.Interior(op, p, b.User, b.Size), b.Size,
                b.Alloc.Describe("allocated"), b.Free?.Describe("freed"));
        if (b.Freed)
            throw new EbbMemoryException(EbbErrorKind.DoubleFree, p, Report.DoubleFree(op, p, b.Size), b.Size,
                b.Alloc.Describe("allocated"), b.Free?.Describe("freed"));
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
        new(kind, at, Report.Written(count, at, b.User, b.Size, false, when), b.Size, b.Alloc.Describe("allocated"));
}
