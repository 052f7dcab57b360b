
namespace Ebb.Proc.Tests.Free;

public class MeminfoReaderTests
{
    [Fact]
    public void Read_KeepsEveryFieldInKernelOrder()
    {
        string root = FreeExpectations.Tree("live-6.18");
        var m = MeminfoReader.Read(root);
        string[] names = File.ReadAllLines(Path.Combine(root, "meminfo")).Select(l => l[..l.IndexOf(':')]).ToArray();
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
    [InlineData("", ProcReadErrorKind.Truncated, "empty file")]
    [InlineData("MemTotal: 5 kB", ProcReadErrorKind.Truncated, "line 1: no newline")]
    [InlineData("MemTotal: 5 kB\nMemFr", ProcReadErrorKind.Truncated, "line 2: no newline")]
    [InlineData("MemTotal: 5 kB\ngarbage\n", ProcReadErrorKind.Corrupt, "line 2: no ':'")]
    [InlineData("MemTotal: kB\n", ProcReadErrorKind.Corrupt, "line 1: MemTotal: no number")]
    [InlineData("MemTotal: -5 kB\n", ProcReadErrorKind.Corrupt, "line 1: MemTotal: no number")]
    [InlineData("MemTotal: 18446744073709551616 kB\n", ProcReadErrorKind.Corrupt, "line 1: MemTotal: number out of range")]
    [InlineData("MemTotal: 5 MB\n", ProcReadErrorKind.Corrupt, "unexpected ' MB'")]
    [InlineData("MemTotal: 5kB\n", ProcReadErrorKind.Corrupt, "unexpected 'kB'")]
    [InlineData("Mem Total: 5 kB\n", ProcReadErrorKind.Corrupt, "bad field name")]
    [InlineData(": 5 kB\n", ProcReadErrorKind.Corrupt, "bad field name")]
    public void Parse_RefusesCorruptText(string text, ProcReadErrorKind kind, string detail)
    {
        var e = Assert.Throws<ProcReadException>(() => MeminfoReader.Parse(text, "x/meminfo"));
        Assert.Equal(kind, e.Kind);
        Assert.Contains(detail, e.Detail);
        Assert.Equal("x/meminfo", e.Path);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("corrupt-line")]
    [InlineData("bad-unit")]
    [InlineData("empty")]
    public void Read_RefusesCorruptFixtures(string tree)
    {
        var e = Assert.Throws<ProcReadException>(() => MeminfoReader.Read(FreeExpectations.Tree(tree)));
        Assert.True(e.Kind is ProcReadErrorKind.Truncated or ProcReadErrorKind.Corrupt, e.Kind.ToString());
    }

    [Fact]
    public void Read_MissingDirectory_IsNotFound()
    {
        var e = Assert.Throws<ProcReadException>(() => MeminfoReader.Read("/nonexistent-ebb-proc-root/"));
        Assert.Equal(ProcReadErrorKind.NotFound, e.Kind);
        Assert.Equal("/nonexistent-ebb-proc-root/meminfo", e.Path);
    }

    [Fact]
    public void Read_Directory_IsAnErrorNotACrash()
    {
        string root = Path.Combine(Path.GetTempPath(), "ebb-meminfo-dir-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "meminfo"));
        try
        {
            var e = Assert.Throws<ProcReadException>(() => MeminfoReader.Read(root));
            Assert.NotEqual(ProcReadErrorKind.NotFound, e.Kind);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Read_LiveProc_HasTheFieldsFreeNeeds()
    {
        var m = MeminfoReader.Read();
        Assert.True(m["MemTotal"] > 0);
        Assert.True(m.Contains("MemFree") && m.Contains("SwapTotal") && m.Contains("Committed_AS"));
    }
}
