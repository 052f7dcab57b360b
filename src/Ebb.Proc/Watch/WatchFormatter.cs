using System.Globalization;
using System.Text;

namespace Ebb.Proc.Watch;

/// <summary>
/// The terminal side of <c>ebb watch</c>: pure functions from samples to lines, one line per
/// sample with a sparkline of RSS so far.
/// </summary>
public static class WatchFormatter
{
    /// <summary>How many of the latest samples the sparkline shows.</summary>
    public const int SparklineWidth = 32;

    private const string Levels = "▁▂▃▄▅▆▇█";

    /// <summary>The first line: what is watched, how often, how many times.</summary>
    public static string Title(string pid, string? name, TimeSpan interval, int? count) =>
        $"watching process {pid}{(name is null ? "" : $" ({name})")}: RSS every {Seconds(interval)} s, "
        + (count is int n ? $"{n} sample{(n == 1 ? "" : "s")}" : "until it exits or Ctrl-C");

    /// <summary>The column headings, aligned with <see cref="Line"/>.</summary>
    public static string Header { get; } =
        $"{"TIME",9}{"RSS",12}{"ANON",12}{"FILE",12}{"SHMEM",12}{"CHANGE",12}  RSS SO FAR";

    /// <summary>One sample: elapsed time, RSS and its split in MiB, the change since the previous sample, a sparkline.</summary>
    /// <param name="history">Every sample so far, ending with the one to print.</param>
    public static string Line(IReadOnlyList<RssSample> history)
    {
        var s = history[^1];
        string change = history.Count < 2 ? "-" : Signed((long)s.RssKb - (long)history[^2].RssKb);
        var window = history.Skip(Math.Max(0, history.Count - SparklineWidth)).Select(x => x.RssKb).ToList();
        // A floor of 1 MiB on the range, so that a few pages of jitter do not swing the line from ▁ to █.
        return string.Create(CultureInfo.InvariantCulture,
            $"{s.Elapsed.TotalSeconds,8:F2}s {Mib(s.RssKb),11} {Mib(s.AnonKb),11} {Mib(s.FileKb),11} {Mib(s.ShmemKb),11} {change,11}  {Sparkline(window, 1024)}");
    }

    /// <summary>The last line: how the watch ended, with the range RSS covered.</summary>
    public static string Summary(string pid, IReadOnlyList<RssSample> samples, WatchEnd end)
    {
        if (samples.Count == 0) return $"no samples of process {pid}";
        var first = samples[0];
        var last = samples[^1];
        string what = string.Create(CultureInfo.InvariantCulture,
            $"{samples.Count} sample{(samples.Count == 1 ? "" : "s")} over {last.Elapsed.TotalSeconds:F2} s; ")
            + $"RSS {Mib(first.RssKb)} -> {Mib(last.RssKb)} "
            + $"(min {Mib(samples.Min(x => x.RssKb))}, max {Mib(samples.Max(x => x.RssKb))})";
        return end switch
        {
            WatchEnd.ProcessExited => $"process {pid} exited; {what}",
            WatchEnd.Cancelled => $"stopped; {what}",
            _ => what,
        };
    }

    /// <summary>
    /// A sparkline of <paramref name="values"/>: one block character per value, from ▁ (the
    /// smallest) to █ (the largest); all ▁ when they are all equal.
    /// </summary>
    /// <param name="values">The values, oldest first.</param>
    /// <param name="minimumRange">The least span the scale covers, above the smallest value, so small changes stay small.</param>
    public static string Sparkline(IReadOnlyList<ulong> values, ulong minimumRange = 0)
    {
        if (values.Count == 0) return "";
        ulong min = values.Min(), max = Math.Max(values.Max(), min + minimumRange);
        var sb = new StringBuilder(values.Count);
        foreach (var v in values)
        {
            int level = max == min ? 0 : (int)Math.Round((double)(v - min) / (max - min) * (Levels.Length - 1));
            sb.Append(Levels[level]);
        }
        return sb.ToString();
    }

    /// <summary>kB as MiB with one decimal, <c>-</c> when unknown.</summary>
    public static string Mib(ulong? kb) =>
        kb is ulong k ? string.Create(CultureInfo.InvariantCulture, $"{k / 1024.0:F1} MiB") : "-";

    // Changes under a MiB in kB, so that a page or two does not print as "+0.0 MiB".
    private static string Signed(long kb) =>
        kb == 0 ? "0"
        : Math.Abs(kb) < 1024 ? string.Create(CultureInfo.InvariantCulture, $"{(kb > 0 ? "+" : "-")}{Math.Abs(kb)} kB")
        : string.Create(CultureInfo.InvariantCulture, $"{(kb > 0 ? "+" : "-")}{Math.Abs(kb) / 1024.0:F1} MiB");

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
