using System.Runtime;
using Ebb.Arena;
using Ebb.Heap;
using Ebb.NativeHost;
using Ebb.Os;
using OsNative = Ebb.Os.Native;

namespace Ebb.Checks;

/// <summary>
/// libebb.so's checked mode (EBB_CHECK=1), the C counterpart of src/Ebb/Checks' CheckedHeap:
/// every block is carved from a larger ordinary block of the core, behind a header and between
/// redzones, freed blocks are filled and held in a FIFO quarantine, and every live and
/// quarantined block is on a list the exit-time scan and the leak report walk. The live lists
/// are per shard (a thread's id picks its shard) and a thread's frees gather in its shard's
/// batch before they join the quarantine, so threads do not take turns on one lock for every
/// malloc and free (a global list made two threads slower together than one alone).
/// <code>
/// outer       outer+96                user                     user+size        +32
/// | header    | left redzone (0xFA)   | the block (0xAA or 0)  | right redzone (0xFB) |
/// </code>
/// The header's first 16 bytes are left to the core (its free list's link and free mark), so
/// the rest still says "freed" after the block went back to the core, until it is handed out
/// again: a late second free is still named. Errors are returned to the shim, which prints the
/// report and aborts (the C# side formats no text).
/// </summary>
internal static unsafe class CheckedHeap
{
    private const nuint HeaderSize = 96;
    private const nuint LeftRedzone = 32;
    private const nuint RightRedzone = 32;
    private const byte LeftFill = 0xFA, RightFill = 0xFB, JunkFill = 0xAA, FreedFill = 0xDD;
    private const uint Live = 1, Freeing = 2, Quarantined = 3, Freed = 4;

    private struct Header
    {
        public nuint CoreNext, CoreMark; // the core's, once the outer block is free
        public ulong Key;
        public nuint Size;
        public uint UserOffset;
        public uint State;
        public uint AllocStack, FreeStack;
        public int AllocTid, FreeTid;
        public Header* Prev, Next;
        public uint Reached;       // the exit-time scan found a pointer to the block
        public uint Pad;
        // The first block of a batch in the quarantine: the batch's bytes and last block (in
        // Prev, free while quarantined), and the next batch.
        public nuint BatchBytes;
        public Header* NextBatch;
    }

    /// <summary>Shards of the live lists and free batches (a power of two; the shim has as many locks).</summary>
    private const int Shards = 64;
    /// <summary>Bytes a shard's frees gather before they join the quarantine under its lock.</summary>
    private const nuint BatchLimit = 64 << 10;

    /// <summary>
    /// A shard, under the shim's lock of the same index: its threads' live blocks (a doubly linked
    /// list, newest at the head; a block stays on its allocating thread's shard), the blocks
    /// they freed since the last hand-over to the quarantine (FIFO), and the blocks that left the
    /// quarantine at their hand-over, to be checked and given back (due, oldest first). One
    /// cache line each.
    /// </summary>
    private struct Shard
    {
        public Header* Live;
        public Header* BatchHead, BatchTail;
        public nuint BatchBytes;
        public Header* DueHead, DueTail;
        public nuint Pad0, Pad1;
    }

    private static ulong s_secret;
    private static nuint s_budget;
    private static Shard* s_shards;
    // The quarantine: a FIFO of batches (each one's first block, linked by NextBatch; oldest
    // at the head), under the shim's check lock. A whole batch leaves at a time, so eviction
    // reads one cold header per batch, not one per block. Its bytes stay within the budget; the
    // shards' batches hold up to BatchLimit each on top.
    private static Header* s_qHead, s_qTail;
    private static nuint s_qBytes;

    /// <summary>Starts the checks: the key's secret, the quarantine's budget, and the shim's count of shard locks (checked against <see cref="Shards"/>); false when they differ or no memory.</summary>
    [RuntimeExport("ebb_check_init")]
    public static int Init(ulong secret, nuint quarantineBytes, int shardLocks)
    {
        if (shardLocks != Shards || sizeof(Header) > (int)HeaderSize) return 0;
        nint m = OsNative.mmap(0, (nuint)(Shards * sizeof(Shard)), 3, 0x22, -1, 0);
        if (m == -1) return 0;
        s_shards = (Shard*)m;
        s_secret = secret | 1;
        s_budget = quarantineBytes;
        StackDepot.Init();
        return 1;
    }

    private static int ShardOf(int tid) => tid & (Shards - 1);

    [RuntimeExport("ebb_depot_put")]
    public static uint DepotPut(nuint* frames, int n) => StackDepot.Put(frames, n);

    [RuntimeExport("ebb_depot_get")]
    public static int DepotGet(uint id, nuint** frames) => StackDepot.Get(id, frames);

    private static ulong KeyOf(nuint outer) => (ulong)outer * 0x9E3779B97F4A7C15 ^ s_secret;

    private static nuint UserOffsetFor(nuint align) => align <= 16 ? HeaderSize + LeftRedzone : (HeaderSize + LeftRedzone + align - 1) & ~(align - 1);

    /// <summary>A new checked block of <paramref name="size"/> bytes (aligned to <paramref name="align"/>, a power of two), or null.</summary>
    [RuntimeExport("ebb_check_malloc")]
    public static void* Malloc(Heap.Heap* h, nuint size, nuint align, int zero, uint stack, int tid)
    {
        nuint off = UserOffsetFor(align);
        nuint total = off + size + RightRedzone;
        if (total < size) return null;
        void* outer;
        h = HeapState.Real(h);
        if (align <= 16) outer = HeapAlloc.TryAlloc(h, total);
        else
        {
            if (h == null) h = Arena.Host.InitThreadHeap();
            outer = h == null ? null : HeapAlloc.Aligned(h, total, align, zero: false);
        }
        if (outer == null) return null;
        Header* hd = (Header*)outer;
        byte* user = (byte*)outer + off;
        hd->Key = KeyOf((nuint)outer);
        hd->Size = size;
        hd->UserOffset = (uint)off;
        hd->AllocStack = stack;
        hd->FreeStack = 0;
        hd->AllocTid = tid;
        hd->FreeTid = 0;
        // The left redzone: at most its last 4 KiB for a large alignment's gap (the rest is never touched).
        nuint left = off - HeaderSize;
        if (left > 4096) left = 4096;
        Pattern.Fill(user - left, left, LeftFill);
        Pattern.Fill(user + size, RightRedzone, RightFill);
        Pattern.Fill(user, size, zero != 0 ? (byte)0 : JunkFill);
        int s = ShardOf(tid);
        Shard* sh = s_shards + s;
        Shim.ebb_shim_shard_lock(s);
        hd->State = Live;
        hd->Prev = null;
        hd->Next = sh->Live;
        if (sh->Live != null) sh->Live->Prev = hd;
        sh->Live = hd;
        Shim.ebb_shim_shard_unlock(s);
        return user;
    }

    /// <summary>
    /// The checked header of <paramref name="p"/>, or null with the error in <paramref name="r"/>:
    /// Plain for the start of an ordinary block (made while the checks were busy: the unwinder's
    /// own allocations), Foreign for memory Ebb never owned.
    /// </summary>
    private static Header* Lookup(void* p, CheckReport* r)
    {
        nuint a = (nuint)p;
        r->Address = a;
        byte kind = ChunkMap.Get(a);
        if (kind == ChunkMap.None)
        {
            r->Kind = ErrorKind.Foreign;
            return null;
        }
        // (A huge block's mapping header is read under the arena lock, which Find takes.)
        BlockInfo info = Blocks.Find(p);
        if (info.Kind == BlockKind.FreeMemory)
        {
            r->Kind = ErrorKind.DoubleFree;
            return null;
        }
        if (info.Kind is not (BlockKind.Small or BlockKind.Large or BlockKind.Huge))
        {
            r->Kind = ErrorKind.InvalidFree;
            return null;
        }
        Header* hd = (Header*)info.Start;
        if (info.Size < HeaderSize + LeftRedzone || hd->Key != KeyOf(info.Start))
        {
            r->Kind = info.Offset == 0 ? ErrorKind.Plain : ErrorKind.InvalidFree;
            return null;
        }
        r->Block = info.Start + hd->UserOffset;
        r->Size = hd->Size;
        r->AllocStack = hd->AllocStack;
        r->AllocTid = hd->AllocTid;
        if (a != r->Block)
        {
            r->Kind = ErrorKind.InvalidFree;
            return null;
        }
        return hd;
    }

    /// <summary>The requested size of live block <paramref name="p"/> (malloc_usable_size, realloc), or an error in <paramref name="r"/>.</summary>
    [RuntimeExport("ebb_check_size")]
    public static nuint SizeOf(void* p, CheckReport* r)
    {
        *r = default;
        Header* hd = Lookup(p, r);
        if (hd == null) return 0;
        if (Volatile.Read(ref *(int*)&hd->State) != (int)Live)
        {
            r->Kind = ErrorKind.DoubleFree;
            r->FreeStack = hd->FreeStack;
            r->FreeTid = hd->FreeTid;
            return 0;
        }
        return hd->Size;
    }

    /// <summary>
    /// Frees <paramref name="p"/> into the quarantine: 0, or an error kind with <paramref name="r"/>
    /// filled (Plain: an ordinary block, already freed to the core; Foreign: left to the shim).
    /// </summary>
    [RuntimeExport("ebb_check_free")]
    public static int Free(Heap.Heap* h, void* p, uint stack, int tid, CheckReport* r)
    {
        *r = default;
        r->When = Found.AtFree;
        Header* hd = Lookup(p, r);
        if (hd == null)
        {
            if (r->Kind == ErrorKind.Plain) Dealloc.Free(h, p);
            return (int)r->Kind;
        }
        // One of two threads freeing the block at once wins; the other reports the double free.
        if (Interlocked.CompareExchange(ref *(int*)&hd->State, (int)Freeing, (int)Live) != (int)Live)
        {
            r->Kind = ErrorKind.DoubleFree;
            r->FreeStack = hd->FreeStack;
            r->FreeTid = hd->FreeTid;
            return ErrorKind.DoubleFree;
        }
        if (CheckRedzones(hd, r)) return (int)r->Kind;
        hd->FreeStack = stack;
        hd->FreeTid = tid;
        byte* user = (byte*)hd + hd->UserOffset;
        Pattern.Fill(user, hd->Size, FreedFill);
        nuint bytes = hd->UserOffset + hd->Size + RightRedzone;

        // Off its live list (its allocating thread's shard), into this thread's shard's batch;
        // never two shard locks at once, nor a shard's with the quarantine's.
        int from = ShardOf(hd->AllocTid), mine = ShardOf(tid);
        if (from != mine)
        {
            Shim.ebb_shim_shard_lock(from);
            Unlink(s_shards + from, hd);
            Shim.ebb_shim_shard_unlock(from);
        }
        Shard* sh = s_shards + mine;
        Header* batch = null, batchTail = null;
        nuint batchBytes = 0;
        Header* release = null;
        Shim.ebb_shim_shard_lock(mine);
        if (from == mine) Unlink(sh, hd);
        hd->State = Quarantined;
        hd->Prev = null;
        hd->Next = null;
        if (sh->BatchTail != null) sh->BatchTail->Next = hd; else sh->BatchHead = hd;
        sh->BatchTail = hd;
        sh->BatchBytes += bytes;
        if (sh->BatchBytes >= BatchLimit)
        {
            batch = sh->BatchHead;
            batchTail = sh->BatchTail;
            batchBytes = sh->BatchBytes;
            sh->BatchHead = sh->BatchTail = null;
            sh->BatchBytes = 0;
        }
        release = TakeDue(sh, DuePerFree);
        Shim.ebb_shim_shard_unlock(mine);

        if (batch != null)
        {
            // The batch joins the quarantine; the oldest batches over the budget become due.
            batch->Prev = batchTail;
            batch->BatchBytes = batchBytes;
            batch->NextBatch = null;
            Header* dueHead = null, dueTail = null;
            Shim.ebb_shim_check_lock();
            if (s_qTail != null) s_qTail->NextBatch = batch; else s_qHead = batch;
            s_qTail = batch;
            s_qBytes += batchBytes;
            while (s_qBytes > s_budget && s_qHead != null)
            {
                Header* old = s_qHead;
                s_qHead = old->NextBatch;
                if (s_qHead == null) s_qTail = null;
                s_qBytes -= old->BatchBytes;
                if (dueTail != null) dueTail->Next = old; else dueHead = old;
                dueTail = old->Prev;
                old->Prev = null;
            }
            Shim.ebb_shim_check_unlock();
            if (dueHead != null)
            {
                Shim.ebb_shim_shard_lock(mine);
                if (sh->DueTail != null) sh->DueTail->Next = dueHead; else sh->DueHead = dueHead;
                sh->DueTail = dueTail;
                Shim.ebb_shim_shard_unlock(mine);
            }
        }
        return Release(h, release, r);
    }

    /// <summary>
    /// Blocks a free checks and gives back: each free releases a few of its shard's due blocks
    /// (out of the quarantine, not yet checked), oldest first, rather than a batch's worth at once
    /// when the batch joins: the block just checked is the next one allocated, while its lines
    /// are still in the cache.
    /// </summary>
    private const int DuePerFree = 2;

    /// <summary>Up to <paramref name="max"/> of the shard's due blocks, oldest first, unlinked (the caller holds the shard's lock).</summary>
    private static Header* TakeDue(Shard* sh, int max)
    {
        Header* head = sh->DueHead;
        if (head == null) return null;
        Header* last = head;
        for (int i = 1; i < max && last->Next != null; i++) last = last->Next;
        sh->DueHead = last->Next;
        if (sh->DueHead == null) sh->DueTail = null;
        last->Next = null;
        return head;
    }

    /// <summary>
    /// Checks the blocks of <paramref name="list"/> (their fill must be intact) and gives them
    /// back to the core: 0, or the first error's kind; the block in error is kept (the report
    /// reads it), the others are given back.
    /// </summary>
    private static int Release(Heap.Heap* h, Header* list, CheckReport* r)
    {
        int result = 0;
        while (list != null)
        {
            Header* next = list->Next;
            if (result == 0 && !CheckFreed(list, r, Found.LeavingQuarantine)) result = (int)r->Kind;
            else
            {
                list->State = Freed;
                Dealloc.Free(h, list);
            }
            list = next;
        }
        return result;
    }

    private static void Unlink(Shard* sh, Header* hd)
    {
        if (hd->Prev != null) hd->Prev->Next = hd->Next; else sh->Live = hd->Next;
        if (hd->Next != null) hd->Next->Prev = hd->Prev;
    }

    /// <summary>True (and <paramref name="r"/> filled) when either redzone of <paramref name="hd"/> changed.</summary>
    private static bool CheckRedzones(Header* hd, CheckReport* r)
    {
        byte* user = (byte*)hd + hd->UserOffset;
        nuint left = hd->UserOffset - HeaderSize;
        if (left > 4096) left = 4096;
        long first, last;
        if (Pattern.Changed(user + hd->Size, RightRedzone, RightFill, out first, out last))
        {
            Describe(hd, r, ErrorKind.Overflow, (long)hd->Size + first, (long)hd->Size + last);
            return true;
        }
        if (Pattern.Changed(user - left, left, LeftFill, out first, out last))
        {
            Describe(hd, r, ErrorKind.Underflow, first - (long)left, last - (long)left);
            return true;
        }
        return false;
    }

    /// <summary>Checks a quarantined block: its fill (a write after free) and its redzones.</summary>
    private static bool CheckFreed(Header* hd, CheckReport* r, int when)
    {
        byte* user = (byte*)hd + hd->UserOffset;
        if (Pattern.Changed(user, hd->Size, FreedFill, out long first, out long last))
        {
            Describe(hd, r, ErrorKind.UseAfterFree, first, last);
            r->When = when;
            return false;
        }
        if (CheckRedzones(hd, r))
        {
            r->When = when;
            return false;
        }
        return true;
    }

    private static void Describe(Header* hd, CheckReport* r, int kind, long first, long last)
    {
        nuint user = (nuint)hd + hd->UserOffset;
        r->Kind = kind;
        r->Block = user;
        r->Size = hd->Size;
        r->First = first;
        r->Last = last;
        r->Address = (nuint)((long)user + first);
        r->AllocStack = hd->AllocStack;
        r->AllocTid = hd->AllocTid;
        r->FreeStack = hd->FreeStack;
        r->FreeTid = hd->FreeTid;
        r->Access = 2;
    }

    /// <summary>At exit: every live block's redzones and every quarantined block's fill; 0 or the error's kind.</summary>
    [RuntimeExport("ebb_check_scan")]
    public static int Scan(CheckReport* r)
    {
        *r = default;
        int result = 0;
        for (int s = 0; s < Shards && result == 0; s++)
        {
            Shim.ebb_shim_shard_lock(s);
            for (Header* hd = s_shards[s].Live; hd != null && result == 0; hd = hd->Next)
                if (CheckRedzones(hd, r)) result = (int)r->Kind;
            if (result == 0) result = FreedListError(s_shards[s].BatchHead, r);
            if (result == 0) result = FreedListError(s_shards[s].DueHead, r);
            Shim.ebb_shim_shard_unlock(s);
        }
        Shim.ebb_shim_check_lock();
        for (Header* b = s_qHead; b != null && result == 0; b = b->NextBatch) result = FreedListError(b, r);
        Shim.ebb_shim_check_unlock();
        r->When = Found.AtExit;
        return result;
    }

    /// <summary>The first freed block of the chain at <paramref name="hd"/> (linked through Next) whose fill changed: its error's kind, with <paramref name="r"/> filled; 0 when none.</summary>
    private static int FreedListError(Header* hd, CheckReport* r)
    {
        for (; hd != null; hd = hd->Next)
            if (!CheckFreed(hd, r, Found.AtExit)) return (int)r->Kind;
        return 0;
    }

    // ---- the exit-time reachability scan (LeakSanitizer's idea, without stopping the threads) ----

    private static Header** s_work;
    private static nuint s_workCount, s_workCap;

    /// <summary>Starts a scan: clears every live block's mark and maps the work list; false when it could not.</summary>
    [RuntimeExport("ebb_check_mark_begin")]
    public static int MarkBegin()
    {
        nuint live = 0;
        for (int s = 0; s < Shards; s++)
        {
            Shim.ebb_shim_shard_lock(s);
            for (Header* hd = s_shards[s].Live; hd != null; hd = hd->Next) { hd->Reached = 0; live++; }
            Shim.ebb_shim_shard_unlock(s);
        }
        nuint bytes = (live + 1024) * (nuint)sizeof(Header*);
        nint m = OsNative.mmap(0, bytes, 3, 0x22 | 0x4000, -1, 0);
        if (m == -1) return 0;
        s_work = (Header**)m;
        s_workCap = live + 1024;
        s_workCount = 0;
        return 1;
    }

    /// <summary>The live checked block a word points into (its start or inside it), or null.</summary>
    private static Header* BlockOf(nuint v)
    {
        byte kind = ChunkMap.Get(v);
        if (kind == ChunkMap.None) return null;
        BlockInfo info = Blocks.FindLive((void*)v);
        if (info.Kind is not (BlockKind.Small or BlockKind.Large or BlockKind.Huge)) return null;
        if (info.Size < HeaderSize + LeftRedzone) return null;
        Header* hd = (Header*)info.Start;
        if (hd->Key != KeyOf(info.Start) || hd->State != Live) return null;
        nuint user = info.Start + hd->UserOffset;
        return v >= user && v < user + (hd->Size == 0 ? 1 : hd->Size) ? hd : null;
    }

    private static void ScanWords(nuint* p, nuint* end)
    {
        for (; p < end; p++)
        {
            Header* hd = BlockOf(*p);
            if (hd == null || hd->Reached != 0) continue;
            hd->Reached = 1;
            if (s_workCount < s_workCap) s_work[s_workCount++] = hd;
        }
    }

    /// <summary>Marks the blocks that the words of [start, end) point into (a root: a module's data, a stack, a mapping of the program's).</summary>
    [RuntimeExport("ebb_check_mark_range")]
    public static void MarkRange(nuint start, nuint end)
    {
        if (s_work == null) return;
        start = (start + 7) & ~(nuint)7;
        end &= ~(nuint)7;
        // Ebb's own chunks and huge mappings are not roots (a free or quarantined block's stale
        // words must not keep anything alive); the kernel may merge them with a neighbour's line in maps.
        while (start < end)
        {
            nuint next = (start & ~Layout.ChunkMask) + Layout.ChunkSize;
            if (next > end || next < start) next = end;
            if (ChunkMap.Get(start) == ChunkMap.None) ScanWords((nuint*)start, (nuint*)next);
            start = next;
        }
    }

    /// <summary>Follows the marked blocks' contents until no new block is reached; ends the scan.</summary>
    [RuntimeExport("ebb_check_mark_finish")]
    public static void MarkFinish()
    {
        if (s_work == null) return;
        while (s_workCount > 0)
        {
            Header* hd = s_work[--s_workCount];
            nuint user = (nuint)hd + hd->UserOffset;
            ScanWords((nuint*)((user + 7) & ~(nuint)7), (nuint*)((user + hd->Size) & ~(nuint)7));
        }
        OsNative.munmap((nint)s_work, s_workCap * (nuint)sizeof(Header*));
        s_work = null;
        s_scanned = true;
    }

    private static bool s_scanned;

    /// <summary>One leak group: the allocation stack, bytes and blocks, and one block's address.</summary>
    public struct LeakGroup
    {
        public long Stack;
        public long Bytes;
        public long Blocks;
        public nuint Sample;
    }

    /// <summary>
    /// Groups the blocks still live by allocation stack into <paramref name="groups"/> (room for
    /// <paramref name="max"/>), largest first; returns the number of groups (at most max: the
    /// rest are added to the last), and the totals.
    /// </summary>
    [RuntimeExport("ebb_check_leaks")]
    public static int Leaks(LeakGroup* groups, int max, long* totalBytes, long* totalBlocks)
    {
        int n = 0;
        *totalBytes = 0;
        *totalBlocks = 0;
        for (int s = 0; s < Shards; s++)
        {
            Shim.ebb_shim_shard_lock(s);
            for (Header* hd = s_shards[s].Live; hd != null; hd = hd->Next)
            {
                if (s_scanned && hd->Reached != 0) continue; // still pointed to: not leaked
                *totalBytes += (long)hd->Size;
                *totalBlocks += 1;
                int i = 0;
                while (i < n && groups[i].Stack != hd->AllocStack) i++;
                if (i == n)
                {
                    if (n == max) i = max - 1;
                    else { groups[n] = default; groups[n].Stack = hd->AllocStack; groups[n].Sample = (nuint)hd + hd->UserOffset; n++; }
                }
                groups[i].Bytes += (long)hd->Size;
                groups[i].Blocks++;
            }
            Shim.ebb_shim_shard_unlock(s);
        }
        // Largest first (insertion sort: the groups are few).
        for (int i = 1; i < n; i++)
        {
            LeakGroup g = groups[i];
            int j = i - 1;
            while (j >= 0 && groups[j].Bytes < g.Bytes) { groups[j + 1] = groups[j]; j--; }
            groups[j + 1] = g;
        }
        return n;
    }
}
