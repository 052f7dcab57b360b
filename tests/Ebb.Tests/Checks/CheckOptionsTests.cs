using Ebb.Checks;

namespace Ebb.Tests.Checks;

public class CheckOptionsTests
{
    private static (CheckOptions Options, string Warnings) Parse(params (string Name, string Value)[] vars)
    {
        var w = new StringWriter();
        var d = vars.ToDictionary(v => v.Name, v => v.Value);
        return (CheckOptions.Parse(n => d.GetValueOrDefault(n), w), w.ToString());
    }

    [Fact]
    public void NothingSet_IsRelease()
    {
        var (o, w) = Parse();
        Assert.Equal(CheckMode.Off, o.Mode);
        Assert.Equal(16L << 20, o.QuarantineBytes);
        Assert.Equal("", w);
    }

    [Theory]
    [InlineData("EBB_CHECK", "1", (int)CheckMode.Checked, 0)]
    [InlineData("EBB_GUARD", "all", (int)CheckMode.GuardAll, 0)]
    [InlineData("EBB_GUARD", "sample:1000", (int)CheckMode.GuardSample, 1000)]
    [InlineData("EBB_GUARD", "sample:1", (int)CheckMode.GuardSample, 1)]
    [InlineData("EBB_GUARD", "sample", (int)CheckMode.GuardSample, CheckOptions.DefaultSampleRate)]
    public void Modes(string name, string value, int mode, int rate)
    {
        var (o, w) = Parse((name, value));
        Assert.Equal((CheckMode)mode, o.Mode);
        if (rate > 0) Assert.Equal(rate, o.SampleRate);
        Assert.Equal("", w);
    }

    [Theory]
    [InlineData("EBB_GUARD", "sample:0")]
    [InlineData("EBB_GUARD", "sometimes")]
    [InlineData("EBB_CHECK", "yes")]
    public void BadValues_WarnOnce_AndStayOff(string name, string value)
    {
        var (o, w) = Parse((name, value));
        Assert.Equal(CheckMode.Off, o.Mode);
        Assert.Single(w.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ebb: warning:", w);
    }

    [Fact]
    public void ReportSwitches_DefaultToPrintingAndLeakSanitizersExitCode()
    {
        var (o, _) = Parse(("EBB_CHECK", "1"));
        Assert.True(o.PrintErrors);
        Assert.Equal(23, o.LeakExitCode);
        (o, var w) = Parse(("EBB_CHECK", "1"), ("EBB_PRINT_ERRORS", "0"), ("EBB_LEAK_EXITCODE", "0"));
        Assert.False(o.PrintErrors);
        Assert.Equal(0, o.LeakExitCode);
        Assert.Equal("", w);
    }

    [Fact]
    public void Numbers_AreReadInMiB_AndBadOnesFallBack()
    {
        Assert.Equal(2L << 20, Parse(("EBB_CHECK", "1"), ("EBB_QUARANTINE_MB", "2")).Options.QuarantineBytes);
        var (o, w) = Parse(("EBB_CHECK", "1"), ("EBB_QUARANTINE_MB", "-5"));
        Assert.Equal(16L << 20, o.QuarantineBytes);
        Assert.Contains("EBB_QUARANTINE_MB", w);
    }
}
