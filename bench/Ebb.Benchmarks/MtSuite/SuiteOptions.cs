using Ebb.Benchmarks.Workloads.Suite;

namespace Ebb.Benchmarks.MtSuite;

/// <summary>The suite's command line: <c>suite [--rounds N] [--only LIST] [--contenders LIST] [--scale F] [--markdown FILE]</c>.</summary>
public sealed record SuiteOptions(int Rounds, IReadOnlyList<ISuiteWorkload> Workloads, IReadOnlyList<SuiteContender> Contenders, double Scale, string? MarkdownPath)
{
    /// <summary>The usage text.</summary>
    public static string Usage =>
        "usage: Ebb.Benchmarks suite [--rounds N] [--only LIST] [--contenders LIST] [--scale F] [--markdown FILE]\n" +
        "  --rounds N        interleaved rounds (default 3, at least 1); medians are over rounds\n" +
        $"  --only LIST       workloads (default all: {string.Join(",", SuiteWorkloads.All.Select(w => w.Name))})\n" +
        $"  --contenders LIST contenders (default all: {string.Join(",", SuiteContender.All.Select(c => c.Key))})\n" +
        "  --scale F         multiplies every workload's amount of work (default 1)\n" +
        "  --markdown FILE   also write the report to FILE";

    /// <summary>Parses the arguments after <c>suite</c>; throws <see cref="ArgumentException"/> with a one-line message.</summary>
    public static SuiteOptions Parse(string[] args)
    {
        int rounds = 3;
        double scale = 1;
        string? markdown = null;
        IReadOnlyList<ISuiteWorkload> workloads = SuiteWorkloads.All;
        IReadOnlyList<SuiteContender> contenders = SuiteContender.All;
        var reader = new OptionReader(args);
        while (reader.MoveNext(out string option))
        {
            switch (option)
            {
                case "--rounds": rounds = reader.PositiveInt(); break;
                case "--scale": scale = reader.PositiveNumber(); break;
                case "--only": workloads = [.. reader.List().Select(SuiteWorkloads.Get)]; break;
                case "--contenders": contenders = [.. reader.List().Select(SuiteContender.Get)]; break;
                case "--markdown": markdown = reader.Value(); break;
                case "--help" or "-h": throw new ArgumentException(Usage);
                default: throw reader.Unknown();
            }
        }
        if (workloads.Count == 0) throw new ArgumentException("--only names no workload");
        if (contenders.Count == 0) throw new ArgumentException("--contenders names no contender");
        return new SuiteOptions(rounds, workloads, contenders, scale, markdown);
    }
}
