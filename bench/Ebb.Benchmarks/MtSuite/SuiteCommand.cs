using System.Globalization;
using Ebb.Benchmarks.Quick;
using Ebb.Benchmarks.Workloads.Suite;

namespace Ebb.Benchmarks.MtSuite;

/// <summary>
/// <c>suite …</c>: mimalloc-bench's programs, ported (<see cref="SuiteWorkloads"/>), against
/// every contender, each contender × workload × round in a child process of its own (so its
/// peak RSS is its own, and jemalloc and tcmalloc can be preloaded). Rounds are interleaved:
/// each round runs every workload once per contender, the contenders in an order rotated by one
/// each round, so a slow spell of the shared machine does not fall on one contender's runs
/// only. Reports medians over rounds (<see cref="SuiteReport"/>). Progress and every child's
/// figures go to stderr, one line each: the raw log.
/// </summary>
public static class SuiteCommand
{
    private static readonly TimeSpan s_childTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Runs the suite; returns 0, or 1 when a child failed (its cells say so).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var options = SuiteOptions.Parse(args);
        var contenders = options.Contenders.Where(c => c.Child.Unavailable is null).ToList();
        foreach (var c in options.Contenders.Where(c => c.Child.Unavailable is not null))
            stderr.WriteLine($"suite: {c.Label} left out: {c.Child.Unavailable}");
        var samples = new Dictionary<(string Workload, string Contender), List<SuiteSample>>();
        var failures = new Dictionary<(string Workload, string Contender), string>();
        string scale = options.Scale.ToString("R", CultureInfo.InvariantCulture);
        for (int round = 0; round < options.Rounds; round++)
        {
            var order = contenders.Skip(round % contenders.Count).Concat(contenders.Take(round % contenders.Count)).ToList();
            foreach (var workload in options.Workloads)
                foreach (var c in order)
                {
                    var cell = (workload.Name, c.Key);
                    if (failures.ContainsKey(cell)) continue;
                    try
                    {
                        var results = ChildProcess.Run(
                            ["suite-child", workload.Name, "--allocator", c.Child.ContenderKey, "--scale", scale],
                            c.Child.Environment, s_childTimeout);
                        double Get(string key) => results.FirstOrDefault(r => r.Key == key) is { Key: not null } r
                            ? r.Value
                            : throw new InvalidOperationException($"the child reported no '{key}'");
                        var s = new SuiteSample(Get(SuiteChild.SecondsKey), Get(SuiteChild.FigureKey), (long)Get(SuiteChild.PeakRssKey));
                        if (!samples.TryGetValue(cell, out var list)) samples[cell] = list = [];
                        list.Add(s);
                        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"round {round + 1}/{options.Rounds}\t{workload.Name}\t{c.Key}\t{s.Seconds:0.000} s\t{s.Figure:0.000e0} {workload.Figure}\tpeak RSS {s.PeakRss / 1048576.0:0.0} MiB"));
                    }
                    catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                    {
                        failures[cell] = e.Message;
                        stderr.WriteLine($"round {round + 1}/{options.Rounds}\t{workload.Name}\t{c.Key}\tFAILED: {e.Message}");
                    }
                }
        }
        string report = SuiteReport.Render(options, contenders, samples, failures);
        stdout.Write(report);
        if (options.MarkdownPath is { } path) File.WriteAllText(path, report);
        return failures.Count == 0 ? 0 : 1;
    }
}

/// <summary>One child's figures.</summary>
/// <param name="Seconds">The workload's wall time.</param>
/// <param name="Figure">The workload's own figure.</param>
/// <param name="PeakRss">VmHWM at the end, bytes.</param>
public readonly record struct SuiteSample(double Seconds, double Figure, long PeakRss);
