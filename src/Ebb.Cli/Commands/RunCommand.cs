using Ebb.Cli.Terminal;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Ebb.Cli.Commands;

/// <summary>
/// <c>ebb run [OPTIONS] [--] COMMAND [ARGS…]</c>: runs a command with libebb.so (Ebb's allocator
/// compiled with no runtime, docs/libebb.md) as its malloc through LD_PRELOAD, with Ebb's settings
/// in its environment, and Ebb's figures printed on stderr as it (and each process it starts) exits.
/// </summary>
public static class RunCommand
{
    private const string Usage = """
        Usage: ebb run [OPTIONS] [--] COMMAND [ARGS...]

        Runs COMMAND with Ebb as its malloc (libebb.so, through LD_PRELOAD) and prints Ebb's
        figures on stderr when it exits; each process it starts prints its own.

          --purge-delay MS     ms a free slice stays resident before it goes back to the OS
                               (EBB_PURGE_DELAY_MS; default 100, 0 = at once, -1 = never)
          --background-purge   purge on time from a thread of Ebb's own (EBB_BACKGROUND_PURGE=1)
          --verbose            a line for each region reserved or released (EBB_VERBOSE=1)
          --check              checked mode (EBB_CHECK=1): redzones checked at free, freed blocks
                               quarantined, double and invalid frees reported with their stacks
          --leaks              with --check: a leak report at exit, exit code 23 (EBB_LEAKS=1)
          --quarantine MB      with --check: freed bytes held back (EBB_QUARANTINE_MB; default 16)
          --guard MODE         guarded mode (EBB_GUARD): all (every block against a guard page) or
                               sample[:N] (about one block in N, default 5000, as GWP-ASan)
          --no-stats           do not print the figures at exit
          -h, --help           this text

        Reports of heap errors (checked and guarded modes) go to stderr: docs/libebb.md.
        Exit status: COMMAND's (128+N when signal N ended it); 127 when it cannot be run.
        The library: EBB_LIBEBB, else libebb.so next to ebb.
        """;

    /// <summary>Runs <c>ebb run ARGS</c>.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        int split = CommandStart(args);
        string[] own = args[..split];
        string[] command = split < args.Length && args[split] == "--" ? args[(split + 1)..] : args[split..];

        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["EBB_SHOW_STATS"] = "1" };
        const string DelayError = "--purge-delay needs a whole number of ms from -1";
        const string QuarantineError = "--quarantine needs a whole number of MiB from 0";
        const string GuardError = "--guard needs all, sample or sample:N (N from 1)";
        var parser = new VerbOptions("run").Help()
            .Value("--purge-delay", v => env["EBB_PURGE_DELAY_MS"] = int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int ms) && ms >= -1
                ? ms.ToString(CultureInfo.InvariantCulture) : throw new CliException("ebb run: " + DelayError), missing: DelayError)
            .Flag("--background-purge", () => env["EBB_BACKGROUND_PURGE"] = "1")
            .Flag("--verbose", () => env["EBB_VERBOSE"] = "1")
            .Flag("--check", () => env["EBB_CHECK"] = "1")
            .Flag("--leaks", () => env["EBB_LEAKS"] = "1")
            .Value("--quarantine", v => env["EBB_QUARANTINE_MB"] = int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int mb)
                ? mb.ToString(CultureInfo.InvariantCulture) : throw new CliException("ebb run: " + QuarantineError), missing: QuarantineError)
            .Value("--guard", v => env["EBB_GUARD"] = IsGuardMode(v) ? v : throw new CliException("ebb run: " + GuardError), missing: GuardError)
            .Flag("--no-stats", () => env.Remove("EBB_SHOW_STATS"));
        if (!parser.Parse(own))
        {
            stdout.WriteLine(Usage);
            return 0;
        }
        if (command.Length == 0) throw parser.Error("which command? (ebb run [OPTIONS] -- COMMAND [ARGS...])");
        if (env.ContainsKey("EBB_GUARD") && env.ContainsKey("EBB_CHECK"))
            throw new CliException("ebb run: --check and --guard are two modes: choose one");
        if ((env.ContainsKey("EBB_LEAKS") || env.ContainsKey("EBB_QUARANTINE_MB")) && !env.ContainsKey("EBB_CHECK"))
            throw new CliException("ebb run: --leaks and --quarantine need --check");

        string library = Library();
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (string a in command[1..]) start.ArgumentList.Add(a);
        string? preload = Environment.GetEnvironmentVariable("LD_PRELOAD");
        start.Environment["LD_PRELOAD"] = string.IsNullOrEmpty(preload) ? library : library + ":" + preload;
        foreach (var (name, value) in env) start.Environment[name] = value;

        Process child;
        try
        {
            child = Process.Start(start) ?? throw new CliException($"ebb run: cannot run '{command[0]}'", 127);
        }
        catch (Win32Exception e)
        {
            throw new CliException($"ebb run: cannot run '{command[0]}': {e.Message}", 127);
        }
        using (child)
        {
            child.WaitForExit();
            return child.ExitCode;
        }
    }

    /// <summary>Where the command begins: at <c>--</c>, or at the first word that is not one of run's options or an option's value.</summary>
    private static int CommandStart(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--" || !args[i].StartsWith('-') || args[i] == "-") return i;
            if (args[i] is "--purge-delay" or "--quarantine" or "--guard") i++;
        }
        return args.Length;
    }

    /// <summary>EBB_GUARD's values as libebb.so reads them: all, sample, sample:N with N from 1.</summary>
    private static bool IsGuardMode(string v) =>
        v is "all" or "sample" ||
        v.StartsWith("sample:", StringComparison.Ordinal) && int.TryParse(v.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1;

    /// <summary>libebb.so: EBB_LIBEBB, else next to ebb (the build and the tool package put it there).</summary>
    private static string Library()
    {
        string? named = Environment.GetEnvironmentVariable("EBB_LIBEBB");
        if (!string.IsNullOrEmpty(named))
            return File.Exists(named) ? Path.GetFullPath(named) : throw new CliException($"ebb run: EBB_LIBEBB names '{named}', which does not exist");
        string beside = Path.Combine(AppContext.BaseDirectory, "libebb.so");
        return File.Exists(beside) ? beside
            : throw new CliException($"ebb run: libebb.so is not next to ebb ({AppContext.BaseDirectory}): build src/Ebb.Native (it needs a C compiler) or set EBB_LIBEBB");
    }
}
