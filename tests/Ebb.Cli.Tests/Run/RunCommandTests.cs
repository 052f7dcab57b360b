using System.Diagnostics;

namespace Ebb.Cli.Tests;

/// <summary>
/// <c>ebb run</c>: a command run with libebb.so preloaded keeps its output and exit status, gets
/// Ebb's settings in its environment and prints Ebb's figures as it exits; bad input is one line.
/// </summary>
public class RunCommandTests
{
    private static string Library => Path.Combine(AppContext.BaseDirectory, "libebb.so");

    [SkippableFact]
    public async Task Command_KeepsItsOutputAndExitStatus_AndPrintsEbbsFigures()
    {
        Skip.IfNot(File.Exists(Library), "libebb.so was not built (no C compiler when src/Ebb.Native built)");
        var (code, stdout, stderr) = await Ebb("run", "--", "sh", "-c", "ls / | sort | head -3; exit 3");
        Assert.Equal(3, code);
        var (_, plain, _) = await Exec("sh", "-c", "ls / | sort | head -3");
        Assert.Equal(plain, stdout);
        // ls and sort and head each print their own figures (ls closes stderr in its exit handler: the copy Ebb took still works).
        Assert.Matches(@"ebb: pid \d+: committed \d+ bytes \(peak \d+\)", stderr);
    }

    [SkippableFact]
    public async Task Options_BecomeTheEnvironmentOfTheCommand()
    {
        Skip.IfNot(File.Exists(Library), "libebb.so was not built (no C compiler when src/Ebb.Native built)");
        var (code, stdout, _) = await Ebb("run", "--purge-delay", "0", "--background-purge", "--no-stats", "env");
        Assert.Equal(0, code);
        Assert.Contains("EBB_PURGE_DELAY_MS=0\n", stdout);
        Assert.Contains("EBB_BACKGROUND_PURGE=1\n", stdout);
        Assert.DoesNotContain("EBB_SHOW_STATS", stdout);
        Assert.Matches(@"(?m)^LD_PRELOAD=/\S*libebb\.so", stdout);
    }

    [SkippableTheory]
    [InlineData(new[] { "--check", "--quarantine", "4" }, new[] { "EBB_CHECK=1", "EBB_QUARANTINE_MB=4" })]
    [InlineData(new[] { "--guard", "all" }, new[] { "EBB_GUARD=all" })]
    [InlineData(new[] { "--guard", "sample:100" }, new[] { "EBB_GUARD=sample:100" })]
    public async Task CheckAndGuardOptions_BecomeTheEnvironmentOfTheCommand(string[] options, string[] lines)
    {
        Skip.IfNot(File.Exists(Library), "libebb.so was not built (no C compiler when src/Ebb.Native built)");
        var (code, stdout, stderr) = await Ebb(["run", "--no-stats", .. options, "--", "env"]);
        Assert.True(code == 0, stderr);
        foreach (string line in lines) Assert.Contains(line + "\n", stdout);
        Assert.DoesNotContain("ebb:", stderr);
    }

    /// <summary>--leaks: the leak report at the command's exit (a block python3's ctypes allocates and drops), and LeakSanitizer's exit code.</summary>
    [SkippableFact]
    public async Task Leaks_ReportAtExit_ExitCode23()
    {
        Skip.IfNot(File.Exists(Library), "libebb.so was not built (no C compiler when src/Ebb.Native built)");
        Skip.IfNot(File.Exists("/usr/bin/python3"), "python3 (whose ctypes makes the leak) is not installed");
        var (code, stdout, stderr) = await Ebb("run", "--no-stats", "--check", "--leaks", "--", "/usr/bin/python3", "-c",
            "import ctypes, os; c = ctypes.CDLL(None); c.malloc.restype = ctypes.c_void_p; c.malloc(1000); print(os.environ['EBB_LEAKS'])");
        Assert.Equal(23, code);
        Assert.Equal("1\n", stdout);
        Assert.Contains("ebb: ERROR: memory-leak: 1000 bytes in 1 block", stderr);
        Assert.Matches(@"SUMMARY: Ebb: \d+ byte\(s\) leaked in \d+ allocation\(s\)", stderr);
    }

    /// <summary>A heap error under --check: the command's report reaches ebb run's stderr, and its exit status (abort: 128+6) is ebb run's.</summary>
    [SkippableFact]
    public async Task Check_ReportOfTheCommandsDoubleFree_AndItsExitStatus()
    {
        Skip.IfNot(File.Exists(Library), "libebb.so was not built (no C compiler when src/Ebb.Native built)");
        string? python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : null;
        Skip.If(python is null, "python3 (whose ctypes frees a block twice here) is not installed");
        var (code, _, stderr) = await Ebb("run", "--check", "--", python!, "-c",
            "import ctypes; c = ctypes.CDLL(None); c.malloc.restype = ctypes.c_void_p; p = c.malloc(24); c.free(ctypes.c_void_p(p)); c.free(ctypes.c_void_p(p))");
        Assert.Equal(128 + 6, code);
        Assert.Contains("ebb: ERROR: double-free: 0x", stderr);
        Assert.Contains("freed by thread", stderr);
        Assert.Contains("SUMMARY: Ebb: double-free", stderr);
    }

    [Theory]
    [InlineData(new[] { "run", "--guard", "some", "true" }, 1, "ebb run: --guard needs all, sample or sample:N (N from 1)")]
    [InlineData(new[] { "run", "--guard", "sample:0", "true" }, 1, "ebb run: --guard needs all, sample or sample:N (N from 1)")]
    [InlineData(new[] { "run", "--quarantine", "-3", "--check", "true" }, 1, "ebb run: --quarantine needs a whole number of MiB from 0")]
    [InlineData(new[] { "run", "--check", "--guard", "all", "true" }, 1, "ebb run: --check and --guard are two modes: choose one")]
    [InlineData(new[] { "run", "--leaks", "true" }, 1, "ebb run: --leaks and --quarantine need --check")]
    [InlineData(new[] { "run" }, 1, "ebb run: which command? (ebb run [OPTIONS] -- COMMAND [ARGS...])")]
    [InlineData(new[] { "run", "--purge-delay", "soon", "true" }, 1, "ebb run: --purge-delay needs a whole number of ms from -1")]
    [InlineData(new[] { "run", "--purge-delay" }, 1, "ebb run: --purge-delay needs a whole number of ms from -1")]
    [InlineData(new[] { "run", "--bogus", "true" }, 1, "ebb run: unknown option '--bogus' (try 'ebb run --help')")]
    public void BadInput_IsOneLine(string[] args, int expected, string line)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.Equal((expected, "", line + "\n"), (code, stdout, stderr.Replace("\r", "")));
    }

    [SkippableFact]
    public void MissingCommand_Is127AndOneLine()
    {
        Skip.IfNot(File.Exists(Library), "libebb.so was not built (no C compiler when src/Ebb.Native built)");
        var (code, _, stderr) = CliRunner.Run("run", "--", "/nonexistent/program");
        Assert.Equal(127, code);
        Assert.StartsWith("ebb run: cannot run '/nonexistent/program': ", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Help_NamesTheOptions()
    {
        var (code, stdout, _) = CliRunner.Run("run", "--help");
        Assert.Equal(0, code);
        foreach (string option in (string[])["--purge-delay", "--background-purge", "--verbose", "--no-stats", "--check", "--leaks", "--quarantine", "--guard"])
            Assert.Contains(option, stdout);
    }

    // ebb itself, out of process, so the command's stderr (inherited) is captured too.
    private static Task<(int, string, string)> Ebb(params string[] args)
    {
        string host = Environment.ProcessPath is { } path && Path.GetFileName(path) == "dotnet" ? path : "dotnet";
        return Exec(host, [typeof(Cli).Assembly.Location, .. args]);
    }

    private static async Task<(int, string, string)> Exec(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, stdout, await err);
    }
}
