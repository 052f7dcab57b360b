using Ebb.Cli.Commands;
namespace Ebb.Cli.Lab;

/// <summary>The options every experiment of <c>ebb lab</c> takes.</summary>
/// <param name="Help">Show the experiment's help.</param>
/// <param name="Json">Print the measured facts as JSON instead of prose.</param>
/// <param name="InProcess">Run in this process even where ebb would use a child process.</param>
/// <param name="Strace">Run the experiment under strace and show its system calls.</param>
internal sealed record LabOptions(bool Help, bool Json, bool InProcess, bool Strace)
{
    /// <summary>
    /// Parses an experiment's arguments; anything unknown is a one-line error.
    /// <paramref name="more"/> declares the experiment's own options, if it has any.
    /// </summary>
    public static LabOptions Parse(string name, string[] args, Action<VerbOptions>? more = null)
    {
        bool json = false, inProcess = false, strace = false;
        var parser = new VerbOptions($"lab {name}").Help()
            .Flag("--json", () => json = true)
            .Flag("--in-process", () => inProcess = true)
            .Flag("--strace", () => strace = true);
        more?.Invoke(parser);
        bool help = !parser.Parse(args);
        return new LabOptions(help, json, inProcess, strace);
    }

    /// <summary>The help lines for the shared options.</summary>
    public static void PrintCommonHelp(TextWriter w, bool child)
    {
        w.WriteLine("Options:");
        w.WriteLine("  --json        print the measured facts as JSON");
        w.WriteLine("  --strace      run under strace(1) and show the system calls the experiment made");
        if (child) w.WriteLine("  --in-process  run in this process instead of a child process");
        w.WriteLine("  -h, --help    show this help");
    }
}
