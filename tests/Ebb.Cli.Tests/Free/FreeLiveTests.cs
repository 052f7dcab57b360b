using Ebb.Cli.Commands;
using System.Globalization;
using Ebb.Proc.Tests.Free;

namespace Ebb.Cli.Tests.Free;

/// <summary>
/// `ebb free` against /usr/bin/free (procps-ng 4.0.2, installed by .ci/run) on this machine,
/// now. Help, version, complaints and exit codes must match byte for byte. Reports are read
/// twice (once by each), and used/free/shared/cache/available move in between with every
/// other process on the machine, so for those only the shape is exact: the same lines, labels
/// and header, totals equal (they do not move), the rest within a tolerance.
/// </summary>
public class FreeLiveTests
{
    private static (int Code, string Out, string Err) RunReal(params string[] args) => RealTool.Run("free", args);

    private static (int Code, string Out, string Err) RunEbb(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = FreeCommand.Run(args, o, e, (_, _) => { }, CancellationToken.None);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void RealFree_IsProcps402()
    {
        Assert.Equal((0, "free from procps-ng 4.0.2\n", ""), RunReal("-V"));
    }

    public static TheoryData<int> CommandLines()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < FreeExpectations.Load("errors").Count; i++) data.Add(i);
        return data;
    }

    // Help, version and every bad command line of the recorded set, against the live binary.
    [Theory]
    [MemberData(nameof(CommandLines))]
    public void CommandLine_SameAsLiveFree_ByteForByte(int index)
    {
        string[] args = FreeExpectations.Load("errors")[index].Args;
        var real = RunReal(args);
        var ebb = RunEbb(args);
        if (real.Code == 0 && real.Out.StartsWith(ReportHeaderStart, StringComparison.Ordinal))
            AssertSameReport(real.Out, ebb.Out, args);   // e.g. "-c 1 -s 5": a live report
        else if (real.Out == FreeCommand.UsageText)
            Assert.Equal(real.Out + FreeCommand.EbbHelpText, ebb.Out);   // --help: procps's text, then ebb's own options
        else
            Assert.Equal(real.Out, ebb.Out);
        Assert.Equal(real.Err, ebb.Err);
        Assert.Equal(real.Code, ebb.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-b")]
    [InlineData("-k")]
    [InlineData("-m")]
    [InlineData("-g")]
    [InlineData("--tebi")]
    [InlineData("--pebi")]
    [InlineData("--kilo")]
    [InlineData("--mega")]
    [InlineData("--giga")]
    [InlineData("--tera")]
    [InlineData("--peta")]
    [InlineData("--si")]
    [InlineData("-h")]
    [InlineData("-h --si")]
    [InlineData("-w")]
    [InlineData("-l")]
    [InlineData("-t")]
    [InlineData("-v")]
    [InlineData("-ltvw")]
    [InlineData("-h -ltvw")]
    [InlineData("--si -m -lt")]
    [InlineData("-c 2 -s 0.01")]
    [InlineData("-c 3 -s 0.01 -h -w")]
    public void Report_SameShapeAsLiveFree(string argLine)
    {
        string[] args = argLine.Length == 0 ? [] : argLine.Split(' ');
        var real = RunReal(args);
        var ebb = RunEbb(args);
        Assert.Equal(0, real.Code);
        Assert.Equal(0, ebb.Code);
        Assert.Equal("", ebb.Err);
        AssertSameReport(real.Out, ebb.Out, args);
    }

    private const string ReportHeaderStart = "               total";

    // Lines, labels and header exact; the totals exact; moving figures within a tolerance.
    private static void AssertSameReport(string real, string ebb, string[] args)
    {
        double unit = PlainUnitBytes(args);
        string[] r = real.Split('\n'), e = ebb.Split('\n');
        Assert.Equal(r.Length, e.Length);
        ulong memTotal = MeminfoTotalBytes();
        for (int i = 0; i < r.Length; i++)
        {
            string[] rf = r[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string[] ef = e[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (rf.Length == 0 || rf[0] == "total")
            {
                Assert.Equal(r[i], e[i]);   // header and the blank line between reports
                continue;
            }
            Assert.Equal(rf.Length, ef.Length);
            Assert.Equal(rf[0], ef[0]);     // Mem:, Low:, High:, Swap:, Total:, Comm:
            for (int c = 1; c < rf.Length; c++)
            {
                // The first column is a total (MemTotal, LowTotal, HighTotal, SwapTotal, their sum,
                // CommitLimit): it does not move, so it must be the same text.
                if (c == 1) Assert.Equal(rf[c], ef[c]);
                else AssertClose(rf[c], ef[c], unit, memTotal, $"line {i} '{rf[0]}' column {c}: real {rf[c]}, ebb {ef[c]}");
            }
        }
    }

    private static void AssertClose(string real, string ebb, double plainUnit, ulong memTotal, string what)
    {
        var (rv, rp) = ParseCell(real, plainUnit);
        var (ev, ep) = ParseCell(ebb, plainUnit);
        // Other processes run on this machine: allow 2% of RAM (at least 256 MiB)
        // of movement between the two reads, plus each cell's own rounding.
        double tolerance = Math.Max(256.0 * 1024 * 1024, memTotal * 0.02) + rp + ep;
        Assert.True(Math.Abs(rv - ev) <= tolerance, what);
    }

    // A cell in bytes, and the precision it was printed with: -h cells carry their unit
    // (B, Ki, Mi, ... or K, M, ... with --si); plain numbers are in the option's unit.
    private static (double Bytes, double Precision) ParseCell(string s, double plainUnit)
    {
        var inv = CultureInfo.InvariantCulture;
        int unitAt = s.IndexOfAny(['B', 'K', 'M', 'G', 'T', 'P']);
        if (unitAt < 0) return (double.Parse(s, inv) * plainUnit, plainUnit);
        if (s[unitAt] == 'B') return (double.Parse(s[..unitAt], inv), 1);
        double b = s.EndsWith('i') ? 1024 : 1000;
        double unit = Math.Pow(b, "KMGTP".IndexOf(s[unitAt]) + 1);
        string number = s[..unitAt];
        return (double.Parse(number, inv) * unit, number.Contains('.') ? unit / 10 : unit);
    }

    // The bytes one printed unit stands for, from free's unit options (procps's exponent:
    // 0 = the default, bytes / base; 1 = bytes; n = bytes / base^(n-1)).
    private static double PlainUnitBytes(string[] args)
    {
        int exponent = 0;
        bool si = false;
        foreach (string a in args)
        {
            (int e, bool s) = a switch
            {
                "-b" or "--bytes" => (1, false),
                "-k" or "--kibi" => (2, false), "--kilo" => (2, true),
                "-m" or "--mebi" => (3, false), "--mega" => (3, true),
                "-g" or "--gibi" => (4, false), "--giga" => (4, true),
                "--tebi" => (5, false), "--tera" => (5, true),
                "--pebi" => (6, false), "--peta" => (6, true),
                "--si" => (0, true),
                _ => (0, false),
            };
            if (e != 0) exponent = e;
            si |= s;
        }
        double b = si ? 1000 : 1024;
        return exponent switch { 0 => b, 1 => 1, _ => Math.Pow(b, exponent - 1) };
    }

    private static ulong MeminfoTotalBytes()
    {
        foreach (string line in File.ReadLines("/proc/meminfo"))
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                return ulong.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        throw new InvalidDataException("no MemTotal in /proc/meminfo");
    }
}
