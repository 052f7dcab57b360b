using Ebb.Tests.Fixtures;

namespace Ebb.Proc.Tests.Free;

public class MeminfoReaderTests
{
    [Fact]
    public void Read_KeepsEveryFieldInKernelOrder()
    {
        var root = new ProcRoot(FreeExpectations.Tree("live-6.18"));
        var m = MeminfoReader.Read(root);
        string[] names = File.ReadAllLines(root.File("meminfo")).Select(l => l[..l.IndexOf(':')]).ToArray();
        Assert.Equal(names, m.Fields.Select(f => f.Name));
        Assert.Equal("MemTotal", m.Fields[0].Name);
        Assert.Contains(m.Fields, f => f.Name == "Active(anon)");
    }

    [Fact]
    public void Parse_ReadsValuesAndUnits()
    {
        var m = MeminfoReader.Parse("MemTotal:       24683620 kB\nHugePages_Total:       7\nActive(file):      20284 kB\n");
        Assert.Equal(new MeminfoField("MemTotal", 24683620, "kB"), m.Fields[0]);
        Assert.Equal(24683620UL * 1024, m.Fields[0].Bytes);
        Assert.Equal(new MeminfoField("HugePages_Total", 7, ""), m.Fields[1]);
        Assert.Null(m.Fields[1].Bytes);
        Assert.Equal(20284UL, m["Active(file)"]);
    }

    [Fact]
    public void Lookup_MissingFieldReadsAsZero_AndLastDuplicateWins()
    {
        var m = MeminfoReader.Parse("MemFree: 5 kB\nMemFree: 9 kB\n");
        Assert.Equal(0UL, m["MemAvailable"]);
        Assert.False(m.Contains("MemAvailable"));
        Assert.Equal(9UL, m["MemFree"]);
        Assert.Equal(2, m.Fields.Count);
    }

    [Fact]
    public void Parse_TakesTheLargestNumber()
    {
        var m = MeminfoReader.Parse("CommitLimit:    18446744073709551615 kB\n");
        Assert.Equal(ulong.MaxValue, m["CommitLimit"]);
    }

    [Theory]
    [InlineData("", 0, "empty file")]
    [InlineData("MemTotal: 5 kB", 1, "truncated")]
    [InlineData("MemTotal: 5 kB\nMemFr", 2, "truncated")]
    [InlineData("MemTotal: 5 kB\ngarbage\n", 2, "no ':'")]
    [InlineData("MemTotal: kB\n", 1, "no number")]
    [InlineData("MemTotal: -5 kB\n", 1, "no number")]
    [InlineData("MemTotal: 18446744073709551616 kB\n", 1, "out of range")]
    [InlineData("MemTotal: 5 MB\n", 1, "unexpected ' MB'")]
    [InlineData("MemTotal: 5kB\n", 1, "unexpected 'kB'")]
    [InlineData("Mem Total: 5 kB\n", 1, "bad field name")]
    [InlineData(": 5 kB\n", 1, "bad field name")]
    public void Parse_RefusesCorruptText(string text, int line, string reason)
    {
        var e = Assert.Throws<MeminfoFormatException>(() => MeminfoReader.Parse(text, "x/meminfo"));
        Assert.Equal(line, e.Line);
        Assert.Contains(reason, e.Reason);
        Assert.Equal("x/meminfo", e.Path);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("corrupt-line")]
    [InlineData("bad-unit")]
    [InlineData("empty")]
    public void Read_RefusesCorruptFixtures(string tree)
    {
        Assert.Throws<MeminfoFormatException>(() => MeminfoReader.Read(new ProcRoot(FreeExpectations.Tree(tree))));
    }

    [Fact]
    public void Read_MissingDirectory_IsFileNotFound()
    {
        var root = new ProcRoot("/nonexistent-ebb-proc-root");
        var e = Assert.Throws<FileNotFoundException>(() => MeminfoReader.Read(root));
        Assert.Equal("/nonexistent-ebb-proc-root/meminfo", e.FileName);
    }

    [Theory]
    [InlineData("/proc", "meminfo", "/proc/meminfo")]
    [InlineData("/tmp/snap/", "self/maps", "/tmp/snap/self/maps")]
    [InlineData("/", "meminfo", "/meminfo")]
    public void ProcRoot_JoinsPaths(string root, string relative, string expected)
    {
        Assert.Equal(expected, new ProcRoot(root).File(relative));
    }
}
