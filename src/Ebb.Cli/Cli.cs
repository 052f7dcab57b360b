using Ebb.Cli.Tour;
using Ebb.Cli.Terminal;
using Ebb.Cli.Lab;
using Ebb.Cli.Commands;
namespace Ebb.Cli;

/// <summary>
/// Verb dispatch and the last line of defence: whatever a verb throws that it did not
/// handle becomes one line on stderr and a non-zero exit, never a stack trace.
/// </summary>
public static class Cli
{
    /// <summary>A verb: its arguments (after the verb) and the two streams, returning the exit code.</summary>
    public delegate int Verb(string[] args, TextWriter stdout, TextWriter stderr);

    // One line per verb, in the order `ebb --help` lists them.
    private static readonly (string Name, Verb Run, string Summary)[] s_verbs =
    [
        ("tour", TourCommand.Run, "a guided run through everything below, on this process"),
        ("lab", LabCommand.Run, "the classic memory experiments, runnable"),
        ("free", FreeCommand.Run, "procps free: total, used, free, shared, buff/cache, available"),
        ("watch", WatchCommand.Run, "a process's RSS and its anon/file/shmem split over time, with an SVG plot"),
        ("vdso", VdsoCommand.Run, "the vDSO's symbols and versions; clock_gettime through it against the system call"),
        ("pmap", PmapCommand.Run, "the memory map of processes, as procps pmap prints it"),
        ("map", MapCommand.Run, "the address space as a picture (SVG or HTML)"),
        ("stats", StatsCommand.Run, "Ebb's figures in a running .NET process that uses Ebb"),
        ("run", RunCommand.Run, "run a command with Ebb as its malloc (libebb.so preloaded)"),
    ];

    /// <summary>Runs <c>ebb ARGS</c>, writing to the given streams; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintHelp(args.Length == 0 ? stderr : stdout);
            return args.Length == 0 ? 1 : 0;
        }
        if (args[0] is "-V" or "--version")
        {
            stdout.WriteLine($"ebb {typeof(Cli).Assembly.GetName().Version}");
            return 0;
        }
        foreach (var verb in s_verbs)
        {
            if (verb.Name != args[0]) continue;
            try
            {
                return verb.Run(args[1..], stdout, stderr);
            }
            catch (StdoutClosedException)
            {
                stderr.WriteLine(ClosedStdout.Message(verb.Name));
                return 1;
            }
            catch (Exception e) when (BrokenPipe.Is(e))
            {
                // The reader of stdout is gone: nothing to say, and no one to say it to.
                return BrokenPipe.ExitStatus;
            }
            catch (CliException e)
            {
                stderr.WriteLine(e.Message);
                return e.ExitCode;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                stderr.WriteLine($"ebb {verb.Name}: {CliException.FirstLine(e.Message)}");
                return 1;
            }
        }
        stderr.WriteLine($"ebb: unknown command '{args[0]}' (try 'ebb --help')");
        return 1;
    }

    private static void PrintHelp(TextWriter w)
    {
        w.WriteLine("Usage: ebb COMMAND [OPTIONS]");
        w.WriteLine();
        w.WriteLine("Commands:");
        foreach (var verb in s_verbs) w.WriteLine($"  {verb.Name,-7} {verb.Summary}");
        w.WriteLine();
        w.WriteLine("Run 'ebb COMMAND --help' for a command's options.");
    }
}
