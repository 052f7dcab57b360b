using Ebb.Proc.Watch;

namespace Ebb.Proc.Tests.Watch;

public class WatchFormatterTests
{
    private static RssSample S(double seconds, ulong rss, ulong? anon = 0, ulong? file = 0, ulong? shmem = 0) =>
        new(TimeSpan.FromSeconds(seconds), rss, anon, file, shmem);

    [Fact]
    public void Sparkline_ScalesFromTheSmallestToTheLargest()
    {
        Assert.Equal("▁▂▃▄▅▆▇█", WatchFormatter.Sparkline([0, 1, 2, 3, 4, 5, 6, 7]));
        Assert.Equal("▁█▁", WatchFormatter.Sparkline([100, 200, 100]));
        Assert.Equal("▁▁▁", WatchFormatter.Sparkline([5, 5, 5]));
        Assert.Equal("", WatchFormatter.Sparkline([]));
        // With a floor on the range, a small wobble stays low.
        Assert.Equal("▁▁▁", WatchFormatter.Sparkline([1000, 1004, 1000], 1024));
        Assert.Equal("▁█", WatchFormatter.Sparkline([1000, 3000], 1024));
    }

    [Fact]
    public void Line_FirstSample_HasNoChange()
    {
        Assert.Equal(
            "    0.00s    10.0 MiB     4.0 MiB     5.0 MiB     1.0 MiB           -  ▁",
            WatchFormatter.Line([S(0, 10240, 4096, 5120, 1024)]));
    }

    [Fact]
    public void Line_ShowsTheChangeAndTheSparklineSoFar()
    {
        var history = new List<RssSample> { S(0, 10240), S(0.5, 20480), S(1.0, 15360, null, null, null) };
        Assert.Equal(
            "    0.50s    20.0 MiB     0.0 MiB     0.0 MiB     0.0 MiB   +10.0 MiB  ▁█",
            WatchFormatter.Line(history.Take(2).ToList()));
        Assert.Equal(
            "    1.00s    15.0 MiB           -           -           -    -5.0 MiB  ▁█▅",
            WatchFormatter.Line(history));
    }

    [Fact]
    public void Line_SmallChangesInKilobytes()
    {
        Assert.EndsWith("       +8 kB  ▁▁", WatchFormatter.Line([S(0, 10240), S(1, 10248)]));
        Assert.EndsWith("      -12 kB  ▁▁", WatchFormatter.Line([S(0, 10240), S(1, 10228)]));
    }

    [Fact]
    public void Line_SparklineShowsOnlyTheLatestWindow()
    {
        var history = Enumerable.Range(0, 100).Select(i => S(i, (ulong)(i * 1024))).ToList();
        string line = WatchFormatter.Line(history);
        string spark = WatchFormatter.Sparkline(history.Skip(100 - WatchFormatter.SparklineWidth).Select(s => s.RssKb).ToList(), 1024);
        Assert.Equal(WatchFormatter.SparklineWidth, spark.Length);
        Assert.EndsWith("  " + spark, line);
    }

    [Fact]
    public void Header_LinesUpWithTheColumns()
    {
        // Every heading ends in the column where its figure ends.
        string line = WatchFormatter.Line([S(0, 10240), S(1, 20480)]);
        string header = WatchFormatter.Header;
        foreach (var (heading, figure) in new[] { ("TIME", "1.00s"), ("RSS", "20.0 MiB"), ("ANON", "0.0 MiB"), ("CHANGE", "+10.0 MiB") })
        {
            int end = header.IndexOf(heading, StringComparison.Ordinal) + heading.Length;
            Assert.Equal(figure, line[(end - figure.Length)..end]);
        }
        Assert.Equal(header.IndexOf("RSS SO FAR", StringComparison.Ordinal), line.IndexOf('▁'));
    }

    [Fact]
    public void Title_And_Summary()
    {
        Assert.Equal("watching process 42 (my prog): RSS every 0.25 s, 3 samples",
            WatchFormatter.Title("42", "my prog", TimeSpan.FromSeconds(0.25), 3));
        Assert.Equal("watching process self: RSS every 1 s, until it exits or Ctrl-C",
            WatchFormatter.Title("self", null, TimeSpan.FromSeconds(1), null));
        var samples = new[] { S(0, 2048), S(1, 1024), S(2, 4096) };
        Assert.Equal("3 samples over 2.00 s; RSS 2.0 MiB -> 4.0 MiB (min 1.0 MiB, max 4.0 MiB)",
            WatchFormatter.Summary("42", samples, WatchEnd.CountReached));
        Assert.Equal("process 42 exited; 1 sample over 0.00 s; RSS 2.0 MiB -> 2.0 MiB (min 2.0 MiB, max 2.0 MiB)",
            WatchFormatter.Summary("42", samples[..1], WatchEnd.ProcessExited));
    }
}
