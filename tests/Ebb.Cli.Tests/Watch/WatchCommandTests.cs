using System.Diagnostics;
using System.Xml.Linq;
using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests.Watch;

public class WatchCommandTests
{
    // Sample lines start with the elapsed time, e.g. "    0.01s".
    private static string[] SampleLines(string stdout) =>
        stdout.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^ *[0-9]+\.[0-9]{2}s ")).ToArray();

    private static void AssertOneLineError((int Code, string Out, string Err) r, string expected)
    {
        Assert.Equal(1, r.Code);
        Assert.Equal("", r.Out);
        Assert.Equal(expected + Environment.NewLine, r.Err);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Self_EmitsExactlyCountSamples(int n)
    {
        var (code, stdout, err) = Run("watch", "self", "--interval", "0.01", "--count", n.ToString());
        Assert.Equal(0, code);
        Assert.Equal("", err);
        var lines = stdout.Split('\n');
        Assert.StartsWith($"watching process self (", lines[0]);
        Assert.Contains("TIME", lines[1]);
        Assert.Equal(n, SampleLines(stdout).Length);
        Assert.StartsWith($"{n} sample", lines[2 + n]);
    }

    [Fact]
    public void Svg_IsXmlWithOnePointPerSample()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ebb-watch-{Environment.ProcessId}-{Guid.NewGuid():N}.svg");
        try
        {
            var (code, stdout, _) = Run("watch", "self", "--interval=0.01", "--count=6", "-o", path);
            Assert.Equal(0, code);
            Assert.EndsWith($"wrote {path}\n", stdout);
            var doc = XDocument.Load(path);
            XNamespace svg = "http://www.w3.org/2000/svg";
            Assert.Equal(svg + "svg", doc.Root!.Name);
            var rss = doc.Descendants(svg + "polyline").Single(p => (string?)p.Attribute("id") == "rss");
            Assert.Equal(6, rss.Attribute("points")!.Value.Split(' ').Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Signals once the watch has printed its first sample line.
    private sealed class FirstSampleWriter : StringWriter
    {
        public ManualResetEventSlim FirstSample { get; } = new();

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && SampleLines(value).Length > 0) FirstSample.Set();
        }
    }

    [Fact]
    public async Task ProcessExitingMidWatch_EndsWithAClearLine()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            var o = new FirstSampleWriter();
            var e = new StringWriter();
            // The child is killed only after the watch has sampled it, so the test does not race its start.
            var killer = Task.Run(() =>
            {
                o.FirstSample.Wait(TimeSpan.FromSeconds(60));
                Thread.Sleep(100);
                child.Kill();
            });
            int code = Cli.Run(["watch", child.Id.ToString(), "--interval", "0.02", "--count", "100000"], o, e);
            await killer;
            string stdout = o.ToString();
            Assert.Equal(0, code);
            Assert.Equal("", e.ToString());
            int samples = SampleLines(stdout).Length;
            Assert.InRange(samples, 1, 99_999);
            Assert.Contains($"\nprocess {child.Id} exited; {samples} sample{(samples == 1 ? "" : "s")} over ", stdout);
        }
        finally
        {
            if (!child.HasExited) child.Kill();
            child.WaitForExit();
        }
    }

    [Fact]
    public void MissingPid_IsOneLineAndNonZero()
    {
        AssertOneLineError(Run("watch", "2147483647", "--count", "1"), "ebb watch: no such process: 2147483647");
    }

    [Fact]
    public void ProcRoot_ReadsASavedTree()
    {
        string root = Path.Combine(Path.GetTempPath(), $"ebb-watch-root-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(root, "77"));
        try
        {
            File.WriteAllText(Path.Combine(root, "77", "status"),
                "Name:\tsaved\nState:\tS (sleeping)\nVmRSS:\t    3072 kB\nRssAnon:\t    1024 kB\nRssFile:\t    2048 kB\nRssShmem:\t       0 kB\n");
            var (code, stdout, _) = Run("watch", "77", "--proc-root", root, "--interval", "0.001", "--count", "2");
            Assert.Equal(0, code);
            Assert.StartsWith("watching process 77 (saved): RSS every 0.001 s, 2 samples\n", stdout);
            var lines = SampleLines(stdout);
            Assert.Equal(2, lines.Length);
            Assert.Contains("     3.0 MiB     1.0 MiB     2.0 MiB     0.0 MiB", lines[0]);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void BadOptions_AreOneLine()
    {
        AssertOneLineError(Run("watch"), "ebb watch: which process? (ebb watch PID|self; try 'ebb watch --help')");
        AssertOneLineError(Run("watch", "self", "--interval", "0"), "ebb watch: --interval needs seconds between 0.001 and 86400, not '0'");
        AssertOneLineError(Run("watch", "self", "--interval", "abc"), "ebb watch: --interval needs seconds between 0.001 and 86400, not 'abc'");
        AssertOneLineError(Run("watch", "self", "--count", "-3"), "ebb watch: --count needs a positive whole number, not '-3'");
        AssertOneLineError(Run("watch", "self", "--count"), "ebb watch: option '--count' needs a value");
        AssertOneLineError(Run("watch", "self", "--frob"), "ebb watch: unknown option '--frob' (try 'ebb watch --help')");
        AssertOneLineError(Run("watch", "x1"), "ebb watch: 'x1' is not a process id (a number, 0x hex, /proc/PID or self)");
        AssertOneLineError(Run("watch", "1", "2"), "ebb watch: one process at a time ('1' and '2')");
    }

    [Fact]
    public void Help_IsUsage()
    {
        var (code, stdout, _) = Run("watch", "--help");
        Assert.Equal(0, code);
        Assert.StartsWith("Usage: ebb watch PID|self", stdout);
    }
}
