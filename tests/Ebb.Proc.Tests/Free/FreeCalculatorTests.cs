using Ebb.Proc.Free;

namespace Ebb.Proc.Tests.Free;

/// <summary>procps-ng 4.0.2's meminfo.c derivations, one fallback at a time.</summary>
public class FreeCalculatorTests
{
    private static FreeFigures Compute(string text) => FreeCalculator.Compute(MeminfoReader.Parse(text));

    [Fact]
    public void Used_IsTotalMinusAvailable_AndCacheIncludesReclaimableSlab()
    {
        var f = Compute("MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 600 kB\nBuffers: 10 kB\nCached: 200 kB\nSReclaimable: 30 kB\nShmem: 7 kB\n");
        Assert.Equal(400UL, f.MemUsed);
        Assert.Equal(600UL, f.Available);
        Assert.Equal(230UL, f.Cache);
        Assert.Equal(10UL, f.Buffers);
        Assert.Equal(7UL, f.Shared);
    }

    [Fact]
    public void MissingMemAvailable_FallsBackToMemFree()
    {
        var f = Compute("MemTotal: 1000 kB\nMemFree: 100 kB\n");
        Assert.Equal(100UL, f.Available);
        Assert.Equal(900UL, f.MemUsed);
    }

    [Fact]
    public void AvailableAboveTotal_FallsBackToMemFree()
    {
        var f = Compute("MemTotal: 1000 kB\nMemFree: 300 kB\nMemAvailable: 5000 kB\n");
        Assert.Equal(300UL, f.Available);
        Assert.Equal(700UL, f.MemUsed);
    }

    [Fact]
    public void UsedBelowZero_WrapsLikeProcps()
    {
        // free > total (a container): total - available < 0, then total - free < 0 too.
        var f = Compute("MemTotal: 1000 kB\nMemFree: 1500 kB\nMemAvailable: 1800 kB\n");
        Assert.Equal(1500UL, f.Available);
        Assert.Equal(unchecked((ulong)-500L), f.MemUsed);
    }

    [Fact]
    public void NoLowHighSplit_LowIsAllMemory()
    {
        var f = Compute("MemTotal: 1000 kB\nMemFree: 250 kB\n");
        Assert.Equal((1000UL, 750UL, 250UL), (f.LowTotal, f.LowUsed, f.LowFree));
        Assert.Equal((0UL, 0UL, 0UL), (f.HighTotal, f.HighUsed, f.HighFree));
    }

    [Fact]
    public void LowHighSplit_IsUsed_AndFreeAboveTotalMeansNoneUsed()
    {
        var f = Compute("MemTotal: 1000 kB\nMemFree: 250 kB\nHighTotal: 600 kB\nHighFree: 700 kB\nLowTotal: 400 kB\nLowFree: 150 kB\n");
        Assert.Equal((400UL, 250UL, 150UL), (f.LowTotal, f.LowUsed, f.LowFree));
        Assert.Equal((600UL, 0UL, 700UL), (f.HighTotal, f.HighUsed, f.HighFree));
    }

    [Fact]
    public void SwapUsed_NeverWraps()
    {
        Assert.Equal(0UL, Compute("SwapTotal: 500 kB\nSwapFree: 600 kB\n").SwapUsed);
        Assert.Equal(100UL, Compute("SwapTotal: 500 kB\nSwapFree: 400 kB\n").SwapUsed);
    }

    [Fact]
    public void Committed_KeepsBothFigures()
    {
        var f = Compute("CommitLimit: 100 kB\nCommitted_AS: 250 kB\n");
        Assert.Equal((100UL, 250UL), (f.CommitLimit, f.CommittedAs));
    }
}
