using System.Text;

namespace Ebb.Proc.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class ProcFilesTests
{
    [Fact]
    public void StatusKeepsEveryFieldAndTypesTheSizes()
    {
        var s = StatusParser.Read("basic", Fixtures.Root);
        var lines = File.ReadAllLines(Path.Combine(Fixtures.Root, "basic", "status"));
        Assert.Equal(lines.Length, s.Fields.Count);
        Assert.Equal("my (odd) prog", s.Name);
        Assert.Equal("Name", s.Fields[0].Key);
        var rssLine = lines.Single(l => l.StartsWith("VmRSS:"));
        Assert.Equal(ulong.Parse(rssLine.Split(':')[1].Trim().Split(' ')[0]), s.VmRSS);
        Assert.Equal(s.VmRSS, s.RssAnon + s.RssFile + s.RssShmem);
        Assert.NotNull(s.VmSize);
        Assert.Null(s.Kilobytes("Threads"));
        Assert.Equal(1, s.Threads);
        Assert.Null(s["NoSuchField"]);
    }

    [Fact]
    public void LiveStatusMatchesThisProcess()
    {
        var s = StatusParser.Read("self");
        Assert.Equal(Environment.ProcessId, s.Tgid);
        Assert.True(s.VmRSS > 0);
    }

    [Fact]
    public void StatTakesCommUpToTheLastParenthesis()
    {
        var st = StatParser.Read("basic", Fixtures.Root);
        Assert.Equal(4242, st.Pid);
        Assert.Equal("my (odd) prog", st.Comm);
        Assert.Equal('S', st.State);
        Assert.Equal(1, st.PPid);
        Assert.Equal(3, st.NumThreads);
        Assert.Equal(140734426009392UL, st.StartStack);
        Assert.Equal(94205262188544UL, st.StartCode);
        Assert.Equal(18446744073709551615UL, st.Unsigned(25));
        Assert.Equal(52, st.FieldCount);
    }

    [Fact]
    public void LiveStatHasAStackInsideTheStackMapping()
    {
        var st = StatParser.Read("self");
        Assert.Equal(Environment.ProcessId, st.Pid);
        var stack = MapsParser.Read("self").Single(m => m.Kind == MapKind.Stack);
        Assert.True(stack.Start <= st.StartStack && st.StartStack <= stack.End);
    }

    [Theory]
    [InlineData("12 (x) S 1 2\n")]
    [InlineData("12 x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27\n")]
    [InlineData("ab (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27\n")]
    [InlineData("12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 q 26 27\n")]
    public void CorruptStatIsReported(string text)
    {
        var e = Assert.Throws<ProcReadException>(() => StatParser.Parse(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(ProcReadErrorKind.Corrupt, e.Kind);
    }

    [Fact]
    public void TruncatedStatIsTruncated()
    {
        var data = Fixtures.Bytes("basic", "stat");
        var e = Assert.Throws<ProcReadException>(() => StatParser.Parse(data.AsSpan(0, 100)));
        Assert.Equal(ProcReadErrorKind.Truncated, e.Kind);
    }

    [Fact]
    public void CmdlineSplitsAtNulsKeepingEmptyArguments()
    {
        var c = CmdlineParser.Read("basic", Fixtures.Root);
        Assert.Equal(["./prog", "--name=a b", "", "last"], c.Arguments);
        Assert.Equal("./prog --name=a b  last", c.ToString());
        Assert.False(c.IsEmpty);
        Assert.True(CmdlineParser.Parse([]).IsEmpty);
        Assert.Equal(["a", "b"], CmdlineParser.Parse("a\0b"u8).Arguments); // rewritten, no final NUL
    }

    [Fact]
    public void AuxvHoldsThePageSizeAndTheVdso()
    {
        var aux = AuxvParser.Read("self");
        Assert.Equal((ulong)Environment.SystemPageSize, aux.Single(a => a.Type == AuxvEntry.AT_PAGESZ).Value);
        var vdso = aux.Single(a => a.Type == AuxvEntry.AT_SYSINFO_EHDR);
        Assert.Equal("AT_SYSINFO_EHDR", vdso.TypeName);
        Assert.Contains(MapsParser.Read("self"), m => m.Kind == MapKind.Vdso && m.Start == vdso.Value);
        Assert.NotEmpty(AuxvParser.Read("basic", Fixtures.Root));
    }

    [Fact]
    public void AuxvOfTheWrongLengthOrWithoutTerminatorIsTruncated()
    {
        var data = Fixtures.Bytes("basic", "auxv");
        Assert.Equal(ProcReadErrorKind.Truncated, Assert.Throws<ProcReadException>(() => AuxvParser.Parse(data.AsSpan(0, data.Length - 3))).Kind);
        Assert.Equal(ProcReadErrorKind.Truncated, Assert.Throws<ProcReadException>(() => AuxvParser.Parse(data.AsSpan(0, data.Length - 16))).Kind);
    }

    [SkippableFact]
    public void UnreadableFileIsPermissionDeniedWhenNotRoot()
    {
        var root = Fixtures.MakeTree("5", ("status", "Name:\tx\n"u8.ToArray()));
        try
        {
            var path = Path.Combine(root, "5", "status");
            File.SetUnixFileMode(path, UnixFileMode.None);
            if (Environment.UserName == "root")
            {
                // root reads through mode bits; a directory in the way of the path still fails as NotFound.
                Assert.Equal(ProcReadErrorKind.NotFound,
                    Assert.Throws<ProcReadException>(() => StatusParser.Read("5/nodir", root)).Kind);
                Skip.If(true, "root reads through mode bits: permission denied cannot be seen (the NotFound case was checked)");
            }
            Assert.Equal(ProcReadErrorKind.PermissionDenied, Assert.Throws<ProcReadException>(() => StatusParser.Read("5", root)).Kind);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void ExitedProcessFilesRaiseProcReadException()
    {
        // A child that has exited and been reaped: its directory is gone.
        using var p = System.Diagnostics.Process.Start("true")!;
        p.WaitForExit();
        var pid = p.Id.ToString();
        p.Dispose();
        var e = Assert.Throws<ProcReadException>(() => MapsParser.Read(pid));
        Assert.Equal(ProcReadErrorKind.NotFound, e.Kind);
    }
}
