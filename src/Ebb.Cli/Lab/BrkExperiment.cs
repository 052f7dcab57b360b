using Ebb.Cli.Interop;
namespace Ebb.Cli.Lab;

/// <summary>What <c>ebb lab brk</c> demonstrates, measured.</summary>
/// <param name="BreakBefore">The program break at the start (<c>sbrk(0)</c>).</param>
/// <param name="Increment">How far the break was moved (128 bytes).</param>
/// <param name="BreakAfter">The program break after moving it.</param>
/// <param name="HeapLineBefore">The <c>[heap]</c> line of maps before (null: there was none).</param>
/// <param name="HeapLineAfter">The <c>[heap]</c> line after.</param>
/// <param name="HeapEndBefore">The end of <c>[heap]</c> before (0: none).</param>
/// <param name="HeapEndAfter">The end of <c>[heap]</c> after.</param>
/// <param name="PageSize">The page size.</param>
/// <param name="FreePages">Pages of the second part's region that are free (under the live one).</param>
/// <param name="RegionStart">Where the second part's region starts (page-aligned, above the break).</param>
/// <param name="TopBreak">The break at the top of that region.</param>
/// <param name="ResidentTouched">Resident pages of the region after writing every page.</param>
/// <param name="HeapRssTouchedKb">Rss of <c>[heap]</c> (smaps) after writing every page.</param>
/// <param name="LowestBreakKeepingLive">The lowest break that keeps the live page: its end.</param>
/// <param name="ResidentAfterMadvise">Resident pages of the region after MADV_DONTNEED on the free pages.</param>
/// <param name="HeapRssAfterMadviseKb">Rss of <c>[heap]</c> after that.</param>
/// <param name="BreakAfterMadvise">The break after madvise (unchanged).</param>
/// <param name="LiveValueIntact">The live page still holds what was written to it.</param>
/// <param name="Restored">The break was put back exactly where it was found.</param>
public sealed record BrkFacts(
    ulong BreakBefore, ulong Increment, ulong BreakAfter,
    string? HeapLineBefore, string? HeapLineAfter, ulong HeapEndBefore, ulong HeapEndAfter, int PageSize,
    int FreePages, ulong RegionStart, ulong TopBreak, long ResidentTouched, ulong HeapRssTouchedKb,
    ulong LowestBreakKeepingLive, long ResidentAfterMadvise, ulong HeapRssAfterMadviseKb, ulong BreakAfterMadvise,
    bool LiveValueIntact, bool Restored)
{
    /// <summary>The break rounded up to a page: <c>(addr + 4095) &amp; ~4095</c>, where <c>[heap]</c> must end.</summary>
    public ulong RoundedBreakAfter => (BreakAfter + (ulong)PageSize - 1) & ~((ulong)PageSize - 1);

    /// <summary>The end of the live page, which is the top of the region.</summary>
    public ulong LiveEnd => RegionStart + (ulong)(FreePages + 1) * (ulong)PageSize;
}

/// <summary>
/// The program break experiment: move it with sbrk, watch <c>[heap]</c> follow to the next
/// page; then show that free pages under a live one can go back only with madvise.
/// </summary>
/// <remarks>
/// glibc's malloc grows its main heap with the same break, so the break is moved only
/// through libc's <c>sbrk</c> (which keeps libc's cached break right, so malloc stays
/// coherent) and is lowered again only if it is still exactly where this code left it.
/// Even so, run it in a child process (<see cref="BrkLab"/> does): in a test host, with
/// dozens of threads, glibc runs out of arenas and threads share the main heap.
/// </remarks>
public static unsafe class BrkExperiment
{
    /// <summary>How far the first part moves the break.</summary>
    public const int Increment = 128;

    /// <summary>Pages freed under the live page in the second part (1 MiB).</summary>
    public const int FreePages = 256;

    /// <summary>Runs the experiment in this process, on a thread of its own. See the remarks on the class.</summary>
    /// <exception cref="InvalidOperationException">The break moved under the experiment (another thread's malloc); the break was left alone.</exception>
    public static BrkFacts Measure()
    {
        // A new thread gets a malloc arena of its own (an mmap'd one), so what the JIT and the
        // runtime malloc while the experiment runs does not come from the main heap, which
        // would move the break under it. The main thread waits and mallocs nothing meanwhile.
        BrkFacts? facts = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { facts = MeasureHere(); }
            catch (Exception e) { failure = e; }
        }, 1 << 20) { Name = "ebb lab brk" };
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure;
        return facts!;
    }

    private static BrkFacts MeasureHere()
    {
        int page = Environment.SystemPageSize;
        WarmUp();

        // Part 1: 128 bytes more, and the kernel maps a whole page.
        var before = SelfMaps.Read();
        ulong b0 = (ulong)Libc.Sbrk(0);
        Libc.Sbrk(Increment);
        ulong b1 = (ulong)Libc.Sbrk(0);
        var after = SelfMaps.Read();
        var heap0 = SelfMaps.Heap(before);
        var heap1 = SelfMaps.Heap(after);
        LowerTo(b1, b0);

        // Part 2: a region above the break, FreePages pages then one live page on top.
        ulong start = (b0 + (ulong)page - 1) & ~((ulong)page - 1);
        ulong top = start + (ulong)(FreePages + 1) * (ulong)page;
        Libc.Sbrk((nint)(top - b0));
        if ((ulong)Libc.CurrentBreak != top) throw new InvalidOperationException("the break moved under the experiment");
        for (ulong p = start; p < top; p += (ulong)page) *(long*)p = (long)p;
        long residentTouched = SelfMaps.ResidentPages(start, top - start);
        ulong rssTouched = SelfMaps.SmapsContaining(start)?.RssKb ?? 0;
        // The free pages are all below the live one: the lowest break that keeps it is its end, the top.
        ulong liveStart = top - (ulong)page;
        ulong lowest = liveStart + (ulong)page;
        Libc.Advise((nint)start, (nuint)(liveStart - start), Libc.MADV_DONTNEED);
        long residentAfter = SelfMaps.ResidentPages(start, top - start);
        ulong rssAfter = SelfMaps.SmapsContaining(start)?.RssKb ?? 0;
        ulong breakAfterMadvise = (ulong)Libc.CurrentBreak;
        bool intact = *(long*)liveStart == (long)liveStart;
        bool restored = LowerTo(top, b0);

        return new BrkFacts(b0, Increment, b1,
            heap0?.ToString(), heap1?.ToString(), heap0?.End ?? 0, heap1?.End ?? 0, page,
            FreePages, start, top, residentTouched, rssTouched,
            lowest, residentAfter, rssAfter, breakAfterMadvise, intact, restored);
    }

    // Runs every reader once before the break moves, so that the JIT and the runtime do their
    // first-call mallocs now: a malloc on this thread that had to grow the main heap while the
    // break is ours would move the break above the experiment, and then it cannot be put back.
    private static void WarmUp()
    {
        ulong b = (ulong)Libc.Sbrk(0);
        SelfMaps.Heap(SelfMaps.Read());
        SelfMaps.SmapsContaining(b);
        SelfMaps.ResidentPages(b, 4 << 20);
        LowerTo(b + 1, b + 1);
        _ = (ulong)Libc.CurrentBreak;
    }

    // Lowers the break from `expected` to `target`, but only if nobody moved it meanwhile
    // (then the memory above `expected` is someone else's, and a leak beats a crash).
    private static bool LowerTo(ulong expected, ulong target)
    {
        if ((ulong)Libc.CurrentBreak != expected) return false;
        Libc.Sbrk(-(nint)(expected - target));
        return (ulong)Libc.CurrentBreak == target;
    }
}
