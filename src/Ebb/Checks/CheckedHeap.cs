using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Ebb.Checks;

/// <summary>
/// Checked mode (<c>EBB_CHECK=1</c>). Every block is carved out of a larger allocator block
/// whose first 64 bytes are its header (<see cref="CheckedBlock"/>: size, state, stack ids):
/// <code>
///   base     base+64              user                 user+size        base+total
///   | header | left redzone 0xFA  | the block (0xAA)   | right redzone 0xFB |
/// </code>
/// The redzones are byte-precise (the right one starts at the block's last byte + 1, so a
/// 1-byte overflow of a 13-byte block changes it) and at least 32 bytes wide. A pointer is
/// recognised as a checked block by its allocator block's header, so double free, free of a
/// foreign or interior pointer, and realloc of freed memory are found every time, with no
/// table lookup and no managed object per block.
/// <para>
/// Freed blocks are filled with 0xDD and quarantined: first in a per-thread list (no lock),
/// which, once it holds more than a small budget, is moved as a whole under the heap's lock
/// to the heap's FIFO of at most <see cref="CheckOptions.QuarantineBytes"/>; the oldest blocks
/// leave it, are checked (a changed byte is a write after free) and go back to the allocator.
/// An index of header addresses (<see cref="LiveIndex"/>) lets <see cref="Validate"/>, the
/// exit-time scan and the leak report find every live and quarantined block; memory goes
/// back to the allocator only under the lock, so a scan under the lock reads only blocks
/// that are still there.
/// </para>
/// </summary>
internal sealed unsafe class CheckedHeap
{
    private const nuint MinRedzone = 32;
    private const nuint HeaderSize = CheckedBlock.HeaderSize;
    // The smallest allocator block a checked block takes (header, two redzones, a 0-byte block).
    private const nuint MinTotal = HeaderSize + 2 * MinRedzone;
    // The header's distance from the block for every alignment up to 32 (all but AlignedAlloc's bigger ones).
    private const nuint CommonLeft = HeaderSize + MinRedzone;
    // The most of the gap between header and block that is filled and checked as left redzone.
    private const nuint MaxLeftRedzone = 4096;
    private const int SlotBatch = 128;
    private const long MaxThreadQuarantine = 256 << 10;

    private const byte Live = (byte)CheckedState.Live, Freeing = (byte)CheckedState.Freeing;
    private const byte Quarantined = (byte)CheckedState.Quarantined, Released = (byte)CheckedState.Free;

    /// <summary>A thread's side of a heap: its quarantined blocks not yet handed to the heap, and spare index slots.</summary>
    private sealed class ThreadCache(CheckedHeap heap)
    {
        public readonly CheckedHeap Heap = heap;
        // Made on its thread (cheaper here than Environment.CurrentManagedThreadId on every call).
        public readonly int ThreadId = Environment.CurrentManagedThreadId;
        public CheckedBlock* Head, Tail;
        public long Bytes;
        public readonly int[] Slots = new int[SlotBatch];
        public int SlotCount;

        // The thread has ended: its quarantined blocks and spare slots go to the heap.
        ~ThreadCache() => Heap.Adopt(this);
    }

    // The heap this thread used last, and all of them (tests make several heaps).
    #pragma warning disable IDE1006 // t_: thread-static (.editorconfig)
    [ThreadStatic] private static ThreadCache? t_lastCache;
    [ThreadStatic] private static ConditionalWeakTable<CheckedHeap, ThreadCache>? t_caches;
    #pragma warning restore IDE1006

    private readonly bool _stacks;
    private readonly ulong _key;
    private readonly long _quarantineLimit;
    private readonly long _threadLimit;
    private readonly Lock _gate = new();
    private readonly LiveIndex _index = new();
    private readonly FreedRecords _freed = new();
    // The heap's quarantine, oldest first, linked through the headers; under the lock.
    private CheckedBlock* _head, _tail;
    private long _quarantinedBytes;

    /// <summary>Creates a checked heap with its own index and quarantine (the process has one; tests make more).</summary>
    public CheckedHeap(CheckOptions options)
    {
        _stacks = options.Stacks;
        _quarantineLimit = options.QuarantineBytes;
        // A thread holds back at most 1/16 of the quarantine before handing it over (ASan's
        // per-thread quarantine cache): one lock per many frees, little memory per thread.
        _threadLimit = Math.Min(options.QuarantineBytes / 16, MaxThreadQuarantine);
        _key = (ulong)Random.Shared.NextInt64() | 1;
    }

    /// <summary>Allocates a checked block of <paramref name="size"/> bytes (for the EbbHeap <paramref name="owner"/>, when not 0).</summary>
    public void* Alloc(nuint size, nuint alignment, bool zero, uint owner = 0)
    {
        nuint align = Math.Max(alignment, 16);
        if (size > nuint.MaxValue / 2 || align > uint.MaxValue / 2) throw new OutOfMemoryException();
        nuint left = (HeaderSize + MinRedzone + align - 1) & ~(align - 1);
        nuint total = left + ((size + 15) & ~(nuint)15) + MinRedzone;
        uint stack = _stacks ? Stack.CaptureId(true) : StackDepot.None;
        byte* b = (byte*)(align == 16 ? Backend.Alloc(total) : Backend.AlignedAlloc(total, align));
        if (b == null) throw new OutOfMemoryException();
        var cache = Cache();
        int slot = cache.SlotCount > 0 ? cache.Slots[--cache.SlotCount] : TakeSlots(cache);
        byte* user = b + left;
        var h = (CheckedBlock*)b;
        h->Link = 0;
        h->Key = (ulong)user ^ _key;
        h->Size = size;
        h->Total = total;
        h->AllocStack = stack;
        h->FreeStack = StackDepot.None;
        h->AllocThread = cache.ThreadId;
        h->FreeThread = 0;
        h->Left = (uint)left;
        h->Slot = slot;
        h->State = Live;
        h->Reported = 0;
        h->Owner = owner;
        nint leftZone = LeftZone(h, out nuint leftLength);
        Poison.Fill(leftZone, leftLength, Poison.Left);
        Poison.Fill((nint)user, size, zero ? (byte)0 : Poison.Junk);
        Poison.Fill((nint)(user + size), total - left - size, Poison.Right);
        // Published last: a scan that finds the entry finds a whole header and filled redzones.
        if (slot >= 0) Volatile.Write(ref *_index.Entry(slot), (nint)b);
        return user;
    }

    /// <summary>Frees a checked block into the quarantine, after checking its state and redzones.</summary>
    public void Free(void* ptr)
    {
        if (ptr == null) return;
        var h = Find((nint)ptr, "free");
        // Not a checked block but an ordinary Ebb block: the allocator frees it (and checks it).
        if (h == null) { Backend.Free(ptr); return; }
        ThrowIfRedzonesChanged(h, "at free");
        // Two threads freeing one block: one wins, the other reports the double free.
        if (Interlocked.CompareExchange(ref h->State, Freeing, Live) != Live) throw DoubleFree(h, (nint)ptr, "free");
        var cache = Cache();
        h->FreeStack = _stacks ? Stack.CaptureId(true) : StackDepot.None;
        h->FreeThread = cache.ThreadId;
        Poison.Fill((nint)ptr, h->Size, Poison.Freed);
        // Poisoned before it says so: a scan checks the poison only of quarantined blocks.
        Volatile.Write(ref h->State, Quarantined);
        h->Link = 0;
        if (cache.Tail == null) cache.Head = h; else cache.Tail->Link = (nint)h;
        cache.Tail = h;
        cache.Bytes += (long)h->Total;
        if (cache.Bytes > _threadLimit) HandOver(cache);
    }

    /// <summary>Moves a checked block to a new one of <paramref name="size"/> bytes.</summary>
    public void* Realloc(void* ptr, nuint size, nuint alignment)
    {
        if (ptr == null) return Alloc(size, alignment, false);
        var h = Find((nint)ptr, "realloc");
        nuint old;
        if (h != null)
        {
            ThrowIfRedzonesChanged(h, "at realloc");
            old = h->Size;
        }
        else old = Backend.UsableSize(ptr);
        void* p = Alloc(size == 0 ? 1 : size, alignment, false);
        Buffer.MemoryCopy(ptr, p, size, Math.Min(old, size));
        Free(ptr);
        return p;
    }

    /// <summary>The block's requested size: the redzone is not usable.</summary>
    public nuint UsableSize(void* ptr)
    {
        var h = Find((nint)ptr, "usable size");
        return h != null ? h->Size : Backend.UsableSize(ptr);
    }

    /// <summary>Whether <paramref name="ptr"/> is a live checked block of the EbbHeap <paramref name="owner"/> (never throws).</summary>
    public bool IsLiveOf(void* ptr, uint owner)
    {
        nint p = (nint)ptr;
        if (!Backend.TryFindBlock(ptr, out void* start, out nuint blockSize) || (nint)start == p) return false;
        var h = (CheckedBlock*)start;
        return blockSize >= MinTotal && h->Left <= blockSize && (nint)start + (nint)h->Left == p
            && h->Key == ((ulong)p ^ _key) && Volatile.Read(ref h->State) == Live && h->Owner == owner;
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
        lock (_gate)
        {
            for (int slot = 0; slot < _index.High && errors.Count < max; slot++)
            {
                var h = (CheckedBlock*)Volatile.Read(ref *_index.Entry(slot));
                if (h == null || h->Reported != 0) continue;
                byte state = Volatile.Read(ref h->State);
                var e = RedzoneError(h, when) ?? (state == Quarantined ? PoisonError(h, when) : null);
                if (e is null) continue;
                h->Reported = 1;
                errors.Add(e);
            }
        }
        return errors;
    }

    /// <summary>Live blocks grouped by allocation site, largest total first.</summary>
    public List<(string Frames, nuint Bytes, int Blocks)> Leaks(out nuint totalBytes, out int totalBlocks)
    {
        var sites = new Dictionary<uint, (nuint Bytes, int Blocks)>();
        totalBytes = 0;
        totalBlocks = 0;
        lock (_gate)
        {
            for (int slot = 0; slot < _index.High; slot++)
            {
                var h = (CheckedBlock*)Volatile.Read(ref *_index.Entry(slot));
                if (h == null || Volatile.Read(ref h->State) != Live || h->Reported != 0) continue;
                sites.TryGetValue(h->AllocStack, out var s);
                sites[h->AllocStack] = (s.Bytes + h->Size, s.Blocks + 1);
                totalBytes += h->Size;
                totalBlocks++;
            }
        }
        // One id per text in the depot, so one group per site.
        return sites.Select(s => (StackDepot.Shared.Frames(s.Key), s.Value.Bytes, s.Value.Blocks))
            .OrderByDescending(g => g.Bytes).ThenByDescending(g => g.Blocks)
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
            w.WriteLine($"{Report.Leaks(b, k)} allocated at:");
            w.WriteLine(frames);
        }
        w.WriteLine($"SUMMARY: Ebb: {bytes} byte(s) leaked in {count} allocation(s) (process {Environment.ProcessId})");
        return true;
    }

    // The header of the live checked block at p; null when p is no checked block's business
    // (an ordinary Ebb block, from an EbbHeap say: the allocator then checks it itself); or
    // throws that p is a freed block, a pointer into a checked block, or not Ebb's at all.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private CheckedBlock* Find(nint p, string op)
    {
        // The common case without the allocator's lookup: a live block with the common
        // alignment. Its header is at p - 96 (readable when the chunk map says both ends lie
        // in Ebb's chunks), and it passes only if it is this heap's header for exactly p,
        // still live: a block's state leaves Live before its memory can be anything else.
        // Huge blocks (their own mappings) take the allocator's lookup.
        nint guess = p - (nint)CommonLeft;
        if (Backend.IsInChunk((nuint)guess) && Backend.IsInChunk((nuint)p))
        {
            var g = (CheckedBlock*)guess;
            if (g->Key == ((ulong)p ^ _key) && g->Left == CommonLeft && Volatile.Read(ref g->State) == Live) return g;
        }
        return FindSlow(p, op);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private CheckedBlock* FindSlow(nint p, string op)
    {
        if (!Backend.TryFindBlock((void*)p, out void* start, out nuint blockSize))
        {
            ThrowIfRemembered(p, op);
            throw ErrorReport.Error(EbbErrorKind.InvalidFree, p, Report.Foreign(op, p));
        }
        // A checked block never starts its allocator block: this is an ordinary one.
        if ((nint)start == p) return null;
        var h = (CheckedBlock*)start;
        if (blockSize >= MinTotal && h->Left <= blockSize && h->Key == (((ulong)start + h->Left) ^ _key))
        {
            byte state = Volatile.Read(ref h->State);
            if ((nint)start + (nint)h->Left == p)
            {
                if (state == Live) return h;
                throw DoubleFree(h, p, op);
            }
            if (state != Released)
                throw ErrorReport.Error(EbbErrorKind.InvalidFree, p, Report.Interior(op, p, (nint)start + (nint)h->Left, h->Size),
                    h->Size, AllocText(h), FreeText(h), block: (nint)start + (nint)h->Left);
        }
        // Inside memory that is not (or no longer) a checked block: a block that left the
        // quarantine, if remembered; else the allocator's own checks decide.
        ThrowIfRemembered(p, op);
        return null;
    }

    private void ThrowIfRemembered(nint p, string op)
    {
        FreedRecords.Record r;
        bool found;
        lock (_gate) found = _freed.TryGet(p, out r);
        if (found)
            throw ErrorReport.Error(EbbErrorKind.DoubleFree, p, Report.DoubleFree(op, p, r.Size), r.Size,
                Stack.FromId(r.AllocStack, r.AllocThread).Describe("allocated"), Stack.FromId(r.FreeStack, r.FreeThread).Describe("freed"), block: p);
    }

    private static EbbMemoryException DoubleFree(CheckedBlock* h, nint p, string op) =>
        ErrorReport.Error(EbbErrorKind.DoubleFree, p, Report.DoubleFree(op, p, h->Size), h->Size, AllocText(h), FreeText(h), block: p);

    private static string AllocText(CheckedBlock* h) => Stack.FromId(h->AllocStack, h->AllocThread).Describe("allocated");

    private static string? FreeText(CheckedBlock* h) =>
        Volatile.Read(ref h->State) == Live ? null : Stack.FromId(h->FreeStack, h->FreeThread).Describe("freed");

    // The common answer, inline: both redzones hold their fill.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool RedzonesIntact(CheckedBlock* h)
    {
        nint end = (nint)h + (nint)h->Left + (nint)h->Size;
        return Poison.IsIntact(end, h->Total - h->Left - h->Size, Poison.Right)
            && Poison.IsIntact(LeftZone(h, out nuint leftLength), leftLength, Poison.Left);
    }

    /// <summary>
    /// The left redzone: the bytes right before the block, at most <see cref="MaxLeftRedzone"/>.
    /// An alignment above 32 leaves a gap up to the alignment between header and block; filling
    /// and checking all of it touched the whole gap (gigabytes written for a 1 GiB alignment),
    /// so beyond the redzone the gap is slack, never touched (and never resident).
    /// </summary>
    private static nint LeftZone(CheckedBlock* h, out nuint length)
    {
        Debug.Assert(h->Left >= CommonLeft);
        length = Math.Min(h->Left - HeaderSize, MaxLeftRedzone);
        return (nint)h + (nint)h->Left - (nint)length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ThrowIfRedzonesChanged(CheckedBlock* h, string when)
    {
        if (RedzonesIntact(h) || RedzoneError(h, when) is not { } e) return;
        h->Reported = 1;
        throw e;
    }

    private static EbbMemoryException? RedzoneError(CheckedBlock* h, string when)
    {
        nint user = (nint)h + (nint)h->Left;
        nint end = user + (nint)h->Size;
        if (Poison.FindChanged(end, h->Total - h->Left - h->Size, Poison.Right, out nuint first, out nuint last))
            return Error(EbbErrorKind.HeapBufferOverflow, h, end + (nint)first, last - first + 1, when);
        nint leftStart = LeftZone(h, out nuint leftLength);
        if (Poison.FindChanged(leftStart, leftLength, Poison.Left, out first, out last))
            return Error(EbbErrorKind.HeapBufferUnderflow, h, leftStart + (nint)last, last - first + 1, when);
        return null;
    }

    private static EbbMemoryException? PoisonError(CheckedBlock* h, string when)
    {
        nint user = (nint)h + (nint)h->Left;
        if (!Poison.FindChanged(user, h->Size, Poison.Freed, out nuint first, out nuint last)) return null;
        return Error(EbbErrorKind.HeapUseAfterFree, h, user + (nint)first, last - first + 1, when);
    }

    private static EbbMemoryException Error(EbbErrorKind kind, CheckedBlock* h, nint at, nuint count, string when)
    {
        nint user = (nint)h + (nint)h->Left;
        bool freedBlock = Volatile.Read(ref h->State) != Live;
        return ErrorReport.Error(kind, at, Report.Written(count, at, user, h->Size, freedBlock, when), h->Size, AllocText(h), FreeText(h),
            block: user, access: $"WRITE of size {count}");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ThreadCache Cache()
    {
        var c = t_lastCache;
        return c is not null && c.Heap == this ? c : CacheSlow();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ThreadCache CacheSlow()
    {
        t_caches ??= [];
        var c = t_caches.GetValue(this, static h => new ThreadCache(h));
        t_lastCache = c;
        return c;
    }

    // The thread's spare slots ran out: a batch from the index (-1 when it is full: the block is then not indexed).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int TakeSlots(ThreadCache cache)
    {
        int n;
        lock (_gate) n = _index.Take(cache.Slots);
        if (n == 0) return -1;
        cache.SlotCount = n - 1;
        return cache.Slots[n - 1];
    }

    // The thread's quarantine is over its budget: it joins the heap's, whose oldest blocks leave.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void HandOver(ThreadCache cache)
    {
        EbbMemoryException? late;
        lock (_gate)
        {
            Append(cache);
            late = Evict(_quarantineLimit);
        }
        if (late is not null) throw late;
    }

    // From the finalizer of a thread's cache (the thread has ended).
    private void Adopt(ThreadCache cache)
    {
        lock (_gate)
        {
            Append(cache);
            _index.GiveUnused(cache.Slots.AsSpan(0, cache.SlotCount));
            cache.SlotCount = 0;
        }
    }

    // Under the lock.
    private void Append(ThreadCache cache)
    {
        if (cache.Head == null) return;
        if (_tail == null) _head = cache.Head; else _tail->Link = (nint)cache.Head;
        _tail = cache.Tail;
        _quarantinedBytes += cache.Bytes;
        cache.Head = cache.Tail = null;
        cache.Bytes = 0;
    }

    // Under the lock: releases the oldest quarantined blocks until the quarantine fits in
    // `limit` bytes, checking each; returns the first error found (the blocks are released
    // anyway, so the heap stays consistent whatever the caller does with the error).
    private EbbMemoryException? Evict(long limit)
    {
        EbbMemoryException? first = null;
        while (_quarantinedBytes > limit && _head != null)
        {
            var h = _head;
            _head = (CheckedBlock*)h->Link;
            if (_head == null) _tail = null;
            _quarantinedBytes -= (long)h->Total;
            if (h->Reported == 0 && first is null
                && !(Poison.IsIntact((nint)h + (nint)h->Left, h->Size, Poison.Freed) && RedzonesIntact(h)))
                first = PoisonError(h, "when it left quarantine") ?? RedzoneError(h, "when it left quarantine");
            Volatile.Write(ref h->State, Released);
            _freed.Add(new((nint)h + (nint)h->Left, h->Size, h->AllocStack, h->AllocThread, h->FreeStack, h->FreeThread));
            _index.Give(h->Slot);
            Backend.Free(h);
        }
        return first;
    }
}
