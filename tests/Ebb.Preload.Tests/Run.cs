using System.Diagnostics;
using System.Text;

namespace Ebb.Preload.Tests;

/// <summary>What a finished child process left: its exit code (128 + N when killed by signal N, as a shell reports it) and output.</summary>
/// <param name="Command">The command line as a shell would show it, LD_PRELOAD included.</param>
/// <param name="ExitCode">The exit code, or 128 + the signal's number.</param>
/// <param name="Stdout">Everything written to standard output.</param>
/// <param name="Stderr">Everything written to standard error.</param>
/// <param name="Elapsed">Wall time from start to exit.</param>
public sealed record RunResult(string Command, int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>The command, exit code, time and both outputs (the tail of each), for an assertion's message.</summary>
    public string Describe(int maxChars = 6000) =>
        $"$ {Command}\nexit code {ExitCode} after {Elapsed.TotalSeconds:0.00} s\n--- stdout ---\n{Tail(Stdout, maxChars)}\n--- stderr ---\n{Tail(Stderr, maxChars)}";

    private static string Tail(string s, int max) => s.Length <= max ? s : "[...]\n" + s[^max..];
}

/// <summary>Runs child processes with or without the allocator preloaded.</summary>
public static class Run
{
    /// <summary>How long any one child may take before it is killed and the test fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="args"/>. With <paramref name="preload"/>,
    /// LD_PRELOAD names it; without, LD_PRELOAD is removed (so glibc's malloc is the baseline even
    /// if the test host itself was started preloaded). LC_ALL=C so that ls and sort order bytes.
    /// </summary>
    public static RunResult Process(string file, IEnumerable<string> args, string? preload,
        IDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("LD_PRELOAD");
        if (preload is not null) psi.Environment["LD_PRELOAD"] = preload;
        psi.Environment["LC_ALL"] = "C";
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;

        string command = (preload is null ? "" : $"LD_PRELOAD={preload} ") + file + " " + string.Join(" ", psi.ArgumentList);
        var clock = Stopwatch.StartNew();
        using var p = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        p.StandardInput.Close();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        // Both pipes drained at once: a child that fills one while we wait on the other would hang.
        var readOut = p.StandardOutput.ReadToEndAsync();
        var readErr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(Timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"{command} did not finish in {Timeout.TotalSeconds} s (killed); stdout so far:\n{readOut.Result}\nstderr:\n{readErr.Result}");
        }
        p.WaitForExit(); // the parameterless wait also waits for the output to be read to its end
        var result = new RunResult(command, p.ExitCode, readOut.Result, readErr.Result, clock.Elapsed);
        // ld.so ignores a library it cannot preload and runs the program anyway, with glibc's malloc:
        // without this check every comparison would pass while testing nothing.
        if (preload is not null && result.Stderr.Contains("cannot be preloaded", StringComparison.Ordinal))
            Assert.Fail($"the dynamic linker did not preload {preload}:\n{result.Describe()}");
        return result;
    }

    /// <summary>The absolute path of <paramref name="name"/> found on PATH, or null.</summary>
    public static string? Which(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
