using Ebb.Cli.Lab;
namespace Ebb.Cli.Tests.Checks;

// One child process per error kind and mode (`ebb lab errors --child NAME` with the mode's
// variables), asserting the exit code, the report's kind, block size, offset and the
// allocating method; and clean programs under every mode: no report, exit 0.
public class ChecksChildTests
{
    // Guard faults are reported by the native handler when the build found a C compiler.
    private static readonly bool s_nativeReporter = File.Exists(Path.Combine(AppContext.BaseDirectory, "libebbfault.so"));

    // Said when a test's native half cannot be checked: the test is reported skipped, not passed.
    private const string NoNativeReporter = "libebbfault.so was not built (no C compiler when Ebb built): the native fault report is not checked";

    private static ErrorsLab.ChildResult Run(string scenario, string mode)
    {
        var env = mode.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2)).Select(kv => (kv[0], kv[1]));
        return ErrorsLab.RunChild(scenario, env);
    }

    private static string FirstReportLine(string stderr) =>
        stderr.Split('\n').FirstOrDefault(l => l.StartsWith("ebb: ERROR:", StringComparison.Ordinal))?.TrimEnd('\r')
        ?? throw new Xunit.Sdk.XunitException("no report in:\n" + stderr);

    [Theory]
    [InlineData("overflow", "EBB_CHECK=1", "heap-buffer-overflow: 1 byte written 0 bytes after the 13-byte block at 0x", ", found at free", "ErrorScenarios.Overflow")]
    [InlineData("underflow", "EBB_CHECK=1", "heap-buffer-underflow: 1 byte written 1 byte before the 32-byte block at 0x", ", found at free", "ErrorScenarios.Underflow")]
    [InlineData("double-free", "EBB_CHECK=1", "double-free: free of 0x", ", the 13-byte block already freed", "ErrorScenarios.DoubleFree")]
    [InlineData("realloc-freed", "EBB_CHECK=1", "double-free: realloc of 0x", ", the 13-byte block already freed", "ErrorScenarios.ReallocFreed")]
    [InlineData("use-after-free-checked", "EBB_CHECK=1", "heap-use-after-free: 1 byte written 3 bytes inside the freed 13-byte block at 0x", ", found by Validate()", "ErrorScenarios.UseAfterFreeThenValidate")]
    [InlineData("invalid-free", "EBB_CHECK=1", "invalid-free: free of 0x", "8 bytes inside the 64-byte block at 0x", "ErrorScenarios.InvalidFree")]
    [InlineData("double-free", "EBB_GUARD=all", "double-free: free of 0x", ", the 13-byte block already freed", "ErrorScenarios.DoubleFree")]
    [InlineData("double-free", "EBB_GUARD=sample:1", "double-free: free of 0x", ", the 13-byte block already freed", "ErrorScenarios.DoubleFree")]
    // Sampled blocks stay 16-byte aligned: 1 byte past a 13-byte one is in the slack, found at free.
    [InlineData("overflow", "EBB_GUARD=sample:1", "heap-buffer-overflow: 1 byte written 0 bytes after the 13-byte block at 0x", ", found at free", "ErrorScenarios.Overflow")]
    public void ManagedReports_ThrowAndExitNonZero(string scenario, string mode, string start, string rest, string allocator)
    {
        var r = Run(scenario, mode);
        Assert.Equal(1, r.ExitCode);
        string line = FirstReportLine(r.Stderr);
        Assert.StartsWith("ebb: ERROR: " + start, line);
        Assert.Contains(rest, line);
        int allocated = r.Stderr.IndexOf("allocated by thread ", StringComparison.Ordinal);
        Assert.True(allocated > 0, r.Stderr);
        Assert.Contains(allocator, r.Stderr[allocated..]);
        if (scenario.Contains("free") && !scenario.StartsWith("invalid")) Assert.Contains("freed by thread ", r.Stderr);
    }

    [SkippableTheory]
    [InlineData("overflow", "EBB_GUARD=all", "heap-buffer-overflow: write at 0x", ", 0 bytes after the 13-byte block at 0x", "ErrorScenarios.Overflow")]
    [InlineData("overflow-16", "EBB_GUARD=sample:1", "heap-buffer-overflow: write at 0x", ", 0 bytes after the 16-byte block at 0x", "ErrorScenarios.Overflow16")]
    [InlineData("read-overflow", "EBB_GUARD=all", "heap-buffer-overflow: read at 0x", ", 0 bytes after the 13-byte block at 0x", "ErrorScenarios.ReadOverflow")]
    [InlineData("use-after-free", "EBB_GUARD=all", "heap-use-after-free: write at 0x", ", 3 bytes inside the freed 13-byte block at 0x", "ErrorScenarios.UseAfterFree")]
    [InlineData("use-after-free-closed", "EBB_GUARD=sample:1", "heap-use-after-free: write at 0x", ", 3 bytes inside the freed 13-byte block at 0x", "ErrorScenarios.UseAfterFreeOnceClosed")]
    public void GuardFaults_StopAtTheAccess_WithTheNativeReport(string scenario, string mode, string start, string rest, string allocator)
    {
        var r = Run(scenario, mode);
        // The runtime ends the process with SIGABRT after an access violation.
        Assert.Equal(134, r.ExitCode);
        Assert.Contains("AccessViolationException", r.Stderr);
        Skip.IfNot(s_nativeReporter, NoNativeReporter);
        string line = FirstReportLine(r.Stderr);
        Assert.StartsWith("ebb: ERROR: " + start, line);
        Assert.Contains(rest, line);
        Assert.EndsWith(", at the faulting instruction", line);
        int allocated = r.Stderr.IndexOf("allocated by thread ", StringComparison.Ordinal);
        Assert.True(allocated > 0, r.Stderr);
        Assert.Contains(allocator, r.Stderr[allocated..]);
        if (scenario.StartsWith("use-after-free", StringComparison.Ordinal)) Assert.Contains("freed by thread ", r.Stderr);
        // The runtime's own message (and faulting managed frame) follows the report.
        Assert.True(r.Stderr.IndexOf("AccessViolationException", StringComparison.Ordinal) > r.Stderr.IndexOf("ebb: ERROR:", StringComparison.Ordinal));
    }

    // Sampled mode closes a freed slot a few milliseconds after the free, off the freeing
    // thread; a write inside that window is found by the freed fill's check when the slot is
    // closed (by the guard thread, or at exit if the process ends first), reported on stderr,
    // and the exit code becomes 1. (Should the guard thread close the slot in the nanoseconds
    // between the free and the write, the write faults instead: also right, and checked.)
    [SkippableFact]
    public void SampledMode_WriteAfterFreeBeforeTheSlotIsClosed_IsReported_AndTheExitCodeIsOne()
    {
        var r = Run("use-after-free", "EBB_GUARD=sample:1");
        if (r.ExitCode == 134)
        {
            Assert.Contains("AccessViolationException", r.Stderr);
            Skip.IfNot(s_nativeReporter, NoNativeReporter);
            Assert.StartsWith("ebb: ERROR: heap-use-after-free: write at 0x", FirstReportLine(r.Stderr));
        }
        else
        {
            string line = FirstReportLine(r.Stderr);
            Assert.Equal(1, r.ExitCode);
            Assert.StartsWith("ebb: ERROR: heap-use-after-free: 1 byte written 3 bytes inside the freed 13-byte block at 0x", line);
            Assert.True(line.EndsWith(", found when its slot was closed", StringComparison.Ordinal) || line.EndsWith(", found at exit", StringComparison.Ordinal), line);
        }
        int allocated = r.Stderr.IndexOf("allocated by thread ", StringComparison.Ordinal);
        int freed = r.Stderr.IndexOf("freed by thread ", StringComparison.Ordinal);
        Assert.True(allocated > 0 && freed > allocated, r.Stderr);
        Assert.Contains("ErrorScenarios.UseAfterFree", r.Stderr[allocated..freed]);
        Assert.Contains("ErrorScenarios.UseAfterFree", r.Stderr[freed..]);
    }

    [Fact]
    public void InvalidFree_IsCaughtInReleaseMode()
    {
        var r = Run("invalid-free", "");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("ebb: ERROR: invalid-free: ", FirstReportLine(r.Stderr));
        Assert.Contains("8 bytes inside the 64-byte block", FirstReportLine(r.Stderr));
    }

    [Fact]
    public void Leaks_AreReportedAtExit_LargestSiteFirst_ExitCode23()
    {
        var r = Run("leak", "EBB_CHECK=1 EBB_LEAKS=1");
        Assert.Equal(23, r.ExitCode);
        var lines = r.Stderr.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("ebb: ERROR: memory-leak: 324 bytes in 4 blocks", lines[0]);
        Assert.Equal("300 bytes in 3 blocks allocated at:", lines[1]);
        Assert.Contains("ErrorScenarios.Leak", lines[2]);
        Assert.Contains("24 bytes in 1 block allocated at:", r.Stderr);
    }

    [Fact]
    public void Uninitialized_BlocksReadAsJunk()
    {
        var r = Run("uninit", "EBB_CHECK=1");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("0xaaaaaaaa", r.Stdout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("EBB_CHECK=1")]
    [InlineData("EBB_CHECK=1 EBB_LEAKS=1")]
    [InlineData("EBB_CHECK=1 EBB_QUARANTINE_MB=0")]
    [InlineData("EBB_GUARD=all")]
    [InlineData("EBB_GUARD=sample:1")]
    [InlineData("EBB_GUARD=sample:10")]
    public void CleanProgram_PrintsNoReport_InAnyMode(string mode)
    {
        var r = Run("clean", mode);
        Assert.Equal("", r.Stderr);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("clean: done", r.Stdout);
    }

    [Theory]
    [InlineData("EBB_CHECK=0")]
    [InlineData("EBB_CHECK=1")]
    [InlineData("EBB_GUARD=sample:10")]
    [InlineData("EBB_GUARD=sample:1")]
    public void Stress_HasNoFalsePositives(string mode)
    {
        var r = Run("stress", mode);
        Assert.Equal("", r.Stderr);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("contents verified", r.Stdout);
    }
}
