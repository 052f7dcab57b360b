using System.Globalization;
using System.Text;

namespace Ebb.Proc;

/// <summary>
/// Draws an address space as SVG: every region a band in address order, its height on a
/// log scale of its size, coloured by <see cref="RegionKind"/>, its resident part filled
/// (from smaps' Rss), labelled, with a legend and totals. A pure function of its input.
/// </summary>
public static class AddressSpaceSvg
{
    /// <summary>Width of the picture in pixels.</summary>
    public const int Width = 1180;

    private const int BarX = 12, BarWidth = 300, LabelX = BarX + BarWidth + 10;
    private const int GapHeight = 12, LegendTop = 58, LegendRow = 17, LegendColumns = 3;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Colours per kind (Tableau 10), as CSS colours.</summary>
    public static string Colour(RegionKind kind) => kind switch
    {
        RegionKind.Code => "#e15759",
        RegionKind.Data => "#f28e2b",
        RegionKind.File => "#9c755f",
        RegionKind.Heap => "#59a14f",
        RegionKind.Anonymous => "#4e79a7",
        RegionKind.Ebb => "#b07aa1",
        RegionKind.Stack => "#edc948",
        RegionKind.Vdso => "#76b7b2",
        _ => "#bab0ac",
    };

    /// <summary>The legend's words for a kind.</summary>
    public static string Describe(RegionKind kind) => kind switch
    {
        RegionKind.Code => "code",
        RegionKind.Data => "data (file, writable)",
        RegionKind.File => "file (read-only)",
        RegionKind.Heap => "heap ([heap], the break)",
        RegionKind.Anonymous => "anonymous",
        RegionKind.Ebb => "Ebb's arenas",
        RegionKind.Stack => "stack",
        RegionKind.Vdso => "vvar / vdso",
        _ => "guard / reserved (no access)",
    };

    /// <summary>The height of a region's band: 12 px for a page, 3 px more per doubling.</summary>
    public static double BandHeight(ulong size)
    {
        double pages = Math.Max(1, size / 4096.0);
        return Math.Round(12 + 3 * Math.Log2(pages), 1);
    }

    /// <summary>Renders the picture.</summary>
    /// <param name="title">The heading (e.g. <c>1234: /usr/bin/dotnet</c>).</param>
    /// <param name="regions">The regions, in any order (they are drawn in address order).</param>
    public static string Render(string title, IReadOnlyList<MapRegion> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        var sorted = regions.OrderBy(r => r.Map.Start).ToList();
        bool rssKnown = sorted.Count > 0 && sorted.All(r => r.Smaps is not null);
        var body = new StringBuilder();
        double y = LegendTop + LegendRow * Math.Ceiling(Enum.GetValues<RegionKind>().Length / (double)LegendColumns) + 16;
        ulong previousEnd = 0;
        int index = 0;
        foreach (var r in sorted)
        {
            if (index > 0 && r.Map.Start > previousEnd)
            {
                Gap(body, y, r.Map.Start - previousEnd);
                y += GapHeight;
            }
            double h = BandHeight(r.Map.Size);
            Band(body, r, index, y, h);
            y += h + 1;
            previousEnd = Math.Max(previousEnd, r.Map.End);
            index++;
        }
        double height = Math.Ceiling(y + 10);

        var svg = new StringBuilder(body.Length + 4096);
        svg.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"monospace\" font-size=\"10\">\n");
        svg.Append("<title>").Append(Xml.Escape(title)).Append("</title>\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        svg.Append(Inv, $"<text x=\"{BarX}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{Xml.Escape(title)}</text>\n");
        svg.Append(Inv, $"<text x=\"{BarX}\" y=\"38\">{Xml.Escape(Totals(sorted, rssKnown))}</text>\n");
        Legend(svg, sorted, rssKnown);
        svg.Append(body);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>The totals line: regions, bytes mapped, bytes resident.</summary>
    public static string Totals(IReadOnlyList<MapRegion> regions, bool rssKnown)
    {
        ulong mapped = 0, rss = 0;
        foreach (var r in regions)
        {
            mapped += r.Map.Size;
            rss += r.RssBytes ?? 0;
        }
        string resident = rssKnown ? $", {Bytes(rss)} resident (filled part of each band)" : " (resident sizes unknown: smaps unreadable)";
        return $"{regions.Count} regions, {Bytes(mapped)} mapped{resident}; band height: log2 of size, lowest address first";
    }

    private static void Legend(StringBuilder svg, List<MapRegion> regions, bool rssKnown)
    {
        var kinds = Enum.GetValues<RegionKind>();
        for (int i = 0; i < kinds.Length; i++)
        {
            var k = kinds[i];
            var of = regions.Where(r => r.Kind == k).ToList();
            ulong size = 0, rss = 0;
            foreach (var r in of)
            {
                size += r.Map.Size;
                rss += r.RssBytes ?? 0;
            }
            double x = BarX + (i % LegendColumns) * 380;
            double y = LegendTop + (i / LegendColumns) * LegendRow;
            string text = $"{Describe(k)}: {of.Count} × {Bytes(size)}" + (rssKnown ? $", {Bytes(rss)} resident" : "");
            svg.Append(Inv, $"<g class=\"legend\" data-kind=\"{k.ToString().ToLowerInvariant()}\"><rect x=\"{x}\" y=\"{y - 9}\" width=\"12\" height=\"12\" fill=\"{Colour(k)}\"/>");
            svg.Append(Inv, $"<text x=\"{x + 18}\" y=\"{y + 1}\">{Xml.Escape(text)}</text></g>\n");
        }
    }

    private static void Gap(StringBuilder svg, double y, ulong bytes)
    {
        double mid = y + GapHeight / 2.0;
        svg.Append(Inv, $"<g class=\"gap\"><line x1=\"{BarX}\" y1=\"{mid}\" x2=\"{BarX + BarWidth}\" y2=\"{mid}\" stroke=\"#cccccc\" stroke-dasharray=\"3,3\"/>");
        svg.Append(Inv, $"<text x=\"{LabelX}\" y=\"{mid + 3}\" fill=\"#999999\" font-size=\"9\">{Xml.Escape(Bytes(bytes))} unmapped</text></g>\n");
    }

    private static void Band(StringBuilder svg, MapRegion r, int index, double y, double h)
    {
        var m = r.Map;
        var kind = r.Kind;
        string colour = Colour(kind);
        string name = m.Name.Length == 0 ? (kind == RegionKind.Ebb ? "[anon] (Ebb)" : "[anon]") : m.Name;
        string rss = r.RssBytes is ulong b ? Bytes(b) : "?";
        string label = $"{m.Start:x12}  {m.PermissionsText}  {Bytes(m.Size),9}  rss {rss,9}  {name}";
        svg.Append(Inv, $"<g class=\"region\" id=\"r{index}\" data-kind=\"{kind.ToString().ToLowerInvariant()}\" data-details=\"{Xml.Escape(Details(r))}\">");
        svg.Append("<title>").Append(Xml.Escape(Details(r))).Append("</title>");
        svg.Append(Inv, $"<rect x=\"{BarX}\" y=\"{y}\" width=\"{BarWidth}\" height=\"{h}\" fill=\"{colour}\" fill-opacity=\"0.22\" stroke=\"{colour}\" stroke-width=\"0.8\"/>");
        if (r.RssBytes is ulong resident && m.Size > 0)
        {
            // At least a pixel when anything is resident, so a few pages of a big region show.
            double w = resident == 0 ? 0 : Math.Max(1, Math.Round(BarWidth * Math.Min(1.0, resident / (double)m.Size), 1));
            if (w > 0) svg.Append(Inv, $"<rect class=\"rss\" x=\"{BarX}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{colour}\"/>");
        }
        svg.Append(Inv, $"<text x=\"{LabelX}\" y=\"{y + h / 2 + 3.5}\" xml:space=\"preserve\">{Xml.Escape(label)}</text></g>\n");
    }

    /// <summary>Every figure of a region, one per line: the hover text.</summary>
    public static string Details(MapRegion r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var m = r.Map;
        var sb = new StringBuilder();
        sb.Append($"{m.Start:x}-{m.End:x} {m.PermissionsText} {m.Offset:x8} {m.DeviceMajor:x2}:{m.DeviceMinor:x2} {m.Inode} {m.Name}".TrimEnd()).Append('\n');
        sb.Append($"kind: {Describe(r.Kind)}\nsize: {Bytes(m.Size)} ({m.Size} bytes)");
        if (r.Smaps is { } s)
        {
            foreach (var f in s.Fields)
                if (f.Name != "Size" && (f.Value != 0 || f.Name is "Rss" or "Pss"))
                    sb.Append('\n').Append(f.Name).Append(": ").Append(f.InKilobytes ? $"{f.Value} kB" : f.Value.ToString(Inv));
            if (!string.IsNullOrEmpty(s.VmFlags)) sb.Append("\nVmFlags: ").Append(s.VmFlags);
        }
        return sb.ToString();
    }

    /// <summary>A byte count in the largest binary unit that keeps it at least 1.</summary>
    public static string Bytes(ulong bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(Inv, $"{bytes / 1024.0:0.#} KiB"),
        < 1024UL * 1024 * 1024 => string.Create(Inv, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        < 1024UL * 1024 * 1024 * 1024 => string.Create(Inv, $"{bytes / (1024.0 * 1024 * 1024):0.#} GiB"),
        _ => string.Create(Inv, $"{bytes / (1024.0 * 1024 * 1024 * 1024):0.#} TiB"),
    };
}
