using System.Globalization;

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
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
            switch (args[i])
            {
                case "--rounds":
                    if (!int.TryParse(Value(), out rounds) || rounds < 1) throw new ArgumentException("--rounds wants a positive integer");
                    break;
                case "--ms":
                    if (!double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out ms) || ms <= 0) throw new ArgumentException("--ms wants a positive number");
                    break;
                case "--only":
                    workloads = new HashSet<string>(Value().Split(',', StringSplitOptions.RemoveEmptyEntries));
                    foreach (var w in workloads)
                        if (!AllWorkloads.Contains(w)) throw new ArgumentException($"unknown workload '{w}' (known: {string.Join(",", AllWorkloads)})");
                    break;
                case "--markdown":
                    markdown = Value();
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        return new QuickOptions(rounds, ms, workloads, markdown);
    }
}
