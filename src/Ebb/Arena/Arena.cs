using Ebb.Heap;
using Ebb.Os;

namespace Ebb.Arena;

/// <summary>
/// The arena: chunks cut into 64 KiB slices, handed out as spans (a page of blocks or
/// one large block) and taken back. Free slices stay resident ("dirty") until the purge
/// delay has passed, so a page freed and soon needed again costs no system call; then
/// they are purged with madvise. Everything here runs under <see cref="ArenaLock"/>, on slow
/// paths only (a span is thousands of allocations).
/// </summary>
internal static unsafe class Arena
{

    private static Chunk* s_first, s_last;
    private static volatile bool s_initialized;

    /// <summary>Bytes in spans in use (chunk headers included) and in huge mappings.</summary>
    public static long CommittedBytes;
    /// <summary>Highest <see cref="CommittedBytes"/> seen.</summary>
    public static long PeakCommittedBytes;
    /// <summary>Bytes in free slices not yet purged.</summary>
    public static long DirtyBytes;
    /// <summary>Bytes purged so far, and how many madvise calls it took.</summary>
    public static long PurgedBytes, PurgeCalls;

    /// <summary>Whether <see cref="Initialize"/> has run.</summary>
    public static bool IsInitialized => s_initialized;

    /// <summary>Milliseconds since an arbitrary start, the clock of the purge delay.</summary>
    public static int Now => Clock.NowMs;

    /// <summary>
    /// Sets the arena up (the chunk and page maps, the empty page) with the <see cref="Settings"/>
    /// the host filled in; once. The host calls it before its first allocation; the core's own
    /// entries (a heap rented, a huge block) call it too, in case a host path did not.
    /// </summary>
    public static void Initialize()
    {
        if (s_initialized) return;
        using (ArenaLock.Hold())
        {
            if (s_initialized) return;
            ChunkMap.Init();
            PageMap.Init();
            EmptyPage.InitLocked();
            s_initialized = true;
        }
    }

    /// <summary>Prints a verbose line through the host, when verbose.</summary>
    public static void Log(LogEvent e, nuint a = 0, nuint b = 0, nuint c = 0)
    {
        if (Settings.Verbose) Host.Log(e, a, b, c);
    }

    /// <summary>A span of <paramref name="slices"/> slices, or null when out of memory. <paramref name="zero"/> tells whether all its bytes are known zero.</summary>
    public static Page* AllocSpan(uint slices, out bool zero)
    {
        using (ArenaLock.Hold())
        {
            Chunk* bestChunk = null;
            int bestStart = -1;
            long bestScore = long.MaxValue;
            for (Chunk* c = s_first; c != null; c = c->Next)
            {
                long score = FindRun(c, (int)slices, out int start);
                if (score < bestScore) { bestScore = score; bestChunk = c; bestStart = start; }
                if (score == 0) break;
            }
            if (bestChunk != null) return Take(bestChunk, bestStart, (int)slices, out zero);
            Chunk* fresh = NewChunk();
            if (fresh == null) { zero = false; return null; }
            FindRun(fresh, (int)slices, out int at);
            return Take(fresh, at, (int)slices, out zero);
        }
    }

    /// <summary>Gives a span back. The caller has unlinked it from every list.</summary>
    public static void FreeSpan(Page* head)
    {
        using (ArenaLock.Hold()) FreeSpanLocked(head);
    }

    public static void FreeSpanLocked(Page* head)
    {
        Chunk* c = Page.ChunkOf(head);
        int start = Page.SliceIndex(head), n = (int)head->SliceCount;
        int now = Now;
        Page** map = Chunk.SliceMap(c);
        for (int i = start; i < start + n; i++)
        {
            Page* p = Chunk.PageAt(c, i);
            *p = default;
            p->LocalHeap = HeapState.None;
            p->FreedAt = now;
            map[i] = p;
            Chunk.Reset(c->Used, i);
            Chunk.Set(c->Dirty, i);
        }
        c->UsedSlices -= n;
        long bytes = (long)n << Layout.SliceShift;
        CommittedBytes -= bytes;
        DirtyBytes += bytes;
        if (Settings.PurgeDelayMs == 0) PurgeLocked(all: true);
        else if (Settings.PurgeDelayMs > 0) Host.WakePurger();
    }

    private static Page* Take(Chunk* c, int start, int n, out bool zero)
    {
        zero = true;
        Page* head = Chunk.PageAt(c, start);
        Page** map = Chunk.SliceMap(c);
        long dirty = 0;
        for (int i = start; i < start + n; i++)
        {
            if (!Chunk.Test(c->Zero, i)) zero = false;
            if (Chunk.Test(c->Dirty, i)) dirty++;
            Chunk.Set(c->Used, i);
            Chunk.Reset(c->Dirty, i);
            Chunk.Reset(c->Zero, i);
            map[i] = head;
        }
        head->SliceCount = (uint)n;
        c->UsedSlices += n;
        DirtyBytes -= dirty << Layout.SliceShift;
        CommittedBytes += (long)n << Layout.SliceShift;
        if (CommittedBytes > PeakCommittedBytes) PeakCommittedBytes = CommittedBytes;
        return head;
    }

    /// <summary>
    /// The best place for <paramref name="n"/> free slices in the chunk: its score (lower is
    /// better; long.MaxValue when none fits) and its first slice. Best fit among the maximal
    /// runs of free slices, so a span goes into the smallest hole that holds it and big runs
    /// stay whole (first fit left holes of a few dirty slices that no later span fitted, resident
    /// until purged); among runs that fit equally well, the one whose first n slices are most
    /// often dirty (resident already: reusing them costs no new memory and no page faults).
    /// A hole that fits exactly and is all dirty scores 0.
    /// </summary>
    private static long FindRun(Chunk* c, int n, out int start)
    {
        start = -1;
        if (Layout.SlicesPerChunk - c->UsedSlices < n) return long.MaxValue;
        long best = long.MaxValue;
        int i = Layout.HeaderSlices;
        while (i < Layout.SlicesPerChunk)
        {
            if (Chunk.Test(c->Used, i))
            {
                // Skip the rest of a word that is all used.
                if ((i & 63) == 0 && c->Used[i >> 6] == ulong.MaxValue) i += 64; else i++;
                continue;
            }
            int runStart = i;
            while (i < Layout.SlicesPerChunk && !Chunk.Test(c->Used, i)) i++;
            int length = i - runStart;
            if (length < n) continue;
            int dirty = 0;
            for (int k = runStart; k < runStart + n; k++) if (Chunk.Test(c->Dirty, k)) dirty++;
            long score = (long)(length - n) * (Layout.SlicesPerChunk + 1) + (n - dirty);
            if (score < best)
            {
                best = score;
                start = runStart;
                if (score == 0) break;
            }
        }
        return best;
    }

    private static Chunk* NewChunk()
    {
        nuint b = ChunkSource.Take(Settings.PageSource);
        if (b == 0) return null;
        Chunk* c = (Chunk*)b;
        c->Source = (int)Settings.PageSource;
        Page** map = Chunk.SliceMap(c);
        for (int i = 0; i < Layout.SlicesPerChunk; i++)
        {
            Page* p = Chunk.PageAt(c, i);
            p->LocalHeap = HeapState.None;
            map[i] = p;
            if (i < Layout.HeaderSlices)
            {
                p->Kind = PageKind.Header;
                Chunk.Set(c->Used, i);
            }
            else Chunk.Set(c->Zero, i);
        }
        c->UsedSlices = Layout.HeaderSlices;
        CommittedBytes += (long)Layout.HeaderSlices << Layout.SliceShift;
        if (s_last == null) s_first = c; else s_last->Next = c;
        s_last = c;
        ChunkMap.Set(b, Layout.ChunkSize, ChunkMap.Chunk, ChunkMap.Chunk);
        return c;
    }

    /// <summary>Purges free slices that have waited the purge delay (all of them when <paramref name="all"/>). Returns ms until the next is due, or -1 when none waits.</summary>
    public static int Purge(bool all)
    {
        using (ArenaLock.Hold()) return PurgeLocked(all);
    }

    public static int PurgeLocked(bool all)
    {
        int now = Now, delay = Math.Max(0, Settings.PurgeDelayMs), next = -1;
        bool dontNeed = Settings.Purge == EbbPurgeMode.DontNeed;
        for (Chunk* c = s_first; c != null; c = c->Next)
        {
            int runStart = -1;
            for (int i = Layout.HeaderSlices; i <= Layout.SlicesPerChunk; i++)
            {
                bool due = false;
                if (i < Layout.SlicesPerChunk && Chunk.Test(c->Dirty, i))
                {
                    int age = now - Chunk.PageAt(c, i)->FreedAt;
                    if (all || age >= delay) due = true;
                    else
                    {
                        int wait = delay - age;
                        if (next < 0 || wait < next) next = wait;
                    }
                }
                if (due) { if (runStart < 0) runStart = i; continue; }
                if (runStart >= 0) { PurgeRun(c, runStart, i - runStart, dontNeed); runStart = -1; }
            }
        }
        ReleaseFreeBrkChunks();
        return next;
    }

    private static void PurgeRun(Chunk* c, int start, int n, bool dontNeed)
    {
        nuint addr = Chunk.SliceAddress(c, start), len = (nuint)n << Layout.SliceShift;
        bool ok = dontNeed
            ? OsMemory.TryAdvise((nint)addr, len, Advice.DontNeed)
            : OsMemory.TryAdvise((nint)addr, len, Advice.Free) || OsMemory.TryAdvise((nint)addr, len, Advice.DontNeed);
        if (!ok) return;
        for (int i = start; i < start + n; i++)
        {
            Chunk.Reset(c->Dirty, i);
            if (dontNeed) Chunk.Set(c->Zero, i);
        }
        DirtyBytes -= (long)len;
        PurgedBytes += (long)len;
        PurgeCalls++;
    }

    /// <summary>brk source: a wholly free chunk at the top of the break goes back by lowering the break, repeatedly.</summary>
    private static void ReleaseFreeBrkChunks()
    {
        while (s_last != null && s_last->Source == (int)EbbPageSource.Brk && s_last->UsedSlices == Layout.HeaderSlices)
        {
            Chunk* top = s_last;
            long dirty = 0;
            for (int i = 0; i < Layout.SlicesPerChunk; i++) if (Chunk.Test(top->Dirty, i)) dirty++;
            // The chunk map entry goes first: from here on nobody may take the chunk's header for live.
            ChunkMap.Clear((nuint)top, Layout.ChunkSize);
            PageMap.Clear(top);
            if (!ChunkSource.TryReleaseBrkChunk((nuint)top))
            {
                // Still ours and wholly free: every slice maps to its own descriptor again.
                Page** map = Chunk.SliceMap(top);
                for (int i = 0; i < Layout.SlicesPerChunk; i++) map[i] = Chunk.PageAt(top, i);
                ChunkMap.Set((nuint)top, Layout.ChunkSize, ChunkMap.Chunk, ChunkMap.Chunk);
                return;
            }
            CommittedBytes -= (long)Layout.HeaderSlices << Layout.SliceShift;
            DirtyBytes -= dirty << Layout.SliceShift;
            Chunk* prev = null;
            for (Chunk* c = s_first; c != top; c = c->Next) prev = c;
            s_last = prev;
            if (prev == null) s_first = null; else prev->Next = null;
        }
    }

    /// <summary>
    /// Gives back the address space of every wholly free chunk taken from mmap regions, and the
    /// part of the current region no chunk was taken from yet (for <c>Trim</c>). A free chunk's
    /// slices are purged already, but its reservation would otherwise stay for good: after a burst
    /// of huge blocks up to an address-space limit, the regions left behind held the room the next
    /// burst needed. The chunk map and page map entries go first, so from then on no lookup reaches
    /// the header; then the chunk leaves the list and is unmapped.
    /// </summary>
    public static void ReleaseFreeChunks()
    {
        using (ArenaLock.Hold())
        {
            Chunk* prev = null;
            for (Chunk* c = s_first; c != null;)
            {
                Chunk* next = c->Next;
                if (c->Source != (int)EbbPageSource.Mmap || c->UsedSlices != Layout.HeaderSlices)
                {
                    prev = c;
                    c = next;
                    continue;
                }
                long dirty = 0;
                for (int i = Layout.HeaderSlices; i < Layout.SlicesPerChunk; i++) if (Chunk.Test(c->Dirty, i)) dirty++;
                ChunkMap.Clear((nuint)c, Layout.ChunkSize);
                PageMap.Clear(c);
                if (prev == null) s_first = next; else prev->Next = next;
                if (s_last == c) s_last = prev;
                CommittedBytes -= (long)Layout.HeaderSlices << Layout.SliceShift;
                DirtyBytes -= dirty << Layout.SliceShift;
                ChunkSource.ReleaseChunk((nuint)c);
                c = next;
            }
            ChunkSource.ReleaseUnusedRegion();
        }
    }

    /// <summary>Calls <paramref name="visit"/> for every chunk, under the lock.</summary>
    public static void ForEachChunk(delegate*<Chunk*, void> visit)
    {
        using (ArenaLock.Hold())
            for (Chunk* c = s_first; c != null; c = c->Next) visit(c);
    }

    /// <summary>The first chunk (the caller holds the lock).</summary>
    public static Chunk* FirstChunk => s_first;
}
