using Ebb.Cli.Terminal;
namespace Ebb.Cli.Lab;

/// <summary>
/// <c>ebb lab NAME</c>: the classic memory experiments, each real (the system calls happen;
/// strace shows them) and printing the facts it demonstrates.
/// </summary>
public static class LabCommand
{
    // One line per experiment, in the order `ebb lab` lists them; each lives in its own file under Lab/.
    private static readonly ILabExperiment[] s_experiments =
    [
        new BrkLab(),
        new MmapLab(),
        new MadviseLab(),
        new ThresholdLab(),
        new VdsoLab(),
        new ErrorsLab(),
    ];

    /// <summary>Runs one experiment by name, or lists them.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            stdout.WriteLine("Usage: ebb lab EXPERIMENT [OPTIONS]");
            stdout.WriteLine();
            stdout.WriteLine("Experiments:");
            foreach (var e in s_experiments) stdout.WriteLine($"  {e.Name,-10} {e.Summary}");
            stdout.WriteLine();
            stdout.WriteLine("Every experiment but errors takes:");
            stdout.WriteLine("  --json        print the measured facts as JSON");
            stdout.WriteLine("  --strace      run under strace(1) and show the system calls the experiment made");
            stdout.WriteLine("Run 'ebb lab EXPERIMENT --help' for one experiment's options.");
            // A listing asked for, with or without --help: nothing failed.
            return 0;
        }
        foreach (var e in s_experiments)
            if (e.Name == args[0]) return e.Run(args[1..], stdout, stderr);
        throw new CliException($"ebb lab: unknown experiment '{args[0]}' (try 'ebb lab --help')");
    }
}

/// <summary>One experiment of <c>ebb lab</c>.</summary>
public interface ILabExperiment
{
    /// <summary>The name on the command line, e.g. <c>brk</c>.</summary>
    string Name { get; }

    /// <summary>One line for the listing.</summary>
    string Summary { get; }

    /// <summary>Runs the experiment; returns the exit code.</summary>
    int Run(string[] args, TextWriter stdout, TextWriter stderr);
}
