using System.Diagnostics;

namespace Ebb.Tests.Checks;

/// <summary>
/// The checked and guarded modes in a process of their own (the mode is read from the
/// environment once per process), run in Ebb.TestHost (tests/Ebb.TestHost/CheckScenarios.cs):
/// what the report on stderr says and the exit code.
/// </summary>
public class CheckChildProcessTests
{
    private static readonly string s_hostDll = Path.Combine(
        AppContext.BaseDirectory.Replace($"{Path.DirectorySeparatorChar}Ebb.Tests{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}",
            $"{Path.DirectorySeparatorChar}Ebb.TestHost{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal),
        "Ebb.TestHost.dll");

    private sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Value(string key) =>
            Stdout.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..]
            ?? throw new Xunit.Sdk.XunitException($"no {key}= in the output:\n{this}");

        public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    private static Result Run(string scenario, params (string Name, string Value)[] env)
    {
        Assert.True(File.Exists(s_hostDll), $"missing {s_hostDll}");
        var psi = new ProcessStartInfo("dotnet") { ArgumentList = { s_hostDll, scenario } };
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("EBB_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000)) { p.Kill(entireProcessTree: true); Assert.Fail($"{scenario} timed out"); }
        return new Result(p.ExitCode, stdout, stderr.Result);
    }

    public static TheoryData<string, string> AllModes => new()
    {
        { "EBB_CHECK", "1" },
        { "EBB_GUARD", "all" },
        { "EBB_GUARD", "sample:1" },
    };

    [Fact]
    public void Report_NamesTheFileAndLineOfTheAllocatingStatement()
    {
        var r = Run("check-overflow", ("EBB_CHECK", "1"));
        Assert.Equal("heap-buffer-overflow", r.Value("caught"));
        Assert.Contains($"CheckScenarios.cs:line {r.Value("alloc_line")}", r.Stderr);
        Assert.DoesNotContain("IL offset", r.Stderr.Split("allocated by")[1].Split('\n')[1]);
    }

    [Fact]
    public void Report_IsPrintedWholeOnStderr_WhenTheProgramCatchesIt_AndEndsWithASummary()
    {
        var r = Run("check-overflow", ("EBB_CHECK", "1"));
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int first = Array.FindIndex(lines, l => l.StartsWith("ebb: ERROR: heap-buffer-overflow: 1 byte written 0 bytes after the 20-byte block", StringComparison.Ordinal));
        Assert.True(first >= 0, r.ToString());
        string report = string.Join('\n', lines[first..]);
        Assert.Contains("WRITE of size 1 at 0x", report);
        Assert.Matches(@"0x[0-9a-f]+ is located 0 bytes to the right of 20-byte region \[0x[0-9a-f]+,0x[0-9a-f]+\)", report);
        Assert.Contains("allocated by thread", report);
        Assert.Matches(@"SUMMARY: Ebb: heap-buffer-overflow .*CheckScenarios\.cs:line \d+", report);
        Assert.Contains($"process {ProcessIdOf(report)}", report);
        // Printed once, though the exception went through several of Ebb's frames.
        Assert.Single(lines, l => l.StartsWith("SUMMARY:", StringComparison.Ordinal));
    }

    private static string ProcessIdOf(string report) =>
        System.Text.RegularExpressions.Regex.Match(report, @"process (\d+)").Groups[1].Value is { Length: > 0 } pid ? pid : "(none)";

    [Fact]
    public void Report_IsPrintedWhole_BeforeTheRuntimesUnhandledExceptionText()
    {
        var r = Run("check-overflow-unhandled", ("EBB_CHECK", "1"));
        Assert.NotEqual(0, r.ExitCode);
        int report = r.Stderr.IndexOf("ebb: ERROR: heap-buffer-overflow", StringComparison.Ordinal);
        int summary = r.Stderr.IndexOf("SUMMARY: Ebb: heap-buffer-overflow", StringComparison.Ordinal);
        int unhandled = r.Stderr.IndexOf("Unhandled exception.", StringComparison.Ordinal);
        Assert.True(report >= 0 && report < summary && summary < unhandled, r.ToString());
        string whole = r.Stderr[report..summary];
        Assert.Contains("is located 0 bytes to the right of 20-byte region", whole);
        Assert.Contains($"CheckScenarios.cs:line {r.Value("alloc_line")}", whole[whole.IndexOf("allocated by", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void Report_IsNotPrinted_WhenTheProgramAsksForSilence()
    {
        var r = Run("check-overflow", ("EBB_CHECK", "1"), ("EBB_PRINT_ERRORS", "0"));
        Assert.Equal("heap-buffer-overflow", r.Value("caught"));
        Assert.DoesNotContain("ebb: ERROR", r.Stderr);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public void EbbHeapBlock_OverflowedByOneByte_IsReported(string variable, string value)
    {
        var r = Run("heap-overflow", (variable, value));
        // Checked mode and the sampled mode's slack find it at free; guarded-all faults at the write.
        Assert.Contains("heap-buffer-overflow", r.Stderr);
        if (value == "all") Assert.NotEqual(0, r.ExitCode);
        else Assert.Equal("heap-buffer-overflow", r.Value("caught"));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public void EbbHeapBlock_FreedByDispose_ThenFreedAgain_IsADoubleFree(string variable, string value)
    {
        var r = Run("heap-dispose", (variable, value));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("double-free", r.Value("caught"));
        Assert.Equal("double-free", r.Value("caught_aligned"));
        Assert.Equal("1", r.Value("validated"));
    }

    [Theory]
    [InlineData("EBB_CHECK", "1")]
    [InlineData("EBB_GUARD", "sample:1")]
    public void EveryEbbHeapAllocationApi_IsChecked(string variable, string value)
    {
        var r = Run("heap-apis", (variable, value));
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var api in new[] { "alloc", "alloc_zeroed", "try_alloc", "aligned_alloc", "realloc", "aligned_realloc" })
            Assert.True(r.Value(api) == "heap-buffer-overflow", $"{api}: {r}");
        Assert.Equal("24", r.Value("usable_size"));
    }

    [Fact]
    public void SampledMode_ReadRightAfterFree_Faults()
    {
        var r = Run("uaf-read", ("EBB_GUARD", "sample:1"));
        Assert.Equal("1", r.Value("sampled"));
        Assert.DoesNotContain("read=", r.Stdout);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("ebb: ERROR: heap-use-after-free: read at 0x", r.Stderr);
        Assert.Contains("READ of size 1 at 0x", r.Stderr);
        Assert.Contains("SUMMARY: Ebb: heap-use-after-free", r.Stderr);
        // Both stacks symbolized, though neither was rendered before the fault: the handler had them rendered.
        string allocated = r.Stderr[r.Stderr.IndexOf("allocated by thread", StringComparison.Ordinal)..];
        Assert.Contains($"CheckScenarios.cs:line {r.Value("alloc_line")}", allocated.Split("freed by thread")[0]);
        Assert.Contains($"CheckScenarios.cs:line {r.Value("free_line")}", allocated.Split("freed by thread")[1]);
    }

    [Fact]
    public void SampledMode_AReallocNotChosen_ResizesInPlace_AsReleaseModeDoes()
    {
        var r = Run("sampled-realloc", ("EBB_GUARD", "sample:1000000000"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("100", r.Value("in_place"));
    }

    [Fact]
    public void Leaks_MakeTheExitCode23_ByDefault()
    {
        var r = Run("leak", ("EBB_CHECK", "1"), ("EBB_LEAKS", "1"));
        Assert.Contains("ebb: ERROR: memory-leak: 100 bytes in 1 block", r.Stderr);
        Assert.Contains("SUMMARY: Ebb: 100 byte(s) leaked in 1 allocation(s)", r.Stderr);
        Assert.Equal(23, r.ExitCode);
    }

    [Fact]
    public void Leaks_LeaveTheExitCodeAlone_WithLeakExitCodeZero()
    {
        var r = Run("leak", ("EBB_CHECK", "1"), ("EBB_LEAKS", "1"), ("EBB_LEAK_EXITCODE", "0"));
        Assert.Contains("ebb: ERROR: memory-leak", r.Stderr);
        Assert.Equal(0, r.ExitCode);
    }
}
