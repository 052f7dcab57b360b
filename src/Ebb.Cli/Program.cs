using Ebb.Cli.Terminal;
namespace Ebb.Cli;

/// <summary>The <c>ebb</c> entry point: hands the arguments to <see cref="Cli"/> and exits with its code.</summary>
public static class Program
{
    /// <summary>Runs ebb with the process's own console.</summary>
    public static int Main(string[] args)
    {
        // Where stdout is a pipe, write to it directly so that a reader's going away is seen
        // (see BrokenPipe); verbs that test for the console (pmap's raw bytes, free) still do.
        if (ClosedStdout.IsClosed()) return Cli.Run(args, new ClosedStdout(), Console.Error);
        if (BrokenPipe.OpenStdout() is { } direct) Console.SetOut(direct);
        return Cli.Run(args, Console.Out, Console.Error);
    }
}
