namespace Ebb.Preload.Tests;

/// <summary>
/// libebb.so's checked and guarded modes on C programs (docs/libebb.md, "Checked modes"): each
/// scenario of c/errors.c makes one heap error, and the report must name its kind and the
/// function that allocated the block (make_block), with errors.c and the line of its malloc,
/// since the program is built with -g and addr2line is there (when it is not, the function
/// name alone is asserted).
/// </summary>
/// <param name="build">The C programs, compiled once per run.</param>
[Collection(PreloadCollection.Name)]
public sealed class CheckedModeTests(NativeBuild build)
{
    private static readonly Dictionary<string, string> s_check = new() { ["EBB_CHECK"] = "1" };

    private string Program()
    {
        PreloadLibrary.Require();
        Skip.IfNot(PreloadLibrary.IsEbb, "the checked modes are libebb.so's: the preloaded library is another allocator");
        return build.Program("errors");
    }

    /// <summary>The line of make_block's malloc in errors.c, where every report's allocation stack starts.</summary>
    private static int MallocLine()
    {
        string[] lines = File.ReadAllLines(Path.Combine(NativeBuild.SourceDirectory, "errors.c"));
        return Array.FindIndex(lines, l => l.Contains("char *p = malloc(n);", StringComparison.Ordinal)) + 1;
    }

    private static bool HasAddr2line => File.Exists("/usr/bin/addr2line") || File.Exists("/bin/addr2line");

    private RunResult RunScenario(string scenario, IDictionary<string, string> env) =>
        Run.Process(Program(), [scenario], PreloadLibrary.Path, env);

    /// <summary>The report's shape: the ERROR line with its kind, every line ==PID==-prefixed, the allocating function (and file:line), the SUMMARY line.</summary>
    private static void AssertReport(RunResult r, string kind, int exitCode, string? firstLineHas = null)
    {
        Assert.True(r.ExitCode == exitCode, $"expected exit code {exitCode}:\n{r.Describe()}");
        Assert.DoesNotContain("not caught", r.Stdout);
        string[] lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string? error = lines.FirstOrDefault(l => l.Contains("ebb: ERROR: ", StringComparison.Ordinal));
        Assert.True(error is not null, $"no ERROR line:\n{r.Describe()}");
        Assert.Contains($"ebb: ERROR: {kind}:", error);
        if (firstLineHas is not null) Assert.Contains(firstLineHas, error);
        string prefix = error![..(error.IndexOf("ebb:", StringComparison.Ordinal))];
        Assert.Matches(@"^==\d+== $", prefix);
        Assert.Contains("allocated by thread", r.Stderr);
        Assert.Contains(" in make_block", r.Stderr);
        if (HasAddr2line) Assert.Contains($"errors.c:{MallocLine()}", r.Stderr);
        Assert.Contains($"{prefix}SUMMARY: Ebb: {kind} ", r.Stderr);
    }

    [SkippableFact]
    public void Check_OverflowByOneByte_ReportedAtFree()
    {
        var r = RunScenario("overflow", s_check);
        AssertReport(r, "heap-buffer-overflow", 134, "1 byte written 0 bytes after the 20-byte block");
        Assert.Contains("found at free", r.Stderr);
        Assert.Contains("is located 0 bytes to the right of 20-byte region", r.Stderr);
    }

    [SkippableFact]
    public void Check_Underflow_ReportedAtFree()
    {
        var r = RunScenario("underflow", s_check);
        AssertReport(r, "heap-buffer-underflow", 134, "1 byte written 1 bytes before the 20-byte block");
    }

    [SkippableFact]
    public void Check_DoubleFree_WithBothStacks()
    {
        var r = RunScenario("double-free", s_check);
        AssertReport(r, "double-free", 134);
        Assert.Contains("freed by thread", r.Stderr);
    }

    [SkippableFact]
    public void Check_DoubleFree_InABigFrame_NamesTheRightAllocatingFunction()
    {
        // Walks remembered across a 12 KiB frame: the report's stacks must still be the block's own.
        var r = RunScenario("big-frame-double-free", s_check);
        Assert.Equal(134, r.ExitCode);
        Assert.Contains("ebb: ERROR: double-free:", r.Stderr);
        string allocated = r.Stderr[r.Stderr.IndexOf("allocated by thread", StringComparison.Ordinal)..];
        string firstFrame = allocated.Split('\n')[1];
        Assert.Contains(" in make_other", firstFrame);
        Assert.Contains(" in big_frame_double_free", allocated.Split('\n')[2]);
    }

    [SkippableFact]
    public void Check_WriteAfterFree_FoundWhenLeavingQuarantine()
    {
        var r = RunScenario("use-after-free", s_check);
        AssertReport(r, "heap-use-after-free", 134, "1 byte written 8 bytes inside the freed 20-byte block");
        Assert.Contains("found when it left quarantine", r.Stderr);
        Assert.Contains("freed by thread", r.Stderr);
    }

    [SkippableFact]
    public void Check_InteriorFree_IsInvalid()
    {
        var r = RunScenario("interior-free", s_check);
        AssertReport(r, "invalid-free", 134, "is 8 bytes inside the 20-byte block");
    }

    [SkippableTheory]
    [InlineData("stack-free", "on the stack")]
    [InlineData("global-free", "in the data of errors")]
    public void Check_FreeOfMemoryNeverAllocated_IsInvalid(string scenario, string what)
    {
        var r = RunScenario(scenario, s_check);
        Assert.True(r.ExitCode == 134, r.Describe());
        Assert.Contains($"ebb: ERROR: invalid-free: 0x", r.Stderr);
        Assert.Contains($"was not allocated by malloc ({what})", r.Stderr);
        Assert.Contains("SUMMARY: Ebb: invalid-free ", r.Stderr);
    }

    [SkippableFact]
    public void Check_LeakAtExit_ReportedWithExitCode23()
    {
        var r = RunScenario("leak", new Dictionary<string, string> { ["EBB_CHECK"] = "1", ["EBB_LEAKS"] = "1" });
        Assert.True(r.ExitCode == 23, r.Describe());
        Assert.Equal("leaking\n", r.Stdout); // stdio flushed before the exit code is set
        Assert.Contains("ebb: ERROR: memory-leak: ", r.Stderr);
        Assert.Contains("100 bytes in 1 block allocated at:", r.Stderr);
        Assert.Contains("20 bytes in 1 block allocated at:", r.Stderr);
        Assert.DoesNotContain("30 bytes", r.Stderr); // the block a global still points to is reachable, not leaked
        Assert.Contains("ebb: ERROR: memory-leak: 120 bytes in 2 blocks", r.Stderr);
        Assert.Contains(" in make_block", r.Stderr);
        if (HasAddr2line) Assert.Contains($"errors.c:{MallocLine()}", r.Stderr);
        Assert.Matches(@"SUMMARY: Ebb: \d+ byte\(s\) leaked in \d+ allocation\(s\)", r.Stderr);
    }

    [SkippableFact]
    public void Check_LeakExitCodeZero_ReportsButKeepsTheExitCode()
    {
        var r = RunScenario("leak", new Dictionary<string, string> { ["EBB_CHECK"] = "1", ["EBB_LEAKS"] = "1", ["EBB_LEAK_EXITCODE"] = "0" });
        Assert.True(r.ExitCode == 0, r.Describe());
        Assert.Contains("ebb: ERROR: memory-leak: ", r.Stderr);
    }

    [SkippableFact]
    public void Check_WithoutLeaks_NoLeakReport()
    {
        var r = RunScenario("leak", s_check);
        Assert.True(r.ExitCode == 0, r.Describe());
        Assert.DoesNotContain("ERROR", r.Stderr);
    }

    [SkippableTheory]
    [InlineData("EBB_CHECK", "1")]
    [InlineData("EBB_GUARD", "all")]
    [InlineData("EBB_GUARD", "sample:1")]
    [InlineData("EBB_GUARD", "sample")]
    public void CorrectProgram_NoReport(string variable, string value)
    {
        var r = RunScenario("clean", new Dictionary<string, string> { [variable] = value, ["EBB_LEAKS"] = "1" });
        Assert.True(r.ExitCode == 0, r.Describe());
        Assert.Equal("clean\n", r.Stdout);
        Assert.DoesNotContain("ERROR", r.Stderr);
    }

    /// <summary>
    /// Release mode (no EBB_ variable): a bad call is one line naming the pointer and the block,
    /// then abort (SIGABRT, exit 134), as docs/libebb.md's "Bad frees" says; a usable-size query
    /// of a freed block is refused as its free would be.
    /// </summary>
    [SkippableTheory]
    [InlineData("double-free", "ebb: double free of 0x")]
    [InlineData("interior-free", "ebb: invalid free: 0x")]
    [InlineData("usable-after-free", "ebb: double free of 0x")]
    public void Release_BadCall_OneLineThenAbort(string scenario, string line)
    {
        var r = RunScenario(scenario, new Dictionary<string, string>());
        Assert.True(r.ExitCode == 134, $"expected SIGABRT (134):\n{r.Describe()}");
        string[] lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith(line, StringComparison.Ordinal), $"expected one line starting '{line}':\n{r.Describe()}");
        Assert.DoesNotContain("usable ", r.Stdout);
    }

    [SkippableTheory]
    [InlineData("EBB_CHECK", "1")]
    [InlineData("EBB_GUARD", "all")]
    [InlineData("EBB_GUARD", "sample:1")]
    public void UsableSize_IsTheSizeAsked_AndZeroForTheStack(string variable, string value)
    {
        var r = RunScenario("usable-size", new Dictionary<string, string> { [variable] = value });
        Assert.True(r.ExitCode == 0, r.Describe());
        Assert.Equal("usable 20 0\n", r.Stdout);
    }

    [SkippableTheory]
    [InlineData("all")]
    [InlineData("sample:1")]
    public void Guard_OverflowFaultsAtTheRead(string mode)
    {
        var r = RunScenario("guard-overflow", new Dictionary<string, string> { ["EBB_GUARD"] = mode });
        AssertReport(r, "heap-buffer-overflow", 128 + 11, "READ 0 bytes after the 32-byte block");
        Assert.Contains("READ at 0x", r.Stderr);
        Assert.DoesNotContain("read ", r.Stdout);
    }

    [SkippableTheory]
    [InlineData("all")]
    [InlineData("sample:1")]
    public void Guard_ReadRightAfterFreeFaults(string mode)
    {
        var r = RunScenario("read-after-free", new Dictionary<string, string> { ["EBB_GUARD"] = mode });
        AssertReport(r, "heap-use-after-free", 128 + 11, "READ 8 bytes inside the freed 20-byte block");
        Assert.Contains("freed by thread", r.Stderr);
    }

    [SkippableFact]
    public void GuardAllByteAligned_OneBytePastFaults()
    {
        var r = RunScenario("overflow", new Dictionary<string, string> { ["EBB_GUARD"] = "all", ["EBB_GUARD_ALIGN"] = "1" });
        AssertReport(r, "heap-buffer-overflow", 128 + 11, "WRITE 0 bytes after the 20-byte block");
    }

    [SkippableFact]
    public void GuardSample_OverflowIntoAlignmentSlack_FoundAtFree()
    {
        var r = RunScenario("overflow", new Dictionary<string, string> { ["EBB_GUARD"] = "sample:1" });
        AssertReport(r, "heap-buffer-overflow", 134, "1 byte written 0 bytes after the 20-byte block");
    }

    /// <summary>The malloc contract (c/contract.c: sizes up to SIZE_MAX, calloc, realloc, every alignment, usable size) holds in every mode.</summary>
    [SkippableTheory]
    [InlineData("EBB_CHECK", "1")]
    [InlineData("EBB_GUARD", "all")]
    [InlineData("EBB_GUARD", "sample:1")]
    public void Contract_HoldsInEveryMode(string variable, string value)
    {
        Program();
        var r = Run.Process(build.Program("contract"), [], PreloadLibrary.Path, new Dictionary<string, string> { [variable] = value });
        Assert.True(r.ExitCode == 0, r.Describe());
        Assert.Contains("total: ", r.Stdout);
        Assert.Contains(" checks, 0 failed", r.Stdout[r.Stdout.IndexOf("total: ", StringComparison.Ordinal)..]);
    }

    /// <summary>c/threads.c (cross-thread frees, thousands of short threads, fork, signals) in checked and sampled mode: no report, no failure.</summary>
    [SkippableTheory]
    [InlineData("EBB_CHECK", "1")]
    [InlineData("EBB_GUARD", "sample:10")]
    public void Threads_CheckedOrSampled_NoReport(string variable, string value)
    {
        Program();
        var r = Run.Process(build.Program("threads"), [], PreloadLibrary.Path, new Dictionary<string, string> { [variable] = value });
        Assert.True(r.ExitCode == 0, r.Describe());
        Assert.Contains("total: 0 failed", r.Stdout);
        Assert.DoesNotContain("ebb:", r.Stderr);
    }

    [SkippableTheory]
    [InlineData("EBB_GUARD", "sample:0", "ebb: warning: EBB_GUARD=sample:0 is not valid")]
    [InlineData("EBB_CHECK", "yes", "ebb: warning: EBB_CHECK=yes is not valid")]
    [InlineData("EBB_QUARANTINE_MB", "-1", "ebb: warning: EBB_QUARANTINE_MB=-1 is not valid")]
    public void BadValue_OneWarningLine(string variable, string value, string warning)
    {
        var env = new Dictionary<string, string> { [variable] = value };
        if (variable != "EBB_CHECK" && variable != "EBB_GUARD") env["EBB_CHECK"] = "1";
        var r = RunScenario("clean", env);
        Assert.True(r.ExitCode == 0, r.Describe());
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith(warning, StringComparison.Ordinal));
    }
}
