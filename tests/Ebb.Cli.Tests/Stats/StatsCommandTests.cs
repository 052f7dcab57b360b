using System.Diagnostics;
using System.Text.Json;

namespace Ebb.Cli.Tests.Stats;

/// <summary>Tests that allocate from Ebb in this process and read its figures: nothing else may run meanwhile.</summary>
[CollectionDefinition(nameof(StatsSerial), DisableParallelization = true)]
public sealed class StatsSerial;

// `ebb stats PID` reads Ebb's meter over the diagnostics channel (EventPipe). The process read
// is this test process (it uses Ebb; a numeric PID goes over the channel even when it is ebb's
// own): the figures must move as it allocates and frees.
[Collection(nameof(StatsSerial))]
public unsafe class StatsCommandTests
{
    private static JsonElement Read(string target)
    {
        var (code, stdout, stderr) = CliRunner.Run("stats", target, "--json");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        return JsonDocument.Parse(stdout.Trim()).RootElement;
    }

    [Fact]
    public void Pid_FiguresMoveAsTheProcessAllocatesAndFrees()
    {
        EbbMemory.Free(EbbMemory.Alloc(16)); // the meter exists from the allocator's first use
        string pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        long before = Read(pid).GetProperty("in_use").GetInt64();

        const int count = 512, size = 64 << 10;
        var blocks = new nint[count];
        for (int i = 0; i < count; i++)
        {
            blocks[i] = (nint)EbbMemory.Alloc(size);
            new Span<byte>((void*)blocks[i], size).Fill(1);
        }
        JsonElement during = Read(pid);
        foreach (nint b in blocks) EbbMemory.Free((void*)b);
        EbbMemory.Trim();
        JsonElement after = Read(pid);

        long total = (long)count * size;
        Assert.True(during.GetProperty("in_use").GetInt64() - before >= total, $"in use {before} then {during.GetProperty("in_use")}");
        Assert.True(during.GetProperty("committed").GetInt64() >= total);
        Assert.True(during.GetProperty("os_calls").GetProperty("mmap").GetInt64() > 0);
        Assert.True(during.GetProperty("in_use").GetInt64() - after.GetProperty("in_use").GetInt64() >= total,
            $"in use {during.GetProperty("in_use")} then {after.GetProperty("in_use")} after the frees");
        Assert.Equal(Environment.ProcessId, after.GetProperty("pid").GetInt32());
    }

    private static bool HasMetricsLibrary(int pid) =>
        File.ReadLines($"/proc/{pid}/maps").Any(l => l.EndsWith("/System.Diagnostics.DiagnosticSource.dll", StringComparison.Ordinal));

    [Fact]
    public void Pid_AProcessThatUsesNoMetrics_DoesNotLoadThemForEbb_YetIsRead()
    {
        // The child allocates with Ebb and uses no metrics: Ebb does not load the metrics library
        // for it; the session `ebb stats` opens makes the runtime load it, and Ebb's meter follows.
        using var child = new TestHostChild("address-space");
        // The child says ready once its purge thread's start-up (where the meter used to be created) has run.
        Assert.Contains("background-start=ran", child.Lines);
        Assert.False(HasMetricsLibrary(child.Pid), "System.Diagnostics.DiagnosticSource.dll is mapped before any session");

        JsonElement figures = Read(child.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(figures.GetProperty("in_use").GetInt64() >= 8 << 20, figures.ToString());
        Assert.True(HasMetricsLibrary(child.Pid));
    }

    [Fact]
    public void Text_HasPrintStatsShape()
    {
        EbbMemory.Free(EbbMemory.Alloc(16));
        var (code, stdout, stderr) = CliRunner.Run("stats", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(code == 0, stderr);
        Assert.StartsWith($"ebb: allocator statistics of process {Environment.ProcessId}\n", stdout);
        foreach (string line in new[] { "reserved ", "committed ", "resident (max) ", "pending purge ", "in use ", "blocks in use ", "purged " })
            Assert.Contains("\n" + line, stdout);
        Assert.Matches(@"\nmmap +[0-9,]+ calls\n", stdout);
    }

    [Fact]
    public void Interval_PrintsEachCollection_CountTimes()
    {
        EbbMemory.Free(EbbMemory.Alloc(16));
        var (code, stdout, stderr) = CliRunner.Run("stats", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--interval", "0.2", "--count", "3", "--json");
        Assert.True(code == 0, stderr);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        foreach (string line in lines) Assert.True(JsonDocument.Parse(line).RootElement.GetProperty("reserved").GetInt64() > 0, line);
    }

    [Fact]
    public void Self_ReadsThisProcessDirectly()
    {
        var (code, stdout, _) = CliRunner.Run("stats", "self");
        Assert.Equal(0, code);
        Assert.StartsWith($"ebb: allocator statistics of process {Environment.ProcessId} (self)", stdout);
    }

    [Theory]
    [InlineData(new[] { "stats" }, "ebb stats: which process? (ebb stats PID|self)")]
    [InlineData(new[] { "stats", "abc" }, "ebb stats: 'abc' is not a process id (a number, 0x hex, /proc/PID or self)")]
    [InlineData(new[] { "stats", "999999999" }, "ebb stats: no process 999999999")]
    [InlineData(new[] { "stats", "self", "--interval", "0" }, "ebb stats: --interval needs a number of seconds from 0.1 to 3600")]
    [InlineData(new[] { "stats", "self", "--count", "2" }, "ebb stats: --count goes with --interval")]
    [InlineData(new[] { "stats", "self", "--bogus" }, "ebb stats: unknown option '--bogus' (try 'ebb stats --help')")]
    public void BadInput_OneLine(string[] args, string error)
    {
        var (code, _, stderr) = CliRunner.Run(args);
        Assert.Equal(1, code);
        Assert.Equal(error, stderr.TrimEnd('\n'));
    }

    [Fact]
    public void NotADotNetProcess_OneLine()
    {
        using var sleep = Process.Start(new ProcessStartInfo("sleep", "30"))!;
        try
        {
            var (code, _, stderr) = CliRunner.Run("stats", sleep.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(1, code);
            Assert.Equal($"ebb stats: cannot attach to process {sleep.Id}: not a .NET process, or its diagnostics are off (DOTNET_EnableDiagnostics=0)", stderr.TrimEnd('\n'));
        }
        finally
        {
            sleep.Kill();
        }
    }
}
