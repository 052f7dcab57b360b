using System.Globalization;
using System.Xml.Linq;

namespace Ebb.Proc.Watch;

/// <summary>
/// The picture side of <c>ebb watch</c>: a line plot of RSS and its anonymous, file and
/// shmem parts over time, as a standalone SVG document (valid XML: built with
/// System.Xml.Linq, so every name and title is escaped). A pure function of the samples.
/// </summary>
public static class WatchSvg
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";
    private const double Width = 860, Height = 420, Left = 80, Right = 170, Top = 50, Bottom = 60;

    // id, legend label, colour, value of a sample (null when the kernel did not say).
    private static readonly (string Id, string Label, string Colour, Func<RssSample, ulong?> Value)[] s_series =
    [
        ("rss", "RSS (total)", "#222222", s => s.RssKb),
        ("anon", "anonymous", "#1f77b4", s => s.AnonKb),
        ("file", "file", "#2ca02c", s => s.FileKb),
        ("shmem", "shmem", "#ff7f0e", s => s.ShmemKb),
    ];

    /// <summary>Renders the plot.</summary>
    /// <param name="samples">The samples, in time order; may be empty.</param>
    /// <param name="title">The heading, e.g. <c>process 1234 (dotnet)</c>.</param>
    public static string Render(IReadOnlyList<RssSample> samples, string title)
    {
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        // One sample (or none) spans no time: the axis then shows a second, not five "0 s".
        double span = samples.Count == 0 ? 0 : samples[^1].Elapsed.TotalSeconds;
        var (secondStep, seconds) = Axis(span > 0 ? span : 1);
        var (mibStep, maxMib) = Axis(samples.Count == 0 ? 1 : Math.Max(samples.Max(s => s.RssKb) / 1024.0, 1.0 / 1024));
        double X(TimeSpan t) => Left + t.TotalSeconds / seconds * plotW;
        double Y(ulong kb) => Top + plotH - kb / 1024.0 / maxMib * plotH;

        var svg = new XElement(s_svg + "svg",
            new XAttribute("width", F(Width)), new XAttribute("height", F(Height)),
            new XAttribute("viewBox", $"0 0 {F(Width)} {F(Height)}"),
            new XAttribute("font-family", "sans-serif"), new XAttribute("font-size", "12"),
            new XElement(s_svg + "title", $"ebb watch: {title}"),
            new XElement(s_svg + "rect", new XAttribute("width", "100%"), new XAttribute("height", "100%"), new XAttribute("fill", "white")),
            Text(Left, 24, $"RSS of {title}", ("font-size", "16"), ("font-weight", "bold")));

        // Horizontal grid lines and the MiB axis.
        foreach (double mib in Ticks(mibStep, maxMib))
        {
            double y = Top + plotH - mib / maxMib * plotH;
            svg.Add(Line(Left, y, Left + plotW, y, "#dddddd"),
                    Text(Left - 8, y + 4, $"{Round(mib)} MiB", ("text-anchor", "end")));
        }
        // The time axis.
        foreach (double t in Ticks(secondStep, seconds))
        {
            double x = Left + t / seconds * plotW;
            svg.Add(Line(x, Top + plotH, x, Top + plotH + 5, "#444444"),
                    Text(x, Top + plotH + 20, $"{Round(t)} s", ("text-anchor", "middle")));
        }
        svg.Add(Line(Left, Top, Left, Top + plotH, "#444444"), Line(Left, Top + plotH, Left + plotW, Top + plotH, "#444444"),
                Text(Left + plotW / 2, Height - 16, "time since the first sample", ("text-anchor", "middle")));

        for (int k = 0; k < s_series.Length; k++)
        {
            var (id, label, colour, value) = s_series[k];
            var known = samples.Where(s => value(s) is not null).ToList();
            if (known.Count > 0)
            {
                string points = string.Join(" ", known.Select(s => $"{F(X(s.Elapsed))},{F(Y(value(s)!.Value))}"));
                svg.Add(new XElement(s_svg + "polyline",
                    new XAttribute("id", id), new XAttribute("points", points), new XAttribute("fill", "none"),
                    new XAttribute("stroke", colour), new XAttribute("stroke-width", id == "rss" ? "2.5" : "1.5"),
                    new XElement(s_svg + "title", $"{label}: last {WatchFormatter.Mib(value(known[^1]))}")));
                // A line through one point draws nothing: mark a lone sample with a dot.
                if (known.Count == 1)
                    svg.Add(new XElement(s_svg + "circle", new XAttribute("id", id + "-point"),
                        new XAttribute("cx", F(X(known[0].Elapsed))), new XAttribute("cy", F(Y(value(known[0])!.Value))),
                        new XAttribute("r", "3.5"), new XAttribute("fill", colour)));
            }
            double ly = Top + 10 + k * 22;
            svg.Add(Line(Left + plotW + 20, ly, Left + plotW + 44, ly, colour, id == "rss" ? 2.5 : 1.5),
                    Text(Left + plotW + 50, ly + 4, label));
        }
        svg.Add(Text(Left + plotW + 20, Top + 10 + s_series.Length * 22 + 8, samples.Count == 1 ? "1 sample" : $"{samples.Count} samples", ("fill", "#666666")));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), svg).Declaration + "\n" + svg + "\n";
    }

    /// <summary>
    /// An axis for values up to <paramref name="max"/>: a round step (1, 2 or 5 times a power of
    /// ten, giving at most five intervals) and the end, the first multiple of it at or above max.
    /// </summary>
    internal static (double Step, double End) Axis(double max)
    {
        double step = NiceCeiling(max / 5);
        return (step, step * Math.Ceiling(max / step - 1e-9));
    }

    // 0, step, 2 step, ... up to end; each computed as i * step so that no error accumulates.
    internal static IEnumerable<double> Ticks(double step, double end)
    {
        for (int i = 0; i * step <= end * (1 + 1e-9); i++) yield return i * step;
    }

    // A tick's label: round values need no more than the step's digits; this drops float noise.
    private static string Round(double v) => Math.Round(v, 6).ToString("0.######", CultureInfo.InvariantCulture);

    // 1, 2 or 5 times a power of ten, at or above the value (so the axis ends on a round number).
    internal static double NiceCeiling(double value)
    {
        if (value <= 0) return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double m in new[] { 1.0, 2, 5, 10 })
            if (m * power >= value) return m * power;
        return 10 * power;
    }

    private static XElement Line(double x1, double y1, double x2, double y2, string colour, double width = 1) =>
        new(s_svg + "line", new XAttribute("x1", F(x1)), new XAttribute("y1", F(y1)), new XAttribute("x2", F(x2)),
            new XAttribute("y2", F(y2)), new XAttribute("stroke", colour), new XAttribute("stroke-width", F(width)));

    private static XElement Text(double x, double y, string text, params (string Name, string Value)[] attributes)
    {
        var e = new XElement(s_svg + "text", new XAttribute("x", F(x)), new XAttribute("y", F(y)), text);
        foreach (var (name, value) in attributes) e.Add(new XAttribute(name, value));
        return e;
    }

    private static string F(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
}
