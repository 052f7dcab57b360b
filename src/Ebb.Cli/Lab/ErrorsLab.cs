using Ebb.Cli.Terminal;
using Ebb.Cli.Commands;
using System.Diagnostics;

namespace Ebb.Cli.Lab;

/// <summary>
/// <c>ebb lab errors</c>: the classic list of heap mistakes, each made for real in a child
/// process (this program re-invoked with <c>--child NAME</c>) under the mode that catches it,
/// with the exit code and the report it printed. A live version of the list.
/// </summary>
public sealed class ErrorsLab : ILabExperiment
{
    private static readonly TimeSpan s_childTimeout = TimeSpan.FromSeconds(60);
    private static readonly string[] s_modeVariables = ["EBB_CHECK", "EBB_GUARD", "EBB_LEAKS", "EBB_QUARANTINE_MB", "EBB_STACKS", "EBB_GUARD_SLOTS", "EBB_PRINT_ERRORS", "EBB_LEAK_EXITCODE"];

    /// <inheritdoc />
    public string Name => "errors";

    /// <inheritdoc />
    public string Summary => "each classic heap mistake, and what catches it";

    /// <inheritdoc />
    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args is ["--child", var child]) return RunAsChild(child, stdout, stderr);
        var chosen = new List<ErrorScenarios.Scenario>();
        bool json = false;
        var parser = new VerbOptions("lab errors").Help().Flag("--json", () => json = true)
            .Positional(name => chosen.Add(ErrorScenarios.Find(name)
                ?? throw new CliException($"ebb lab errors: unknown mistake '{name}' (try 'ebb lab errors --help')")));
        if (!parser.Parse(args))
        {
            stdout.WriteLine("Usage: ebb lab errors [MISTAKE...] [--json]");
            stdout.WriteLine();
            stdout.WriteLine("Makes each mistake in a child process under the mode that catches it. Mistakes:");
            foreach (var s in ErrorScenarios.s_all.Where(s => s.Classic)) stdout.WriteLine($"  {s.Name,-24} {s.Mistake}");
            stdout.WriteLine();
            stdout.WriteLine("Run only when named (variants and self-checks):");
            foreach (var s in ErrorScenarios.s_all.Where(s => !s.Classic)) stdout.WriteLine($"  {s.Name,-24} {s.Mistake}");
            stdout.WriteLine();
            stdout.WriteLine("  --json   one JSON object a mistake, a line each (schema: docs/compatibility.md)");
            return 0;
        }
        if (chosen.Count == 0) chosen.AddRange(ErrorScenarios.s_all.Where(s => s.Classic));

        int n = 0;
        foreach (var s in chosen)
        {
            var result = RunChild(s.Name, s.Environment);
            if (json)
            {
                stdout.WriteLine(ErrorsJson.Format(s, result));
                continue;
            }
            stdout.WriteLine($"{++n}. {s.Mistake}");
            stdout.WriteLine($"   run:       {(s.Mode.Length == 0 ? "" : s.Mode + " ")}ebb lab errors --child {s.Name}");
            stdout.WriteLine($"   caught by: {s.CaughtBy}");
            stdout.WriteLine($"   exit code: {result.ExitCode}{Describe(result.ExitCode, result.Stderr)}");
            foreach (var line in Excerpt(result.Stdout + result.Stderr)) stdout.WriteLine("   | " + line);
            stdout.WriteLine();
        }
        return 0;
    }

    /// <summary>What a child's output and exit code were.</summary>
    internal sealed record ChildResult(int ExitCode, string Stdout, string Stderr);

    /// <summary>
    /// Runs <c>ebb lab errors --child NAME</c> in a new process with the checking variables
    /// cleared and then set to <paramref name="environment"/>; waits for it (killing it after a minute).
    /// </summary>
    internal static ChildResult RunChild(string name, IEnumerable<(string Name, string Value)> environment)
    {
        var (file, prefix) = Self();
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "lab", "errors", "--child", name }) psi.ArgumentList.Add(a);
        foreach (var v in s_modeVariables) psi.Environment.Remove(v);
        // The runtime's own crash dump and tiered-compilation noise stay out of the report.
        psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        // The child prints a caught EbbMemoryException's report itself: Ebb's own copy on stderr would double it.
        psi.Environment["EBB_PRINT_ERRORS"] = "0";
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new CliException("ebb lab errors: could not start a child process");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(s_childTimeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        return new ChildResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    // How to start this program again: `dotnet Ebb.Cli.dll` when run through dotnet (or from
    // a test host), the apphost itself when run as `ebb`.
    private static (string File, string[] Prefix) Self()
    {
        string? process = Environment.ProcessPath;
        string name = Path.GetFileNameWithoutExtension(process ?? "");
        string dll = Path.Combine(AppContext.BaseDirectory, "Ebb.Cli.dll");
        if (process is not null && name is "ebb" or "Ebb.Cli") return (process, []);
        if (process is not null && name == "dotnet") return (process, [dll]);
        return (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [dll]);
    }

    private static string Describe(int code, string stderr) => code switch
    {
        0 => " (normal exit)",
        1 when stderr.StartsWith("ebb: ERROR:", StringComparison.Ordinal) => " (the report was an EbbMemoryException's message)",
        1 => " (an exception in managed code)",
        134 => " (SIGABRT: the runtime ended the process after the fault)",
        139 => " (SIGSEGV)",
        23 => " (leaks were reported: LSan's exit code, EBB_LEAK_EXITCODE=0 keeps the program's own)",
        _ => "",
    };

    // The lines worth showing: the report, the runtime's fatal message and first managed
    // frames, and the program's own output, without the frames of this lab's own plumbing
    // (the child's Main calling into the scenario); at most 24 lines.
    internal static IEnumerable<string> Excerpt(string output)
    {
        string[] plumbing = ["Ebb.Cli.ErrorsLab.", "Ebb.Cli.LabCommand.", "Ebb.Cli.Cli.", "Ebb.Cli.Program.", "System.Threading.Thread.StartCallback"];
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => l.Length > 0 && !(l.TrimStart().StartsWith("at ", StringComparison.Ordinal) && plumbing.Any(l.Contains)))
            .ToList();
        return lines.Count <= 24 ? lines : lines.Take(23).Append($"... ({lines.Count - 23} more lines)");
    }

    // In the child: make the mistake. An EbbMemoryException's message is the report; it goes
    // to stderr as is (first line `ebb: ERROR: ...`) and the exit code is 1.
    private static int RunAsChild(string name, TextWriter stdout, TextWriter stderr)
    {
        var s = ErrorScenarios.Find(name) ?? throw new CliException($"ebb lab errors: unknown mistake '{name}'");
        Console.SetOut(stdout);
        try
        {
            s.Run();
        }
        catch (EbbMemoryException e)
        {
            stderr.WriteLine(e.Message);
            return 1;
        }
        catch (NullReferenceException e)
        {
            // Forgetting to allocate: the runtime turns the fault on page zero into this.
            stderr.WriteLine($"{e.GetType().FullName}: {e.Message}");
            stderr.WriteLine(new StackTrace(e, false).GetFrame(0) is { } f ? $"   at {f.GetMethod()?.DeclaringType?.FullName}.{f.GetMethod()?.Name}" : "");
            return 1;
        }
        stdout.Flush();
        return 0;
    }
}
