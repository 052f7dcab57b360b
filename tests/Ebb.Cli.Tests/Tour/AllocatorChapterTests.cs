using Ebb.Cli.Tour;
using Ebb.Cli.Terminal;
using Ebb.Cli.Lab;
using System.Text;
using Ebb.Proc;

namespace Ebb.Cli.Tests.Tour;

public class AllocatorChapterTests
{
    private const long M = 1 << 20;

    private static MapEntry Ebb(ulong start, ulong size) =>
        new(start, start + size, MapPermissions.Read | MapPermissions.Write, 0, 0, 0, 0, Encoding.ASCII.GetBytes("[anon:ebb]"));

    private static MemoryPoint Point(long rss, long anon, int maps, ulong brk, params MapEntry[] ebb) => new(rss, anon, maps, ebb, brk);

    private static OsCallCounts Calls(long madvise = 0, long madviseBytes = 0, long munmap = 0, long munmapBytes = 0) =>
        new(madvise, madviseBytes, munmap, munmapBytes, 0, 0);

    private static MmapTourRun MmapFixture(long after) => new(
        BlockSize: 128, Blocks: 2 * 1024 * 1024, PurgeDelayMs: 100,
        Before: Point(60 * M, 30 * M, 400, 0x1000, Ebb(0x7f0000000000, 256 * (ulong)M)),
        AfterAlloc: Point(320 * M, 290 * M, 402, 0x1000, Ebb(0x7f0000000000, 256 * (ulong)M), Ebb(0x7f1000000000, 256 * (ulong)M)),
        AllocSeconds: 0.5,
        AfterFree: Point(319 * M, 289 * M, 402, 0x1000),
        FreeCalls: Calls(),
        AfterPurge: Point(after + 30 * M, after, 402, 0x1000),
        PurgeSeconds: 0.15,
        PurgeCalls: Calls(madvise: 64, madviseBytes: 256 * M));

    [Fact]
    public void Mmap_ShowsGrowthMarksEbbRegionsAndCountsCalls()
    {
        string text = AllocatorTourFormatter.FormatMmap(MmapFixture(31 * M), TextStyle.Plain);
        Assert.Contains("RSS 320.0 MiB (+260.0 MiB), 402 mappings (+2), Ebb's: 2 regions (512.0 MiB)", text);
        Assert.Contains("2,097,152 blocks of 128 bytes", text);
        // The region that was there before is marked plainly, the new one as new.
        Assert.Contains("7f0000000000-7f0010000000 rw-p  256.0 MiB [anon:ebb]  <- ebb" + Environment.NewLine, text);
        Assert.Contains("7f1000000000-7f1010000000 rw-p  256.0 MiB [anon:ebb]  <- ebb (new)", text);
        Assert.Contains("wait 100 ms (the purge delay)", text);
        Assert.Contains("back to +1.0 MiB over the start", text);
        Assert.Contains("after, in the background: 64 madvise (256.0 MiB), 0 munmap (0.0 MiB)", text);
    }

    [Fact]
    public void Mmap_SaysSoWhenRssDidNotComeBack()
    {
        string text = AllocatorTourFormatter.FormatMmap(MmapFixture(250 * M), TextStyle.Plain);
        Assert.Contains("still +220.0 MiB over the start", text);
    }

    [Fact]
    public void Mmap_ListsAtMostSixRegions()
    {
        var many = Enumerable.Range(0, 9).Select(i => Ebb(0x7f0000000000 + (ulong)i * 0x10000000, 32 * (ulong)M)).ToArray();
        var run = MmapFixture(31 * M) with { AfterAlloc = Point(320 * M, 290 * M, 409, 0, many) };
        string text = AllocatorTourFormatter.FormatMmap(run, TextStyle.Plain);
        Assert.Equal(AllocatorTourFormatter.MaxRegionsShown, text.Split('\n').Count(l => l.Contains("<- ebb")));
        Assert.Contains("... and 3 more of Ebb's mappings", text);
    }

    [Fact]
    public void Brk_ShowsTheBreakPinnedThenComingDown()
    {
        var run = new BrkTourRun(128, 2 * 1024 * 1024,
            Before: Point(60 * M, 30 * M, 400, 0x5000_0000),
            AfterAlloc: Point(320 * M, 290 * M, 400, 0x5000_0000 + 288 * (ulong)M),
            AfterFreeBelow: Point(62 * M, 32 * M, 400, 0x5000_0000 + 288 * (ulong)M),
            BelowSeconds: 0.2,
            BelowCalls: Calls(madvise: 70, madviseBytes: 250 * M),
            AfterFreeTop: Point(61 * M, 31 * M, 400, 0x5000_0000 + 256 * (ulong)M),
            TopSeconds: 0.1,
            TopCalls: Calls(madvise: 1, madviseBytes: 1 * M),
            AfterTrim: Point(61 * M, 31 * M, 400, 0x5000_0000 + 256 * (ulong)M));
        string text = AllocatorTourFormatter.FormatBrk(run, TextStyle.Plain);
        Assert.Contains("break 0x62000000 (up 288.0 MiB)", text);
        Assert.Contains("the break did not move", text);
        Assert.Contains("given back by 70 madvise calls (250.0 MiB), not by the break", text);
        Assert.Contains("the break came down to 0x60000000 (down 32.0 MiB)", text);
        Assert.DoesNotContain("Trim", text);
    }

    [Fact]
    public void Brk_ShowsTrimWhenTheThreadHeldTheTop()
    {
        ulong top = 0x5000_0000 + 288 * (ulong)M;
        var run = new BrkTourRun(128, 2 * 1024 * 1024,
            Point(60 * M, 30 * M, 400, 0x5000_0000), Point(320 * M, 290 * M, 400, top),
            Point(62 * M, 32 * M, 400, top), 0.2, Calls(madvise: 70, madviseBytes: 250 * M),
            Point(62 * M, 32 * M, 400, top), 1.0, Calls(),
            AfterTrim: Point(61 * M, 31 * M, 400, 0x5000_0000));
        string text = AllocatorTourFormatter.FormatBrk(run, TextStyle.Plain);
        Assert.Contains("the break stayed at 0x62000000", text);
        Assert.Contains("EbbMemory.Trim(): the break came down to 0x50000000 (down 288.0 MiB)", text);
    }

    // In a child process of its own: RSS in a test host moves with every other test running beside it.
    [Fact]
    public void Chapter_RunsInAProcess_AndRssComesBack()
    {
        var (code, text, err) = SelfProcess.Run(TimeSpan.FromMinutes(3), "tour", "--chapter", "allocator", "--no-color");
        Assert.True(code == 0, text + err);
        Assert.Contains("<- ebb", text);
        Assert.Contains("back to +", text);
        Assert.Contains("The same on the brk page source", text);
        Assert.Contains($"Allocated 256.0 MiB in {AllocatorTourRun.BlockSize}-byte blocks: break 0x", text);
    }
}
