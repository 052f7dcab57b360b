namespace Ebb.Cli;

/// <summary>The <c>ebb</c> entry point: hands the arguments to <see cref="Cli"/> and exits with its code.</summary>
public static class Program
{
    /// <summary>Runs ebb with the process's own console.</summary>
    public static int Main(string[] args) => Cli.Run(args, Console.Out, Console.Error);
}
