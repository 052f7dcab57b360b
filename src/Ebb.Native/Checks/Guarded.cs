using System.Diagnostics;
using System.Runtime;
using Ebb.NativeHost;
using OsNative = Ebb.Os.Native;
using Ebb.Os;

namespace Ebb.Checks;

/// <summary>
/// libebb.so's guarded modes. <c>EBB_GUARD=all</c> (Electric Fence's guarantee): every block on
/// pages of its own, right-aligned against an inaccessible guard page, its pages made
/// inaccessible by the free before it returns and kept so (oldest given back first once they
/// exceed EBB_GUARD_BUDGET_MB). <c>EBB_GUARD=sample:N</c> (GWP-ASan's way): about one block in N
/// (the shim counts down) takes one of EBB_GUARD_SLOTS one-page slots between guard pages; its
/// free closes the slot at once, and closed slots are reused oldest first. An overflow past the
/// block, or any access after its free, faults at the instruction; the shim's SIGSEGV handler
/// asks <see cref="Describe"/> what the address was.
/// <para>
/// Both lay their blocks in one reservation (PROT_NONE, named in /proc/PID/maps by the address
/// only), so "is this ours" is a range check, and a table with one entry per page names the
/// block a page belongs to (its data pages and its guard page), which free and the fault
/// handler read without touching the (possibly inaccessible) pages themselves.
/// </para>
/// </summary>
internal static unsafe class Guarded
{
    private const nuint Page = 4096;
    private const uint Live = 1, Closed = 2;
    private const byte LeftFill = 0xFA, RightFill = 0xFB, JunkFill = 0xAA;

    private struct Rec
    {
        public nuint Start;   // first data page
        public nuint Pages;   // data pages (the guard page follows)
        public nuint User;
        public nuint Size;
        public uint State;
        public uint AllocStack, FreeStack;
        public int AllocTid, FreeTid;
        public uint QNext;    // the closed FIFO, or the free list of records (index + 1)
        public uint Pad;
    }

    private static bool s_sample;
    private static nuint s_minAlign = 1;
    private static nuint s_base, s_bytes, s_bump;
    private static uint* s_pageRec;
    private static Rec* s_recs;
    private static uint s_recCap, s_recUsed, s_recFree;
    private static uint s_qHead, s_qTail;
    private static nuint s_closedPages, s_budgetPages;
    // Released runs of one data page and its guard, for reuse (all mode): a stack of page
    // addresses, bit 0 set on a run still resident (not given back with MADV_DONTNEED), which
    // saves the next block on it a system call and a page fault. At most DirtyRunCap are kept
    // resident, so a program that freed many guarded blocks gets its memory back.
    private const nuint DirtyRunCap = 4096;
    private static nuint* s_oneRuns;
    private static nuint s_oneCount, s_oneCap, s_dirtyRuns;

    private static nint Map(nuint bytes, int prot) => OsNative.mmap(0, bytes, prot, 0x22 | 0x4000, -1, 0);

    /// <summary>Reserves the region: sample mode <paramref name="slots"/> slots; all mode 64 GiB of address space. False when refused.</summary>
    [RuntimeExport("ebb_guard_init")]
    public static int Init(int sample, int slots, nuint budgetBytes, nuint minAlign)
    {
        s_minAlign = minAlign;
        s_sample = sample != 0;
        s_bytes = s_sample ? (nuint)(2 * slots + 1) * Page : (nuint)64 << 30;
        s_recCap = s_sample ? (uint)slots : 1u << 20;
        s_budgetPages = budgetBytes / Page;
        nint b = Map(s_bytes, 0);
        nint t = Map(s_bytes / Page * sizeof(uint), 3);
        nint r = Map((nuint)s_recCap * (nuint)sizeof(Rec), 3);
        s_oneCap = s_recCap;
        nint o = s_sample ? 0 : Map(s_oneCap * (nuint)sizeof(nuint), 3);
        if (b == -1 || t == -1 || r == -1 || o == -1) return 0;
        s_base = (nuint)b;
        s_pageRec = (uint*)t;
        s_recs = (Rec*)r;
        s_oneRuns = (nuint*)o;
        s_bump = Page; // the region's first page stays a guard page: an underflow of the first block faults too
        return 1;
    }

    /// <summary>The region's bounds, so the shim's sampled-mode free tests them inline (0, 0 before <see cref="Init"/>).</summary>
    [RuntimeExport("ebb_guard_region")]
    public static void Region(nuint* start, nuint* bytes)
    {
        *start = s_base;
        *bytes = s_base == 0 ? 0 : s_bytes;
    }

    [RuntimeExport("ebb_guard_owns")]
    public static int Owns(void* p) => (nuint)p - s_base < s_bytes ? 1 : 0;

    private static uint PageIndex(nuint a) => (uint)((a - s_base) / Page);

    /// <summary>A guarded block, or null (no slot, no address space, or the system refused: the shim then allocates an ordinary block).</summary>
    [RuntimeExport("ebb_guard_malloc")]
    public static void* Malloc(nuint size, nuint align, int zero, uint stack, int tid)
    {
        // (A size near SIZE_MAX would wrap the rounding below: larger than the region is not guarded.)
        if (s_base == 0 || align > Page || size > s_bytes / 2) return null;
        // sample: malloc's 16-byte promise kept, so a sampled block behaves as any other. all: the
        // largest power of two dividing the size, at most 16 and at least EBB_GUARD_ALIGN (16 by
        // default: C programs rely on it; CPython fails below 2), so with EBB_GUARD_ALIGN=1 one
        // byte past any block faults, as Electric Fence's EF_ALIGNMENT=1. Slack is checked at free.
        nuint a = align > 16 ? align : s_sample ? 16 : size == 0 ? 16 : Math.Max(s_minAlign, Math.Min((nuint)16, size & (0 - size)));
        nuint d = (size + a - 1) & ~(a - 1);
        if (d == 0) d = a;
        nuint pages = (d + Page - 1) / Page;
        if (s_sample && pages > 1) return null;

        Shim.ebb_shim_check_lock();
        uint idx = TakeRecord(pages, out nuint start, out bool dirty);
        Shim.ebb_shim_check_unlock();
        if (idx == 0) return null;
        if (OsNative.mprotect((nint)start, pages * Page, 3) != 0)
        {
            Shim.ebb_shim_check_lock();
            Retire(idx);
            Shim.ebb_shim_check_unlock();
            return null;
        }
        Rec* rec = &s_recs[idx - 1];
        nuint end = start + pages * Page;
        nuint user = end - d;
        rec->Start = start;
        rec->Pages = pages;
        rec->User = user;
        rec->Size = size;
        rec->AllocStack = stack;
        rec->AllocTid = tid;
        rec->FreeStack = 0;
        rec->FreeTid = 0;
        nuint firstPage = user & ~(Page - 1);
        Pattern.Fill((byte*)firstPage, user - firstPage, LeftFill);
        Pattern.Fill((byte*)user + size, end - user - size, RightFill);
        // Pages fresh from the reservation (or given back with MADV_DONTNEED) read as zeros; a reused sample slot or resident run does not.
        if (zero == 0) Pattern.Fill((byte*)user, size, JunkFill);
        else if (s_sample || dirty) Pattern.Fill((byte*)user, size, 0);
        uint first = PageIndex(start);
        for (nuint i = 0; i <= pages; i++) Volatile.Write(ref *(int*)&s_pageRec[first + i], (int)idx);
        Volatile.Write(ref *(int*)&rec->State, (int)Live);
        return (void*)user;
    }

    /// <summary>A record and its pages (under the check lock): 0 when none.</summary>
    private static uint TakeRecord(nuint pages, out nuint start, out bool dirty)
    {
        start = 0;
        dirty = false;
        if (s_sample)
        {
            uint idx;
            if (s_recUsed < s_recCap) idx = ++s_recUsed;
            else if (s_qHead != 0) { idx = s_qHead; s_qHead = s_recs[idx - 1].QNext; if (s_qHead == 0) s_qTail = 0; }
            else return 0;
            start = s_base + (nuint)(2 * idx - 1) * Page;
            s_recs[idx - 1].State = 0;
            return idx;
        }
        uint r;
        if (s_recFree != 0) { r = s_recFree; s_recFree = s_recs[r - 1].QNext; }
        else if (s_recUsed < s_recCap) r = ++s_recUsed;
        else return 0;
        if (pages == 1 && s_oneCount > 0)
        {
            nuint e = s_oneRuns[--s_oneCount];
            dirty = (e & 1) != 0;
            if (dirty) s_dirtyRuns--;
            start = e & ~(nuint)1;
        }
        else if (s_bump + (pages + 1) * Page <= s_bytes) { start = s_base + s_bump; s_bump += (pages + 1) * Page; }
        else { s_recs[r - 1].QNext = s_recFree; s_recFree = r; return 0; }
        s_recs[r - 1].State = 0;
        s_recs[r - 1].Start = start;
        s_recs[r - 1].Pages = pages;
        return r;
    }

    /// <summary>Gives a record's pages back (all mode; under the check lock): emptied, left inaccessible, reusable.</summary>
    private static void Retire(uint idx)
    {
        Rec* rec = &s_recs[idx - 1];
        if (s_sample)
        {
            // Back at the FIFO's head: taken next.
            rec->QNext = s_qHead;
            s_qHead = idx;
            if (s_qTail == 0) s_qTail = idx;
            return;
        }
        uint first = PageIndex(rec->Start);
        for (nuint i = 0; i <= rec->Pages; i++) s_pageRec[first + i] = 0;
        bool reusable = rec->Pages == 1 && s_oneCount < s_oneCap;
        if (reusable && s_dirtyRuns < DirtyRunCap)
        {
            s_oneRuns[s_oneCount++] = rec->Start | 1;
            s_dirtyRuns++;
        }
        else
        {
            OsNative.madvise((nint)rec->Start, rec->Pages * Page, 4);
            if (reusable) s_oneRuns[s_oneCount++] = rec->Start;
        }
        Debug.Assert(s_dirtyRuns <= DirtyRunCap && s_dirtyRuns <= s_oneCount);
        rec->State = 0;
        rec->QNext = s_recFree;
        s_recFree = idx;
    }

    private static Rec* RecordAt(nuint a)
    {
        uint idx = (uint)Volatile.Read(ref *(int*)&s_pageRec[PageIndex(a)]);
        return idx == 0 ? null : &s_recs[idx - 1];
    }

    /// <summary>Frees guarded block <paramref name="p"/> (the shim checked <see cref="Owns"/>): 0, or an error kind with <paramref name="r"/> filled.</summary>
    [RuntimeExport("ebb_guard_free")]
    public static int Free(void* p, uint stack, int tid, CheckReport* r)
    {
        *r = default;
        r->When = Found.AtFree;
        nuint a = (nuint)p;
        r->Address = a;
        Rec* rec = RecordAt(a);
        if (rec == null) { r->Kind = ErrorKind.InvalidFree; return ErrorKind.InvalidFree; }
        Fillin(rec, r);
        if (rec->User != a) { r->Kind = ErrorKind.InvalidFree; return ErrorKind.InvalidFree; }
        if (Interlocked.CompareExchange(ref *(int*)&rec->State, (int)Closed, (int)Live) != (int)Live)
        {
            r->Kind = ErrorKind.DoubleFree;
            return ErrorKind.DoubleFree;
        }
        // The slack on either side of the block, inside its pages: written over without faulting.
        nuint end = rec->Start + rec->Pages * Page, firstPage = a & ~(Page - 1);
        if (Pattern.Changed((byte*)a + rec->Size, end - a - rec->Size, RightFill, out long f, out long l))
            return Report(rec, r, ErrorKind.Overflow, (long)rec->Size + f, (long)rec->Size + l);
        if (Pattern.Changed((byte*)firstPage, a - firstPage, LeftFill, out f, out l))
            return Report(rec, r, ErrorKind.Underflow, f - (long)(a - firstPage), l - (long)(a - firstPage));
        rec->FreeStack = stack;
        rec->FreeTid = tid;
        // Inaccessible before free returns: a use after free faults at once.
        OsNative.mprotect((nint)rec->Start, rec->Pages * Page, 0);
        uint idx = (uint)(rec - s_recs) + 1;
        Shim.ebb_shim_check_lock();
        rec->QNext = 0;
        if (s_qTail != 0) s_recs[s_qTail - 1].QNext = idx; else s_qHead = idx;
        s_qTail = idx;
        if (!s_sample)
        {
            s_closedPages += rec->Pages + 1;
            while (s_closedPages > s_budgetPages && s_qHead != 0)
            {
                uint old = s_qHead;
                s_qHead = s_recs[old - 1].QNext;
                if (s_qHead == 0) s_qTail = 0;
                s_closedPages -= s_recs[old - 1].Pages + 1;
                Retire(old);
            }
        }
        Shim.ebb_shim_check_unlock();
        return 0;
    }

    private static int Report(Rec* rec, CheckReport* r, int kind, long first, long last)
    {
        r->Kind = kind;
        r->First = first;
        r->Last = last;
        r->Address = (nuint)((long)rec->User + first);
        r->Access = 2;
        return kind;
    }

    private static void Fillin(Rec* rec, CheckReport* r)
    {
        r->Block = rec->User;
        r->Size = rec->Size;
        r->AllocStack = rec->AllocStack;
        r->AllocTid = rec->AllocTid;
        r->FreeStack = rec->FreeStack;
        r->FreeTid = rec->FreeTid;
    }

    /// <summary>The requested size of live guarded block <paramref name="p"/>, or 0 with the error in <paramref name="r"/>.</summary>
    [RuntimeExport("ebb_guard_size")]
    public static nuint SizeOf(void* p, CheckReport* r)
    {
        *r = default;
        r->Address = (nuint)p;
        Rec* rec = RecordAt((nuint)p);
        if (rec == null || rec->User != (nuint)p) { r->Kind = ErrorKind.InvalidFree; if (rec != null) Fillin(rec, r); return 0; }
        Fillin(rec, r);
        if (Volatile.Read(ref *(int*)&rec->State) != (int)Live) { r->Kind = ErrorKind.DoubleFree; return 0; }
        return rec->Size;
    }

    /// <summary>
    /// For the SIGSEGV handler (reads tables only: async-signal-safe): what the fault at
    /// <paramref name="addr"/> hit. 1 and <paramref name="r"/> filled when it is in the region.
    /// </summary>
    [RuntimeExport("ebb_guard_describe")]
    public static int Describe(nuint addr, CheckReport* r)
    {
        *r = default;
        if (s_base == 0 || addr - s_base >= s_bytes) return 0;
        r->Address = addr;
        r->When = Found.AtFault;
        Rec* rec = RecordAt(addr);
        if (s_sample)
        {
            // Slot i's data page is page 2i-1; a guard page (even) belongs to the nearer block:
            // the one on its left if that block ends against it (an overflow), else the right one.
            nuint page = (addr - s_base) / Page;
            if ((page & 1) == 0)
            {
                Rec* left = page >= 2 ? RecordAt(addr - Page) : null;
                Rec* right = page + 1 < s_bytes / Page ? RecordAt(addr + Page) : null;
                rec = left != null && left->State != 0 ? left : right;
            }
        }
        if (rec == null || rec->State == 0) { r->Kind = ErrorKind.Foreign; return 1; }
        Fillin(rec, r);
        r->First = (long)(addr - rec->User);
        r->Last = r->First;
        if (rec->State == Closed) r->Kind = ErrorKind.UseAfterFree;
        else r->Kind = addr >= rec->User ? ErrorKind.Overflow : ErrorKind.Underflow;
        return 1;
    }
}
