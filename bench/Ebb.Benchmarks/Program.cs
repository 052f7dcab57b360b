using BenchmarkDotNet.Running;
using Ebb.Benchmarks.MtSuite;
using Ebb.Benchmarks.Quick;

namespace Ebb.Benchmarks;

/// <summary>
/// <c>quick …</c>: the side-by-side runner (see <see cref="QuickCommand"/>); <c>child …</c>: its
/// child processes; <c>checked-costs</c>: checked mode's cost, piece by piece (see
/// <see cref="CheckedCostsCommand"/>); <c>suite …</c>: the ports of mimalloc-bench's programs
/// (see <see cref="SuiteCommand"/>), <c>suite-child …</c> its child processes; anything else goes to BenchmarkDotNet's switcher (e.g.
/// <c>--filter '*Pairs*'</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            if (args.Length > 0 && args[0] == "quick") return QuickCommand.Run(args[1..], Console.Out, Console.Error);
            if (args.Length > 0 && args[0] == "child") return ChildCommand.Run(args[1..], Console.Out, Console.Error);
            if (args.Length > 0 && args[0] == "checked-costs") return CheckedCostsCommand.Run(args[1..], Console.Out);
            if (args.Length > 0 && args[0] == "suite") return SuiteCommand.Run(args[1..], Console.Out, Console.Error);
            if (args.Length > 0 && args[0] == "suite-child") return SuiteChild.Run(args[1..], Console.Out, Console.Error);
            if (args.Length > 0 && args[0] == "pipe-pool") return Pipes.PipePoolCommand.Run(args[1..], Console.Out);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or IOException)
        {
            Console.Error.WriteLine($"Ebb.Benchmarks: {e.Message}");
            return 1;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
