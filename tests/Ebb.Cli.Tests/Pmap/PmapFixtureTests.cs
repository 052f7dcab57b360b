using Ebb.Cli.Commands;
using System.Text;

namespace Ebb.Cli.Tests.Pmap;

/// <summary>
/// ebb pmap against what procps-ng 4.0.2's pmap printed for the same stopped processes
/// (fixtures/pmap/capture.sh saved both): every option, byte for byte, with messages and exit codes.
/// </summary>
public class PmapFixtureTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in PmapFixtures.CaseNames()) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesProcpsByteForByte(string name)
    {
        var args = PmapFixtures.Arguments(name);
        var (output, error, code) = PmapFixtures.Run(args);
        byte[] expected = PmapFixtures.ExpectedOut(name);
        // --help: procps's text, then ebb's own options (docs/compatibility.md).
        if (PmapFixtures.Show(expected) == PmapCommand.UsageText) expected = Encoding.UTF8.GetBytes(PmapCommand.UsageText + PmapCommand.EbbHelpText);
        Assert.Equal(PmapFixtures.Show(expected), PmapFixtures.Show(output));
        Assert.Equal(expected, output);
        Assert.Equal(PmapFixtures.ExpectedErr(name), error);
        Assert.Equal(PmapFixtures.ExpectedCode(name), code);
    }

    [Fact]
    public void TheFixturesCoverEveryKindOfMapping()
    {
        // Guards against a capture that lost what the cases are meant to exercise.
        var text = PmapFixtures.Show(PmapFixtures.ExpectedOut("default"));
        foreach (var expected in new[] { "[ shmid=0x", "memfd:ebb test memfd (deleted)", "zero (deleted)", "my file?with ?? bytes (deleted)",
                     "kept file.bin", "[ stack ]", "[ anon ]", "-----", "rwx--", "rw-s-" })
            Assert.Contains(expected, text);
        var raw = PmapFixtures.ExpectedOut("smaps");
        Assert.True(raw.AsSpan().IndexOf("my file\twith \xff\xfe bytes"u8.ToArray().Select(b => b).ToArray()) >= 0
            || raw.AsSpan().IndexOf(new byte[] { (byte)'\t', (byte)'w', (byte)'i', (byte)'t', (byte)'h', (byte)' ', 0xff, 0xfe }) >= 0);
        Assert.True(text.Split('\n').Length > 60);
    }

    [Fact]
    public void SmapsTotalsStartAgainForEachPid()
    {
        // procps 4.0.2 carried the -X totals of one pid into the next one's footer; 4.0.4 fixed it
        // and so does ebb: each footer equals the footer of that pid shown alone.
        var (p1, p2) = (PmapFixtures.Pids[0], PmapFixtures.Pids[1]);
        var both = Footer(PmapFixtures.Run(["-X", p1, p2]).Out, last: true);
        var alone = Footer(PmapFixtures.Run(["-X", p2]).Out, last: true);
        Assert.Equal(Numbers(alone), Numbers(both));
        var first = Footer(PmapFixtures.Run(["-X", p1, p2]).Out, last: false);
        Assert.Equal(Numbers(Footer(PmapFixtures.Run(["-X", p1]).Out, last: true)), Numbers(first));
    }

    [Fact]
    public void SmapsLayoutHonoursTheRange()
    {
        // procps 4.0.2 ignored -A under -X; later releases apply it, and so does ebb.
        var p1 = PmapFixtures.Pids[0];
        var maps = Ebb.Proc.MapsParser.Read(p1, PmapFixtures.ProcRoot);
        ulong lo = maps[4].Start, hi = maps[29].Start;
        var (output, _, code) = PmapFixtures.Run(["-X", "-q", "-A", $"{lo:x},{hi:x}", p1]);
        Assert.Equal(0, code);
        var rows = PmapFixtures.Show(output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(26, rows.Count);
        Assert.StartsWith(lo.ToString("x8"), rows[0].TrimStart());
        Assert.StartsWith(hi.ToString("x8"), rows[^1].TrimStart());
        // Without -q the totals cover only the rows shown: Size total = sum of the shown sizes.
        var full = PmapFixtures.Show(PmapFixtures.Run(["-X", "-A", $"{lo:x},{hi:x}", p1]).Out).Split('\n');
        ulong sizeTotal = ulong.Parse(full[^2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);
        ulong sum = 0;
        foreach (var m in maps) if (m.End - 1 >= lo && m.Start <= hi) sum += m.Size / 1024;
        Assert.Equal(sum, sizeTotal);
    }

    private static string Footer(byte[] output, bool last)
    {
        var lines = PmapFixtures.Show(output).Split('\n');
        var footers = lines.Where(l => l.TrimEnd().EndsWith("KB")).ToList();
        return last ? footers[^1] : footers[0];
    }

    private static string[] Numbers(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
