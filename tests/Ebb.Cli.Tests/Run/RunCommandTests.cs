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

    [Theory]
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
        foreach (string option in (string[])["--purge-delay", "--background-purge", "--verbose", "--no-stats"])
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
