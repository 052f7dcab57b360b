using System.Globalization;
using System.Text;
using Ebb.Benchmarks.Workloads.Suite;

namespace Ebb.Benchmarks.MtSuite;

/// <summary>
/// The suite's markdown report: the parameters of every workload, then three tables of medians
/// over rounds (speed, peak RSS, and mstress's peak RSS at 200 against 25 iterations). Speed is
/// wall seconds for a workload of fixed work and the workload's own figure for one of fixed
/// duration; the speed ratio is mimalloc's over Ebb's in both cases expressed so that above 1
/// means Ebb is faster (mimalloc's time / Ebb's time, or Ebb's rate / mimalloc's rate).
/// </summary>
public static class SuiteReport
{
    /// <summary>Issue 11's target: mstress's peak RSS at 200 iterations at most this many times its peak at 25.</summary>
    public const double MstressGrowthTarget = 1.2;

    /// <summary>Renders the report.</summary>
    public static string Render(
        SuiteOptions options,
        IReadOnlyList<SuiteContender> contenders,
        IReadOnlyDictionary<(string Workload, string Contender), List<SuiteSample>> samples,
        IReadOnlyDictionary<(string Workload, string Contender), string> failures)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"Rounds: {options.Rounds} (interleaved, contender order rotated each round; medians over rounds). Scale: {options.Scale.ToString(inv)}.\n\n");
        sb.Append("| workload | parameters |\n|---|---|\n");
        foreach (var w in options.Workloads) sb.Append(inv, $"| {w.Name} | {w.Parameters(options.Scale)} |\n");
        sb.Append('\n');

        bool hasRatio = contenders.Any(c => c.Key == SuiteContender.Ebb) && contenders.Any(c => c.Key == SuiteContender.Mimalloc);
        string Header(string last) =>
            "| workload | " + string.Join(" | ", contenders.Select(c => c.Label)) + (hasRatio ? $" | {last} |" : " |") + "\n" +
            "|---|" + string.Concat(contenders.Select(_ => "---:|")) + (hasRatio ? "---:|" : "") + "\n";

        sb.Append("##### Speed (median; seconds for fixed work, lower is better; the workload's rate for fixed duration, higher is better)\n\n");
        sb.Append(Header("mimalloc / Ebb (above 1: Ebb faster)"));
        foreach (var w in options.Workloads)
        {
            sb.Append(inv, $"| {w.Name} |");
            foreach (var c in contenders)
                sb.Append(' ').Append(Cell(w, c, samples, failures, s => w.FixedDuration ? s.Figure : s.Seconds, v => w.FixedDuration ? Rate(v, w.Figure) : v.ToString("0.000", inv) + " s")).Append(" |");
            if (hasRatio)
            {
                double? ebb = Median(w, SuiteContender.Ebb, samples, s => w.FixedDuration ? s.Figure : s.Seconds);
                double? mi = Median(w, SuiteContender.Mimalloc, samples, s => w.FixedDuration ? s.Figure : s.Seconds);
                double? ratio = ebb is > 0 && mi is > 0 ? (w.FixedDuration ? ebb / mi : mi / ebb) : null;
                sb.Append(' ').Append(ratio is { } r ? r.ToString("0.00", inv) + "x" : "-").Append(" |");
            }
            sb.Append('\n');
        }
        sb.Append('\n');

        sb.Append("##### Peak RSS of the child process (VmHWM, MiB, median; the .NET runtime's own memory included)\n\n");
        sb.Append(Header("Ebb / mimalloc (below 1: Ebb smaller)"));
        foreach (var w in options.Workloads)
        {
            sb.Append(inv, $"| {w.Name} |");
            foreach (var c in contenders)
                sb.Append(' ').Append(Cell(w, c, samples, failures, s => s.PeakRss, v => Mib(v))).Append(" |");
            if (hasRatio)
            {
                double? ebb = Median(w, SuiteContender.Ebb, samples, s => s.PeakRss);
                double? mi = Median(w, SuiteContender.Mimalloc, samples, s => s.PeakRss);
                sb.Append(' ').Append(ebb is > 0 && mi is > 0 ? (ebb / mi).Value.ToString("0.00", inv) + "x" : "-").Append(" |");
            }
            sb.Append('\n');
        }
        sb.Append('\n');

        var m25 = options.Workloads.FirstOrDefault(w => w.Name == "mstress");
        var m200 = options.Workloads.FirstOrDefault(w => w.Name == "mstress-200");
        if (m25 is not null && m200 is not null)
        {
            sb.Append(inv, $"##### mstress: peak RSS at 200 iterations against 25 (MiB, median; target for Ebb: at most {MstressGrowthTarget:0.0}x, no GC forced)\n\n");
            sb.Append("| contender | 25 iterations | 200 iterations | 200 / 25 |\n|---|---:|---:|---:|\n");
            foreach (var c in contenders)
            {
                double? a = Median(m25, c.Key, samples, s => s.PeakRss);
                double? b = Median(m200, c.Key, samples, s => s.PeakRss);
                string ratio = a is > 0 && b is > 0 ? (b / a).Value.ToString("0.00", inv) + "x" : "-";
                if (c.Key == SuiteContender.Ebb && a is > 0 && b is > 0)
                    ratio += b / a <= MstressGrowthTarget ? " (target met)" : " (target missed)";
                sb.Append(inv, $"| {c.Label} | {Mib(a)} | {Mib(b)} | {ratio} |\n");
            }
            sb.Append('\n');
        }
        if (failures.Count > 0)
        {
            sb.Append("Failed runs:\n\n");
            foreach (var ((w, c), message) in failures) sb.Append(inv, $"- {w}, {c}: {message}\n");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Mib(double? bytes) => bytes is { } b ? (b / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Rate(double perSecond, string unit)
    {
        var inv = CultureInfo.InvariantCulture;
        return perSecond >= 1e6 ? (perSecond / 1e6).ToString("0.00", inv) + " M " + unit : perSecond.ToString("0", inv) + " " + unit;
    }

    private static string Cell(
        ISuiteWorkload w, SuiteContender c,
        IReadOnlyDictionary<(string, string), List<SuiteSample>> samples,
        IReadOnlyDictionary<(string, string), string> failures,
        Func<SuiteSample, double> pick,
        Func<double, string> format)
    {
        if (failures.ContainsKey((w.Name, c.Key))) return "failed";
        return Median(w, c.Key, samples, pick) is { } v ? format(v) : "-";
    }

    private static double? Median(ISuiteWorkload w, string contender, IReadOnlyDictionary<(string, string), List<SuiteSample>> samples, Func<SuiteSample, double> pick)
    {
        if (!samples.TryGetValue((w.Name, contender), out var list) || list.Count == 0) return null;
        var v = list.Select(pick).Order().ToList();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }
}
