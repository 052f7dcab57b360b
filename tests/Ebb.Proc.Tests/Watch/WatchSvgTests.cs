using System.Globalization;
using System.Xml.Linq;
using Ebb.Proc.Watch;

namespace Ebb.Proc.Tests.Watch;

public class WatchSvgTests
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    private static List<RssSample> Samples(int n) =>
        Enumerable.Range(0, n).Select(i => new RssSample(TimeSpan.FromSeconds(i * 0.5), (ulong)(1000 + i * 300), (ulong)(i * 300), 1000, 0)).ToList();

    private static (double X, double Y)[] Points(XDocument doc, string id) =>
        doc.Descendants(s_svg + "polyline").Single(p => (string?)p.Attribute("id") == id).Attribute("points")!.Value
           .Split(' ').Select(p => p.Split(','))
           .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture))).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(17)]
    public void Render_IsXml_WithOnePointPerSampleInEverySeries(int n)
    {
        var doc = XDocument.Parse(WatchSvg.Render(Samples(n), "process 7 (a<b & \"c\")"));
        Assert.Equal(s_svg + "svg", doc.Root!.Name);
        foreach (var id in new[] { "rss", "anon", "file", "shmem" }) Assert.Equal(n, Points(doc, id).Length);
        Assert.Contains("a<b & \"c\"", doc.Root.Element(s_svg + "title")!.Value);
    }

    [Fact]
    public void Render_PointsGoRightWithTime_AndUpWithRss()
    {
        var doc = XDocument.Parse(WatchSvg.Render(Samples(5), "x"));
        var rss = Points(doc, "rss");
        var box = doc.Root!.Attribute("viewBox")!.Value.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        for (int i = 1; i < rss.Length; i++)
        {
            Assert.True(rss[i].X > rss[i - 1].X);
            Assert.True(rss[i].Y < rss[i - 1].Y); // SVG's y grows downwards
        }
        Assert.All(rss, p => { Assert.InRange(p.X, 0, box[2]); Assert.InRange(p.Y, 0, box[3]); });
        // The file series is flat.
        Assert.Single(Points(doc, "file").Select(p => p.Y).Distinct());
    }

    [Fact]
    public void Render_WithoutTheSplit_DrawsOnlyRss()
    {
        var samples = new List<RssSample> { new(TimeSpan.Zero, 100, null, null, null), new(TimeSpan.FromSeconds(1), 200, null, null, null) };
        var doc = XDocument.Parse(WatchSvg.Render(samples, "old kernel"));
        Assert.Equal(["rss"], doc.Descendants(s_svg + "polyline").Select(p => (string)p.Attribute("id")!));
    }

    [Fact]
    public void Render_NoSamples_IsStillXml()
    {
        var doc = XDocument.Parse(WatchSvg.Render([], "nothing"));
        Assert.Empty(doc.Descendants(s_svg + "polyline"));
    }

    [Theory]
    [InlineData(0.3, 0.5)]
    [InlineData(1, 1)]
    [InlineData(1.01, 2)]
    [InlineData(3, 5)]
    [InlineData(730, 1000)]
    public void NiceCeiling_IsOneTwoOrFiveTimesAPowerOfTen(double value, double expected) =>
        Assert.Equal(expected, WatchSvg.NiceCeiling(value), 9);
}

public class WatchSvgAxisTests
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    private static string[] Labels(XDocument doc, string unit) =>
        doc.Descendants(s_svg + "text").Select(t => t.Value).Where(v => v.EndsWith(" " + unit, StringComparison.Ordinal)).ToArray();

    // `ebb watch --count 1 -o w.svg`: once six "0 s" ticks, no visible point, and "1 samples".
    [Fact]
    public void OneSample_HasDistinctRoundTicks_ADot_AndSaysOneSample()
    {
        var doc = XDocument.Parse(WatchSvg.Render([new RssSample(TimeSpan.Zero, 30_000, 20_000, 10_000, 0)], "p"));
        Assert.Equal(["0 s", "0.2 s", "0.4 s", "0.6 s", "0.8 s", "1 s"], Labels(doc, "s"));
        Assert.Single(doc.Descendants(s_svg + "circle"), c => (string?)c.Attribute("id") == "rss-point");
        Assert.Contains(doc.Descendants(s_svg + "text"), t => t.Value == "1 sample");
    }

    [Fact]
    public void Ticks_AreRoundValues()
    {
        var samples = new List<RssSample> { new(TimeSpan.Zero, 1000, null, null, null), new(TimeSpan.FromSeconds(7.3), 2100 * 1024, null, null, null) };
        var doc = XDocument.Parse(WatchSvg.Render(samples, "p"));
        Assert.Equal(["0 s", "2 s", "4 s", "6 s", "8 s"], Labels(doc, "s"));
        Assert.Equal(["0 MiB", "500 MiB", "1000 MiB", "1500 MiB", "2000 MiB", "2500 MiB"], Labels(doc, "MiB"));
    }

    [Theory]
    [InlineData(1, 0.2, 1)]
    [InlineData(7.3, 2, 8)]
    [InlineData(2100, 500, 2500)]
    [InlineData(0.03, 0.01, 0.03)]
    public void Axis_IsARoundStepAndItsMultiple(double max, double step, double end)
    {
        var (s, e) = WatchSvg.Axis(max);
        Assert.Equal(step, s, 9);
        Assert.Equal(end, e, 9);
    }
}
