using Ebb.Cli.Commands;
using Ebb.Proc.Tests.Free;

namespace Ebb.Cli.Tests.Free;

/// <summary>
/// `ebb free --proc-root TREE ARGS` against what the real procps-ng 4.0.2 free printed for
/// ARGS with TREE/meminfo bind-mounted over /proc/meminfo (fixtures/free/make-expected.sh):
/// stdout, stderr and the exit code, byte for byte.
/// </summary>
public class FreeCommandFixtureTests
{
    public static TheoryData<string, int> TreeCases()
    {
        var data = new TheoryData<string, int>();
        foreach (string tree in FreeExpectations.TreeNames())
            for (int i = 0; i < FreeExpectations.Load(tree).Count; i++) data.Add(tree, i);
        return data;
    }

    public static TheoryData<int> ErrorCases()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < FreeExpectations.Load("errors").Count; i++) data.Add(i);
        return data;
    }

    internal static (int Code, string Out, string Err, List<TimeSpan> Sleeps) RunEbb(string tree, string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var sleeps = new List<TimeSpan>();
        string[] full = ["--proc-root", FreeExpectations.Tree(tree), .. args];
        int code = FreeCommand.Run(full, o, e, (d, _) => sleeps.Add(d), CancellationToken.None);
        return (code, o.ToString(), e.ToString(), sleeps);
    }

    [Theory]
    [MemberData(nameof(TreeCases))]
    public void SameAsProcps_OnEveryTreeAndOptionSet(string tree, int index)
    {
        var expected = FreeExpectations.Load(tree)[index];
        var (code, stdout, stderr, _) = RunEbb(tree, expected.Args);
        Assert.Equal(expected.Stdout, stdout);
        Assert.Equal(expected.Stderr, stderr);
        Assert.Equal(expected.ExitCode, code);
    }

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void SameAsProcps_OnBadCommandLines(int index)
    {
        var expected = FreeExpectations.Load("errors")[index];
        var (code, stdout, stderr, _) = RunEbb("live-6.18", expected.Args);
        // --help: procps's text, then ebb's own options (docs/compatibility.md).
        Assert.Equal(expected.Stdout == FreeCommand.UsageText ? expected.Stdout + FreeCommand.EbbHelpText : expected.Stdout, stdout);
        Assert.Equal(expected.Stderr, stderr);
        Assert.Equal(expected.ExitCode, code);
    }

    [Fact]
    public void EmptyMeminfo_IsProcpsMessageAndExit1()
    {
        var expected = Assert.Single(FreeExpectations.Load("empty"));
        var (code, stdout, stderr, _) = RunEbb("empty", expected.Args);
        // procps's line, then (a saved tree) which file and what is wrong with it.
        string file = Path.Combine(FreeExpectations.Dir, "trees", "empty", "meminfo");
        Assert.Equal(("", $"free: Unable to create meminfo structure: {file}: empty file\n", 1), (stdout, stderr, code));
        Assert.Equal((expected.Stdout, expected.Stderr.TrimEnd('\n'), expected.ExitCode), (stdout, stderr[..expected.Stderr.TrimEnd('\n').Length], code));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("corrupt-line")]
    [InlineData("bad-unit")]
    public void CorruptMeminfo_IsOneLineAndExit1(string tree)
    {
        // procps reads such files as best it can (see docs/compatibility.md); ebb refuses them.
        var (code, stdout, stderr, _) = RunEbb(tree, []);
        Assert.Equal("", stdout);
        // procps's words, then the file and what is wrong with it: "line N: ...".
        string file = Path.Combine(FreeExpectations.Dir, "trees", tree, "meminfo");
        Assert.Matches($"^free: Unable to create meminfo structure: {System.Text.RegularExpressions.Regex.Escape(file)}: line [0-9]+: [^\n]+\n$", stderr);
        Assert.Equal(1, code);
    }

    [Fact]
    public void MissingMeminfo_NamesTheFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ebb-free-missing-" + Guid.NewGuid().ToString("N"));
        var o = new StringWriter();
        var e = new StringWriter();
        int code = FreeCommand.Run(["--proc-root", dir], o, e);
        Assert.Equal(1, code);
        Assert.Equal("", o.ToString());
        Assert.Equal($"free: Memory information file {dir}/meminfo does not exist\n", e.ToString());
    }

    [Theory]
    [InlineData("-c 3 -s 0.25", 3, 250_000)]
    [InlineData("-c 2", 2, 1_000_000)]            // -c alone repeats every second
    [InlineData("-s 0.000001 -c 2", 2, 1)]
    [InlineData("-c 1 -s 5", 1, 0)]
    public void Repeat_PrintsCountReports_AndSleepsBetweenThem(string argLine, int reports, long micros)
    {
        var (code, stdout, _, sleeps) = RunEbb("live-6.18", argLine.Split(' '));
        Assert.Equal(0, code);
        Assert.Equal(reports, stdout.Split(FreeFormatterHeader).Length - 1);
        Assert.Equal(reports - 1, sleeps.Count);
        Assert.All(sleeps, s => Assert.Equal(TimeSpan.FromMicroseconds(micros), s));
    }

    [Fact]
    public void Seconds_WithoutCount_LoopsUntilCancelled()
    {
        using var cts = new CancellationTokenSource();
        var o = new StringWriter();
        int sleeps = 0;
        int code = FreeCommand.Run(["--proc-root", FreeExpectations.Tree("live-6.18"), "-s", "2"], o, new StringWriter(),
            (_, token) => { if (++sleeps == 4) cts.Cancel(); token.ThrowIfCancellationRequested(); }, cts.Token);
        Assert.Equal(0, code);
        Assert.Equal(4, o.ToString().Split(FreeFormatterHeader).Length - 1);
    }

    [Fact]
    public void Verb_IsRegistered()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(0, Cli.Run(["free", "-V"], o, e));
        Assert.Equal("free from procps-ng 4.0.2\n", o.ToString());
    }

    private const string FreeFormatterHeader = "               total        used";
}
