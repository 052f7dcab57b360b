using System.Text;

namespace Ebb.Proc.Tests;

public class SmapsParserTests
{
    [Fact]
    public void KeepsEveryFieldInKernelOrder()
    {
        var smaps = SmapsParser.Read("basic", Fixtures.Root);
        Assert.Equal(3, smaps.Count);
        var names = smaps[0].Layout.Names;
        Assert.Equal("Size", names[0]);
        Assert.Equal("KernelPageSize", names[1]);
        Assert.Equal("THPeligible", names[^1]);
        Assert.Equal(23, names.Count);
        Assert.Equal(8UL, smaps[0].SizeKb);
        Assert.Equal(3UL, smaps[0].PssKb);
        Assert.Equal(8UL, smaps[0].SharedCleanKb);
        Assert.True(smaps[0].Layout.InKilobytes[0]);
        Assert.False(smaps[0].Layout.InKilobytes[^1]); // THPeligible has no unit
        Assert.Equal("rd mr mw me", smaps[0].VmFlags);
        Assert.Equal("/usr/bin/cat", smaps[0].Map.Name);
    }

    [Fact]
    public void EntriesWithTheSameNamesShareALayout()
    {
        var smaps = SmapsParser.Read("basic", Fixtures.Root);
        Assert.Same(smaps[0].Layout, smaps[1].Layout);
        Assert.NotSame(smaps[1].Layout, smaps[2].Layout);
    }

    [Fact]
    public void UnknownFieldsAreKeptInPlace()
    {
        var e = SmapsParser.Read("basic", Fixtures.Root)[2];
        var names = e.Layout.Names;
        int i = names.ToList().IndexOf("FutureField");
        Assert.Equal("Anonymous", names[i - 1]);
        Assert.Equal("KSM", names[i + 1]);
        Assert.Equal(12UL, e["FutureField"]);
        Assert.Equal("ProtectionKey", names[^1]);
        Assert.Equal(1UL, e["THPeligible"]);
        Assert.Equal("[anon:ebb pool]", e.Map.Name);
        Assert.Equal("rd wr ex mr mw me ac", e.VmFlags);
        Assert.Equal(names.Count, e.Fields.Count());
        Assert.Null(e["NoSuchField"]);
    }

    [Fact]
    public void ReadsTheRollup()
    {
        var r = SmapsParser.ReadRollup("basic", Fixtures.Root);
        Assert.Equal("[rollup]", r.Map.Name);
        Assert.Equal(1616UL, r.RssKb);
        Assert.Equal(238UL, r["Pss_File"]);
        Assert.Null(r.VmFlags);
    }

    [Fact]
    public void ParsesTheLiveSelfSmapsAndItAgreesWithMaps()
    {
        var smaps = SmapsParser.Read("self");
        Assert.NotEmpty(smaps);
        foreach (var e in smaps) Assert.Equal(e.Map.Size / 1024, e.SizeKb);
        var rollup = SmapsParser.ReadRollup("self");
        Assert.True(rollup.RssKb > 0);
    }

    [Theory]
    [InlineData("Size: x kB\n")]
    [InlineData("Size: 4 MB\n")]
    public void CorruptFieldIsReported(string bad)
    {
        var data = Encoding.ASCII.GetBytes("1000-2000 r--p 00000000 00:00 0 \nRss: 4 kB\n" + bad);
        var e = Assert.Throws<ProcReadException>(() => SmapsParser.Parse(data));
        Assert.Equal(ProcReadErrorKind.Corrupt, e.Kind);
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void FieldBeforeAnyMappingIsCorrupt()
    {
        var e = Assert.Throws<ProcReadException>(() => SmapsParser.Parse("Rss: 4 kB\n"u8));
        Assert.Equal(ProcReadErrorKind.Corrupt, e.Kind);
    }

    [Fact]
    public void TruncatedSmapsIsTruncated()
    {
        var data = Fixtures.Bytes("basic", "smaps");
        var e = Assert.Throws<ProcReadException>(() => SmapsParser.Parse(data.AsSpan(0, data.Length - 5)));
        Assert.Equal(ProcReadErrorKind.Truncated, e.Kind);
    }
}
