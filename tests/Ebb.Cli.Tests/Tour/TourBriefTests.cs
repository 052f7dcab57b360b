using Ebb.Cli.Tour;
using Ebb.Cli.Terminal;
using Ebb.Cli.Lab;
namespace Ebb.Cli.Tests.Tour;

/// <summary>The tour's short forms of the labs: what each keeps, on fixed facts.</summary>
public class TourBriefTests
{
    private static Placement At(long size, bool own, string name) => new(size, 0x1000, own, null, name);

    [Fact]
    public void ThresholdTable_HasARowPerSize_AndNamesBothThresholds()
    {
        long[] sizes = [1024, 128 << 10, 64 << 20];
        var facts = new ThresholdFacts(
            [At(sizes[0], false, "[heap] (malloc's main arena, the break)"), At(sizes[1], true, "its own mapping"), At(sizes[2], true, "its own mapping")],
            [At(sizes[0], false, "[heap] (malloc's main arena, the break)"), At(sizes[1], false, "[heap] (malloc's main arena, the break)"), At(sizes[2], true, "its own mapping")],
            OnMainThread: true,
            [At(sizes[0], false, "an Ebb arena chunk"), At(sizes[1], false, "an Ebb arena chunk"), At(sizes[2], true, "its own mapping")]);
        var lines = MmapChapter.Table(facts, TextStyle.Plain).Split('\n');
        Assert.Equal("     1 KiB   [heap]         [heap]         shared arena", lines[2]);
        Assert.Equal("   128 KiB   own mapping    [heap]         shared arena", lines[3]);
        Assert.Equal("    64 MiB   own mapping    own mapping    own mapping", lines[4]);
        Assert.StartsWith("malloc maps from 128 KiB up, and after the frees from 64 MiB up", lines[5]);
        Assert.StartsWith("Ebb's line does not move: own mappings from 64 MiB up", lines[7]);
    }

    [Fact]
    public void LabChapters_AreShortAndFitTheTerminal()
    {
        var o = new StringWriter();
        Assert.Equal(0, Cli.Run(["tour", "--no-color", "--chapter", "brk,mmap,madvise"], o, new StringWriter()));
        var lines = o.ToString().Split('\n');
        // The labs' full reports made these three chapters about 95 lines; the tour keeps each to its point.
        Assert.InRange(lines.Length, 40, 70);
        // The mmap call is quoted whole, as strace prints it; every other line fits 80 columns.
        Assert.All(lines.Where(l => !l.StartsWith("mmap(NULL", StringComparison.Ordinal)), l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
    }
}
