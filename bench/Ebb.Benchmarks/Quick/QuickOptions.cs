namespace Ebb.Benchmarks.Quick;

/// <summary>The quick runner's command line: <c>quick [--rounds N] [--ms MS] [--only LIST] [--markdown FILE]</c>.</summary>
public sealed record QuickOptions(int Rounds, double Ms, HashSet<string> Workloads, string? MarkdownPath)
{
    /// <summary>Every workload group, the default selection.</summary>
    public static readonly string[] AllWorkloads = ["pairs", "pc", "realloc", "break", "mixed", "overhead", "sampled"];

    /// <summary>The usage text.</summary>
    public const string Usage =
        "usage: Ebb.Benchmarks quick [--rounds N] [--ms MS] [--only pairs,pc,realloc,break,mixed,overhead,sampled] [--markdown FILE]\n" +
        "  --rounds N     rounds of interleaved timing (default 7); medians and ratios are over rounds\n" +
        "  --ms MS        minimum time of one measurement in milliseconds (default 25)\n" +
        "  --only LIST    workload groups to run (default all; sampled: only release and the\n" +
        "                 sampled rows of overhead, which runs every checked and guarded mode)\n" +
        "  --markdown F   also write the report to file F";

    /// <summary>Parses the arguments after <c>quick</c>; throws <see cref="ArgumentException"/> with a one-line message.</summary>
    public static QuickOptions Parse(string[] args)
    {
        int rounds = 7;
        double ms = 25;
        var workloads = new HashSet<string>(AllWorkloads);
        string? markdown = null;
        var reader = new OptionReader(args);
        while (reader.MoveNext(out string option))
        {
            switch (option)
            {
                case "--rounds": rounds = reader.PositiveInt(); break;
                case "--ms": ms = reader.PositiveNumber(); break;
                case "--only":
                    workloads = [.. reader.List()];
                    foreach (var w in workloads)
                        if (!AllWorkloads.Contains(w)) throw new ArgumentException($"unknown workload '{w}' (known: {string.Join(",", AllWorkloads)})");
                    break;
                case "--markdown": markdown = reader.Value(); break;
                default: throw reader.Unknown();
            }
        }
        return new QuickOptions(rounds, ms, workloads, markdown);
    }
}
