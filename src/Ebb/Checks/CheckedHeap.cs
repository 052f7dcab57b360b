namespace Ebb.Checks;

/// <summary>
/// Checked mode (<c>EBB_CHECK=1</c>). Every block is carved out of a larger allocator block:
/// <code>
///   base                 user                 user+size        base+total
///   | left redzone 0xFA  | the block (0xAA)   | right redzone 0xFB |
/// </code>
/// The redzones are byte-precise (the right one starts at the block's last byte + 1, so a
/// 1-byte overflow of a 13-byte block changes it) and at least 32 bytes wide. A table maps
/// every block's address to its record (size, state, allocation and free stacks), so double
/// free, free of a foreign or interior pointer, and realloc of freed memory are found every
/// time. Freed blocks wait in a FIFO quarantine filled with 0xDD; when one leaves it (or at
/// <see cref="Validate"/>, or at exit) a changed byte is a write after free.
/// </summary>
internal sealed unsafe class CheckedHeap
{
    private const nuint MinRedzone = 32;

    private enum State : byte { Live, Quarantined, Free }

    private sealed class Block
    {
        public nint User, Base;
        public nuint Size, Total;
        public State State;
        // Set once an error about this block has been thrown, so the exit-time scan and the
        // leak report do not repeat it.
        public bool Reported;
        public required Stack Alloc;
        public Stack? Free;
    }

    private readonly CheckOptions options;
    private readonly Lock gate = new();
    // Live, quarantined and freed blocks by address. A freed record stays until the address
    // is handed out again, so a late second free is still named a double free.
    private readonly Dictionary<nint, Block> blocks = [];
    // Live and quarantined blocks by the address of their allocator block, to tell a pointer
    // into a checked block's redzone from an ordinary Ebb block (an EbbHeap's, say).
    private readonly Dictionary<nint, Block> byBase = [];
    private readonly Queue<Block> quarantine = new();
    private long quarantinedBytes;

    /// <summary>Creates a checked heap with its own tables (the process has one; tests make more).</summary>
    public CheckedHeap(CheckOptions options) => this.options = options;

    /// <summary>Allocates a checked block of <paramref name="size"/> bytes.</summary>
    public void* Alloc(nuint size, nuint alignment, bool zero)
    {
        nuint align = Math.Max(alignment, 16);
        nuint left = (MinRedzone + align - 1) & ~(align - 1);
        if (size > nuint.MaxValue / 2) throw new OutOfMemoryException();
        nuint rounded = (size + 15) & ~(nuint)15;
        nuint total = left + rounded + MinRedzone;
        nint b = (nint)(align == 16 ? Backend.Alloc(total) : Backend.AlignedAlloc(total, align));
        if (b == 0) throw new OutOfMemoryException();
        nint user = b + (nint)left;
        Poison.Fill(b, left, Poison.Left);
        Poison.Fill(user, size, zero ? (byte)0 : Poison.Junk);
        Poison.Fill(user + (nint)size, total - left - size, Poison.Right);
        var block = new Block { User = user, Base = b, Size = size, Total = total, Alloc = Stack.Capture(options.Stacks) };
        lock (gate)
        {
            blocks[user] = block;
            byBase[b] = block;
        }
        return (void*)user;
    }

    /// <summary>Frees a checked block into the quarantine, after checking its state and redzones.</summary>
    public void Free(void* ptr)
    {
        if (ptr == null) return;
        var freeStack = Stack.Capture(options.Stacks);
        EbbMemoryException? late;
        bool ordinary = false;
        lock (gate)
        {
            var block = LiveBlock((nint)ptr, "free");
            // Not a checked block but an ordinary Ebb one: the allocator frees it (and checks it).
            if (block is null) ordinary = true;
            else Quarantine(block, freeStack);
            late = ordinary ? null : Evict(options.QuarantineBytes);
        }
        if (ordinary) Backend.Free(ptr);
        if (late is not null) throw late;
    }

    // Under the lock: checks a live block and moves it to the quarantine.
    private void Quarantine(Block block, Stack freeStack)
    {
        ThrowIfRedzonesChanged(block, "at free");
        block.State = State.Quarantined;
        block.Free = freeStack;
        Poison.Fill(block.User, block.Size, Poison.Freed);
        quarantine.Enqueue(block);
        quarantinedBytes += (long)block.Total;
    }

    /// <summary>Moves a checked block to a new one of <paramref name="size"/> bytes.</summary>
    public void* Realloc(void* ptr, nuint size, nuint alignment)
    {
        if (ptr == null) return Alloc(size, alignment, false);
        nuint old;
        lock (gate)
        {
            var block = LiveBlock((nint)ptr, "realloc");
            if (block is not null) ThrowIfRedzonesChanged(block, "at realloc");
            old = block?.Size ?? Backend.UsableSize(ptr);
        }
        void* p = Alloc(size == 0 ? 1 : size, alignment, false);
        Buffer.MemoryCopy(ptr, p, size, Math.Min(old, size));
        Free(ptr);
        return p;
    }

    /// <summary>The block's requested size: the redzone is not usable.</summary>
    public nuint UsableSize(void* ptr)
    {
        lock (gate) return LiveBlock((nint)ptr, "usable size")?.Size ?? Backend.UsableSize(ptr);
    }

    /// <summary>Checks every live block's redzones and every quarantined block's poison; throws the first error.</summary>
    public void Validate()
    {
        var errors = FindErrors("by Validate()", 1);
        if (errors.Count > 0) throw errors[0];
    }

    /// <summary>Every error in the live and quarantined blocks (up to <paramref name="max"/>), for exit-time reports.</summary>
    public List<EbbMemoryException> FindErrors(string when, int max)
    {
        var errors = new List<EbbMemoryException>();
        lock (gate)
        {
            foreach (var b in blocks.Values)
            {
                if (errors.Count >= max) break;
                if (b.State == State.Free || b.Reported) continue;
                var e = RedzoneError(b, when) ?? (b.State == State.Quarantined ? PoisonError(b, when) : null);
                if (e is null) continue;
                b.Reported = true;
                errors.Add(e);
            }
        }
        return errors;
    }

    /// <summary>Live blocks grouped by allocation site, largest total first.</summary>
    public List<(string Frames, nuint Bytes, int Blocks)> Leaks(out nuint totalBytes, out int totalBlocks)
    {
        List<Block> live;
        lock (gate) live = blocks.Values.Where(b => b.State == State.Live && !b.Reported).ToList();
        totalBytes = 0;
        foreach (var b in live) totalBytes += b.Size;
        totalBlocks = live.Count;
        return live.GroupBy(b => b.Alloc.Frames)
            .Select(g => (g.Key, (nuint)g.Aggregate(0UL, (s, b) => s + b.Size), g.Count()))
            .OrderByDescending(g => g.Item2).ThenByDescending(g => g.Item3)
            .ToList();
    }

    /// <summary>Writes the leak report (nothing when no block is live).</summary>
    public bool ReportLeaks(TextWriter w)
    {
        var groups = Leaks(out nuint bytes, out int count);
        if (count == 0) return false;
        w.WriteLine(Report.FirstLine(EbbErrorKind.MemoryLeak, Report.Leaks(bytes, count)));
        foreach (var (frames, b, k) in groups)
        {
            w.WriteLine($"{b} bytes in {k} blocks allocated at:");
            w.WriteLine(frames);
        }
        return true;
    }

    // Under the lock: the live block at p; null when p is no checked block's business (an
    // ordinary Ebb block, from an EbbHeap say: the allocator then checks it itself); or the
    // error that p is a freed block, a pointer into a checked block, or not Ebb's at all.
    private Block? LiveBlock(nint p, string op)
    {
        if (blocks.TryGetValue(p, out var block))
        {
            if (block.State == State.Live) return block;
            throw new EbbMemoryException(EbbErrorKind.DoubleFree, p, Report.DoubleFree(op, p, block.Size), block.Size,
                block.Alloc.Describe("allocated"), block.Free?.Describe("freed"));
        }
        if (!Backend.TryFindBlock((void*)p, out void* start, out _))
            throw new EbbMemoryException(EbbErrorKind.InvalidFree, p, Report.Foreign(op, p));
        if (!byBase.TryGetValue((nint)start, out var b)) return null;
        throw new EbbMemoryException(EbbErrorKind.InvalidFree, p, Report.Interior(op, p, b.User, b.Size), b.Size,
            b.Alloc.Describe("allocated"), b.Free?.Describe("freed"));
    }

    private static void ThrowIfRedzonesChanged(Block b, string when)
    {
        if (RedzoneError(b, when) is not { } e) return;
        b.Reported = true;
        throw e;
    }

    private static EbbMemoryException? RedzoneError(Block b, string when)
    {
        nint end = b.User + (nint)b.Size;
        nuint rightLength = b.Total - (nuint)(end - b.Base);
        if (Poison.FindChanged(end, rightLength, Poison.Right, out nuint first, out nuint last))
            return Error(EbbErrorKind.HeapBufferOverflow, b, end + (nint)first, last - first + 1, when);
        nuint leftLength = (nuint)(b.User - b.Base);
        if (Poison.FindChanged(b.Base, leftLength, Poison.Left, out first, out last))
            return Error(EbbErrorKind.HeapBufferUnderflow, b, b.Base + (nint)last, last - first + 1, when);
        return null;
    }

    private static EbbMemoryException? PoisonError(Block b, string when)
    {
        if (!Poison.FindChanged(b.User, b.Size, Poison.Freed, out nuint first, out nuint last)) return null;
        return Error(EbbErrorKind.HeapUseAfterFree, b, b.User + (nint)first, last - first + 1, when);
    }

    private static EbbMemoryException Error(EbbErrorKind kind, Block b, nint at, nuint count, string when) =>
        new(kind, at, Report.Written(count, at, b.User, b.Size, b.State != State.Live, when), b.Size,
            b.Alloc.Describe("allocated"), b.Free?.Describe("freed"));

    // Under the lock: releases the oldest quarantined blocks until the quarantine fits in
    // `limit` bytes, checking each; returns the first error found (the blocks are released
    // anyway, so the heap stays consistent whatever the caller does with the error).
    private EbbMemoryException? Evict(long limit)
    {
        EbbMemoryException? first = null;
        while (quarantinedBytes > limit && quarantine.Count > 0)
        {
            var b = quarantine.Dequeue();
            quarantinedBytes -= (long)b.Total;
            if (!b.Reported) first ??= PoisonError(b, "when it left quarantine") ?? RedzoneError(b, "when it left quarantine");
            b.State = State.Free;
            byBase.Remove(b.Base);
            Backend.Free((void*)b.Base);
        }
        return first;
    }
}
