using Ebb.Cli.Terminal;
using Ebb.Cli.Lab;
using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests.Lab;

[Collection(nameof(AddressSpaceSerial))]
public class LabExperimentTests
{
    [Fact]
    public void Brk_MovesTheBreakBy128_HeapEndsAtTheRoundedBreak_AndOnlyMadviseGivesBackPagesUnderALiveOne()
    {
        var f = BrkLab.Measure(); // in a child process
        Assert.Equal(128UL, f.BreakAfter - f.BreakBefore);
        Assert.Equal((f.BreakAfter + 4095) & ~4095UL, f.RoundedBreakAfter);
        Assert.Equal(f.RoundedBreakAfter, f.HeapEndAfter);
        Assert.NotNull(f.HeapLineAfter);
        Assert.EndsWith("[heap]", f.HeapLineAfter);

        Assert.Equal(BrkExperiment.FreePages + 1, f.ResidentTouched);
        Assert.Equal(f.TopBreak, f.LowestBreakKeepingLive);
        Assert.Equal(1, f.ResidentAfterMadvise);
        Assert.Equal(f.TopBreak, f.BreakAfterMadvise);
        Assert.True(f.HeapRssTouchedKb - f.HeapRssAfterMadviseKb >= BrkExperiment.FreePages * 4UL,
            $"[heap] Rss {f.HeapRssTouchedKb} kB -> {f.HeapRssAfterMadviseKb} kB");
        Assert.True(f.LiveValueIntact);
        Assert.True(f.Restored);
    }

    [Fact]
    public void Mmap_Of5Ints_MapsOneWholePage_AndMunmapRemovesIt()
    {
        // In a child process: in the test host, other tests' threads map and unmap between
        // the experiment's reads of maps, and the "before" and "after" lines would not be its own.
        var f = LabChild.Measure<MmapFacts>("mmap");
        Assert.Equal(20, f.Asked);
        Assert.Null(f.LineBefore);
        Assert.NotNull(f.LineAfter);
        Assert.Equal(f.Address, f.NewStart);
        Assert.Equal(4096UL, f.NewBytes);
        Assert.Equal([0, 10, 20, 30, 40], f.Values);
        Assert.Equal(4242, f.LastIntOfPage);
        Assert.Null(f.LineAfterUnmap);
    }

    [Fact]
    public void Madvise_DontNeedDropsRss_ResetsTheFileMapping_AndFreeKeepsPagesResident()
    {
        var f = MadviseExperiment.Measure();
        Assert.Equal(0, f.ResidentMapped);
        Assert.Equal(f.Pages, f.ResidentTouched);
        Assert.Equal(0, f.ResidentAfterDontNeed);
        Assert.True(f.ZeroAfterDontNeed);

        Assert.Equal("aaaaaaaaaa", f.FileText);
        Assert.Equal("bbbbbbbbbb", f.FileTextChanged);
        Assert.Equal("aaaaaaaaaa", f.FileOnDiskAfterChange);
        Assert.Equal("aaaaaaaaaa", f.FileTextAfterDontNeed);

        Assert.True(f.FreeSupported);
        Assert.Equal(f.Pages, f.ResidentBeforeFree);
        Assert.Equal(f.ResidentBeforeFree, f.ResidentAfterFree);
        Assert.True(f.LazyFreeKb > 0);
        Assert.Equal(0, f.ResidentAfterFreeThenDontNeed);
    }

    [Fact]
    public void Reports_PrintTheFacts()
    {
        var mmap = new MmapFacts(20, 0x7f0000001000, null, "7f0000001000-7f0000002000 rw-p 00000000 00:00 0",
            0x7f0000001000, 0x7f0000002000, [0, 10, 20, 30, 40], 4242, null);
        var w = new StringWriter();
        MmapLab.Print(mmap, w, TextStyle.Plain);
        string text = w.ToString();
        Assert.Contains("= 0x7f0000001000", text);
        Assert.Contains("7f0000001000-7f0000002000 = 4096 bytes for the 20 asked", text);
        Assert.Contains("0, 10, 20, 30, 40", text);
        Assert.Contains("the page is gone", text);
        Assert.DoesNotContain("\e[", text);
    }

    [Fact]
    public void Lab_ListsTheExperiments()
    {
        var (code, stdout, _) = Run("lab", "--help");
        Assert.Equal(0, code);
        foreach (var name in new[] { "brk", "mmap", "madvise", "threshold" }) Assert.Contains($"  {name} ", stdout);
    }

    [Theory]
    [InlineData("brk")]
    [InlineData("mmap")]
    [InlineData("madvise")]
    [InlineData("threshold")]
    public void Experiment_HelpAndBadOption(string name)
    {
        var (code, stdout, _) = Run("lab", name, "--help");
        Assert.Equal(0, code);
        Assert.StartsWith($"Usage: ebb lab {name}", stdout);

        var (bad, o, err) = Run("lab", name, "--frob");
        Assert.NotEqual(0, bad);
        Assert.Equal("", o);
        Assert.Equal($"ebb lab {name}: unknown option '--frob' (try 'ebb lab {name} --help')" + Environment.NewLine, err);
    }

    [Fact]
    public void Json_RoundTripsTheFacts()
    {
        var (code, stdout, _) = Run("lab", "mmap", "--json");
        Assert.Equal(0, code);
        var f = LabChild.Parse<MmapFacts>("mmap", stdout);
        Assert.Equal(4096UL, f.NewBytes);
    }

    [SkippableFact]
    public void Strace_ShowsTheExperimentsSystemCalls()
    {
        var (code, stdout, err) = Run("lab", "mmap", "--strace");
        // tests/install-test-tools.sh installs strace when the tests build (as root); without it
        // only the refusal can be checked, and the test says it was skipped.
        if (LabStrace.FindOnPath("strace") is null)
        {
            Assert.NotEqual(0, code);
            Assert.Contains("strace not found", err);
            Skip.If(true, "strace is not installed (tests/install-test-tools.sh installs it as root): only the refusal was checked");
        }
        Assert.True(code == 0, err);
        var f = stdout.Split('\n').First(l => l.StartsWith("mmap(NULL, 20,", StringComparison.Ordinal));
        string address = f[(f.LastIndexOf("= ", StringComparison.Ordinal) + 2)..].Trim();
        Assert.Matches($@"\n  mmap\(NULL, 20, PROT_READ\|PROT_WRITE, MAP_PRIVATE\|MAP_ANONYMOUS, -1, 0\) += {address}\n", stdout);
        Assert.Matches($@"\n  munmap\({address}, 20\) += 0\n", stdout);
    }
}

public class ThresholdLabTests
{
    [Fact]
    public void Threshold_SmallBlocksStayInTheHeap_HugeOnesGetTheirOwnMapping_AndFreeingRaisesIt()
    {
        // In a child process: glibc's threshold is process-wide, and other tests' frees could move it mid-round.
        var f = LabChild.Measure<ThresholdFacts>("threshold");
        Assert.True(f.OnMainThread);
        Assert.Contains("[heap]", f.FirstRound[0].RegionName);
        foreach (var round in new[] { f.FirstRound, f.SecondRound })
        {
            Assert.Equal(ThresholdExperiment.Sizes, round.Select(p => p.Size));
            Assert.False(round[0].OwnMapping);                 // 1 KiB: never mapped on its own
            Assert.True(round[^1].OwnMapping);                 // 64 MiB: above the 32 MiB the threshold can reach
            Assert.StartsWith("its own mapping", round[^1].RegionName);
            // One threshold per round: once a size is mapped on its own, every larger one is too.
            int first = Array.FindIndex(round, p => p.OwnMapping);
            Assert.All(round[first..], p => Assert.True(p.OwnMapping, $"{p.Size}"));
            Assert.All(round, p => Assert.NotNull(p.Region));
        }
        // Freeing the first round's mapped blocks (up to 4 MiB) raised the threshold above 4 MiB.
        Assert.False(f.SecondRound[^2].OwnMapping);
        Assert.True(ThresholdFacts.Switch(f.SecondRound) >= ThresholdFacts.Switch(f.FirstRound));
    }
}

public class ThresholdEbbTests
{
    [Fact]
    public void Threshold_ThroughEbb_SmallBlocksInArenaChunks_HugeOnesInTheirOwnMapping()
    {
        var f = ThresholdExperiment.Measure();
        Assert.Equal(ThresholdExperiment.Sizes, f.Ebb.Select(p => p.Size));
        Assert.False(f.Ebb[0].OwnMapping);
        Assert.StartsWith("an Ebb arena chunk", f.Ebb[0].RegionName);
        Assert.True(f.Ebb[^1].OwnMapping);
        Assert.StartsWith("its own mapping", f.Ebb[^1].RegionName);
        int first = Array.FindIndex(f.Ebb, p => p.OwnMapping);
        Assert.All(f.Ebb[first..], p => Assert.True(p.OwnMapping));
        Assert.All(f.Ebb, p => Assert.NotNull(p.Region));
    }
}
