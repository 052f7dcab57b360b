using Ebb.Cli.Interop;
using System.Diagnostics;
using Ebb.Os;
using Ebb.Proc;

namespace Ebb.Cli.Tour;

/// <summary>The process's memory at one moment, as the allocator chapter shows it.</summary>
/// <param name="Rss">VmRSS, bytes.</param>
/// <param name="RssAnon">RssAnon, bytes.</param>
/// <param name="Mappings">Number of lines in /proc/self/maps.</param>
/// <param name="EbbRegions">Ebb's mappings (named <c>[anon:ebb]</c>, or holding one of the blocks).</param>
/// <param name="Break">The program break.</param>
public sealed record MemoryPoint(long Rss, long RssAnon, int Mappings, IReadOnlyList<MapEntry> EbbRegions, ulong Break)
{
    /// <summary>Bytes of address space in Ebb's mappings.</summary>
    public long EbbBytes => EbbRegions.Sum(e => (long)e.Size);
}

/// <summary>The system calls Ebb made during a step, from the Os counters.</summary>
public sealed record OsCallCounts(long Madvise, long MadviseBytes, long Munmap, long MunmapBytes, long Brk, long BrkBytes)
{
    /// <summary>The difference of two snapshots.</summary>
    public static OsCallCounts From(OsCountersSnapshot d) =>
        new(d.Calls(OsCall.Madvise), d.Bytes(OsCall.Madvise), d.Calls(OsCall.Munmap), d.Bytes(OsCall.Munmap), d.Calls(OsCall.Brk), d.Bytes(OsCall.Brk));
}

/// <summary>What the mmap half of the chapter measured.</summary>
public sealed record MmapTourRun(
    long BlockSize, long Blocks, int PurgeDelayMs,
    MemoryPoint Before, MemoryPoint AfterAlloc, double AllocSeconds,
    MemoryPoint AfterFree, OsCallCounts FreeCalls,
    MemoryPoint AfterPurge, double PurgeSeconds, OsCallCounts PurgeCalls);

/// <summary>What the brk half measured (in a child process whose Ebb takes its pages from the break).</summary>
public sealed record BrkTourRun(
    long BlockSize, long Blocks,
    MemoryPoint Before, MemoryPoint AfterAlloc,
    MemoryPoint AfterFreeBelow, double BelowSeconds, OsCallCounts BelowCalls,
    MemoryPoint AfterFreeTop, double TopSeconds, OsCallCounts TopCalls,
    MemoryPoint AfterTrim);

/// <summary>
/// The allocator chapter's measurements: allocate many small blocks through EbbMemory, free
/// them, and watch RSS, the maps and the program break. The blocks are chained through their
/// own first word, so the run needs no side table whose pages would blur the figures.
/// </summary>
public static unsafe class AllocatorTourRun
{
    /// <summary>The size of every block: small (a size-class page block), and few enough blocks to keep the chapter quick.</summary>
    public const int BlockSize = 512;

    /// <summary>How long to wait at most for the purge to bring RSS down.</summary>
    public static readonly TimeSpan PurgeWaitLimit = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait at most for the break to come down.</summary>
    public static readonly TimeSpan BreakWaitLimit = TimeSpan.FromSeconds(0.5);

    /// <summary>RSS this close to the start counts as "back".</summary>
    public const long BackWithin = 16L << 20;

    /// <summary>Reads RSS, the maps and the break; <paramref name="sample"/> (blocks, may be null) marks Ebb's unnamed regions.</summary>
    public static MemoryPoint Measure(IReadOnlyList<nint>? sample = null)
    {
        var status = StatusParser.Read("self");
        var maps = MapsParser.Read("self");
        var ebb = maps.Where(m => IsEbbs(m, sample)).ToList();
        return new MemoryPoint((long)(status.VmRSS ?? 0) * 1024, (long)(status.RssAnon ?? 0) * 1024, maps.Count, ebb, (ulong)Libc.CurrentBreak);
    }

    private static bool IsEbbs(MapEntry m, IReadOnlyList<nint>? sample) =>
        m.Name == "[anon:ebb]" || (sample != null && m.Kind != MapKind.Heap && sample.Any(p => m.Contains((ulong)p)));

    /// <summary>Allocates <paramref name="bytes"/> in blocks and returns the newest (the list's head).</summary>
    private static void* AllocChain(long bytes, List<nint> sample, TourProgress progress)
    {
        long blocks = bytes / BlockSize;
        void* head = null;
        for (long i = 0; i < blocks; i++)
        {
            void* p = EbbMemory.Alloc(BlockSize);
            *(void**)p = head;
            head = p;
            if ((i & 0xFFF) == 0)
            {
                sample.Add((nint)p);
                progress.Report(i, blocks);
            }
        }
        return head;
    }

    private static void FreeChain(void* head)
    {
        while (head != null)
        {
            void* next = *(void**)head;
            EbbMemory.Free(head);
            head = next;
        }
    }

    /// <summary>Waits until RssAnon is back within <see cref="BackWithin"/> of <paramref name="baseline"/> or the limit passes; returns the seconds waited.</summary>
    private static double WaitForPurge(long baseline)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < PurgeWaitLimit)
        {
            Thread.Sleep(20);
            var status = StatusParser.Read("self");
            if ((long)(status.RssAnon ?? 0) * 1024 <= baseline + BackWithin) break;
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static double WaitForBreakBelow(ulong pinned)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < BreakWaitLimit && (ulong)Libc.CurrentBreak >= pinned) Thread.Sleep(20);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The mmap half: allocate <paramref name="bytes"/>, free it all, wait for the purge.</summary>
    public static MmapTourRun RunMmap(TourContext context, long bytes)
    {
        int delay = EbbMemory.Options.PurgeDelayMs;
        // Settle the runtime's own memory first, so the figures are the blocks'.
        GC.Collect();
        var before = Measure();
        var sample = new List<nint>(64);
        var clock = Stopwatch.StartNew();
        void* head;
        using (var p = context.Progress($"allocating {bytes >> 20} MiB in {BlockSize}-byte blocks"))
            head = AllocChain(bytes, sample, p);
        double allocSeconds = clock.Elapsed.TotalSeconds;
        var afterAlloc = Measure(sample);

        var os0 = OsCounters.Snapshot();
        FreeChain(head);
        var afterFree = Measure(sample);
        var os1 = OsCounters.Snapshot();
        double waited;
        using (context.Progress($"waiting for the purge ({delay} ms delay)"))
            waited = WaitForPurge(before.RssAnon);
        var afterPurge = Measure(sample);
        var os2 = OsCounters.Snapshot();
        return new MmapTourRun(BlockSize, bytes / BlockSize, delay, before, afterAlloc, allocSeconds,
            afterFree, OsCallCounts.From(os1.Since(os0)), afterPurge, waited, OsCallCounts.From(os2.Since(os1)));
    }

    /// <summary>
    /// The brk half (run where Ebb's page source is brk): allocate <paramref name="bytes"/>, free
    /// everything but the newest block, which pins the top of the heap, wait; then free that one too.
    /// </summary>
    public static BrkTourRun RunBrk(TourContext context, long bytes)
    {
        GC.Collect();
        var before = Measure();
        var sample = new List<nint>(64);
        void* head;
        using (var p = context.Progress($"allocating {bytes >> 20} MiB on the brk source"))
            head = AllocChain(bytes, sample, p);
        var afterAlloc = Measure(sample);

        var os0 = OsCounters.Snapshot();
        void* below = *(void**)head;
        *(void**)head = null;
        FreeChain(below);
        double belowSeconds = WaitForPurge(before.RssAnon);
        var afterBelow = Measure(sample);
        var os1 = OsCounters.Snapshot();

        EbbMemory.Free(head);
        // The top chunk goes back once it is wholly free and purged; wait for the break to come down.
        double topSeconds = WaitForBreakBelow(afterBelow.Break);
        var afterTop = Measure(sample);
        var os2 = OsCounters.Snapshot();
        // The thread keeps a page of each size class it used, which can hold the top chunk: Trim lets it go.
        if (afterTop.Break >= afterBelow.Break)
        {
            EbbMemory.Trim();
            WaitForBreakBelow(afterBelow.Break);
        }
        var afterTrim = Measure(sample);
        return new BrkTourRun(BlockSize, bytes / BlockSize, before, afterAlloc,
            afterBelow, belowSeconds, OsCallCounts.From(os1.Since(os0)),
            afterTop, topSeconds, OsCallCounts.From(os2.Since(os1)), afterTrim);
    }
}
