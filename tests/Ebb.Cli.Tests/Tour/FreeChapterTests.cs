using Ebb.Cli.Tour;
using Ebb.Proc;
using Ebb.Proc.Free;
using Ebb.Proc.Tests.Free;

namespace Ebb.Cli.Tests.Tour;

public class FreeChapterTests
{
    [Fact]
    public void Arithmetic_AddsUp_OnASavedTree()
    {
        var m = MeminfoReader.Read(FreeExpectations.Tree("live-6.18"));
        var f = FreeCalculator.Compute(m);
        string text = FreeChapter.Arithmetic(m, f);
        Assert.Equal(m["MemTotal"] - m["MemAvailable"], f.MemUsed);
        Assert.Contains($"used       = MemTotal {m["MemTotal"]:N0} - available {m["MemAvailable"]:N0} = {f.MemUsed:N0}\n", text);
        Assert.Contains($"buff/cache = Buffers {m["Buffers"]:N0} + Cached {m["Cached"]:N0} + SReclaimable {m["SReclaimable"]:N0} = {m["Buffers"] + m["Cached"] + m["SReclaimable"]:N0}\n", text);
        Assert.Contains($"available  = MemAvailable {m["MemAvailable"]:N0}\n", text);
    }

    [Theory]
    [InlineData("no-memavailable", "has no MemAvailable")]
    [InlineData("available-above-total", "MemAvailable is above MemTotal")]
    [InlineData("used-below-zero", "MemTotal 1,000,000 - available 1,500,000 = -500,000")]
    public void Arithmetic_NamesTheFallback(string tree, string expected)
    {
        var m = MeminfoReader.Read(FreeExpectations.Tree(tree));
        Assert.Contains(expected, FreeChapter.Arithmetic(m, FreeCalculator.Compute(m)));
    }

    [Fact]
    public void Run_PrintsTheHumanReport_AndIsTheFirstChapter()
    {
        var o = new StringWriter();
        new FreeChapter().Run(new TourContext(o, new StringWriter(), []));
        string[] lines = o.ToString().Split('\n');
        Assert.Equal(FreeFormatter.Header, lines[0]);
        Assert.StartsWith("Mem:", lines[1]);
        Assert.Matches(@"^Mem:\s+\d+(\.\d)?[KMGTP]i\s", lines[1]);
        Assert.Contains("From /proc/meminfo, in kB:", o.ToString());
        Assert.IsType<FreeChapter>(TourCommand.All[0]);
    }
}
