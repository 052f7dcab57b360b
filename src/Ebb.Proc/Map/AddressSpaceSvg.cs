using System.Globalization;
using System.Text;

namespace Ebb.Proc.Map;

/// <summary>
/// Draws an address space as SVG: a legend and totals; an overview strip of the whole user
/// address space on a linear scale; then the regions in address order, each a band whose
/// height is on a log scale of its size, coloured by <see cref="RegionKind"/>, its resident part
/// filled (from smaps' Rss). A file's mappings share one band (one segment each), and a long run
/// of small regions shares one band too, so that a .NET process's few hundred mappings fit
/// a screen or two. Every region keeps its own element with its details. A pure function of its input.
/// </summary>
public static class AddressSpaceSvg
{
    /// <summary>Width of the picture in pixels.</summary>
    public const int Width = 900;

    /// <summary>Bands of fewer bytes than this are "small": a run of <see cref="MinRun"/> or more of them shares a band.</summary>
    public const ulong SmallBytes = 1 << 20;

    /// <summary>The shortest run of small regions that is collapsed into one band.</summary>
    public const int MinRun = 4;

    private const int BarX = 12, BarWidth = 300, LabelX = BarX + BarWidth + 10;
    private const int GapHeight = 8, LegendTop = 58, LegendRow = 17, LegendColumns = 2, LegendColumnWidth = 440;
    private const int StripHeight = 16;

    // The kernel's half of the 64-bit space ([vsyscall]) would stretch the overview to 16 EiB.
    private const ulong UserSpaceEnd = 1UL << 47;
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

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
        RegionKind.Ebb => "Ebb (arenas, huge blocks, maps)",
        RegionKind.Stack => "stack",
        RegionKind.Vdso => "vvar / vdso",
        _ => "guard / reserved (no access)",
    };

    /// <summary>The height of a band: 10 px for a page, 2 px more per doubling (a 4 KiB guard and a 64 GiB reservation, 10 and 58 px).</summary>
    public static double BandHeight(ulong size)
    {
        double pages = Math.Max(1, size / 4096.0);
        return Math.Round(10 + 2 * Math.Log2(pages), 1);
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
        double y = LegendTop + LegendRow * Math.Ceiling(Enum.GetValues<RegionKind>().Length / (double)LegendColumns) + 4;
        y = Overview(body, sorted, y) + 12;
        ulong previousEnd = 0;
        int index = 0;
        foreach (var row in Rows(sorted))
        {
            ulong start = row[0].Map.Start;
            if (index > 0 && start > previousEnd)
            {
                Gap(body, y, start - previousEnd);
                y += GapHeight;
            }
            double h = BandHeight(Total(row));
            if (row.Count == 1) Band(body, row[0], index, y, h);
            else Shared(body, row, index, y, h);
            y += h + 1;
            foreach (var r in row) previousEnd = Math.Max(previousEnd, r.Map.End);
            index += row.Count;
        }
        double height = Math.Ceiling(y + 10);

        var svg = new StringBuilder(body.Length + 4096);
        svg.Append(s_inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"monospace\" font-size=\"10\">\n");
        svg.Append("<title>").Append(Xml.Escape(title)).Append("</title>\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        svg.Append(s_inv, $"<text x=\"{BarX}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{Xml.Escape(title)}</text>\n");
        svg.Append(s_inv, $"<text x=\"{BarX}\" y=\"38\">{Xml.Escape(Totals(sorted, rssKnown))}</text>\n");
        Legend(svg, sorted, rssKnown);
        svg.Append(body);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>
    /// The bands, in address order: each a list of regions drawn as one band. A file's
    /// consecutive mappings form one band, with the unnamed guard regions between them (a .NET
    /// assembly's sections lie in a reservation whose unused pages are PROT_NONE); so do
    /// unnamed anonymous and guard regions that touch (a thread stack and its guard page, a
    /// malloc arena or a GC region and the reserve behind it); then a run of <see cref="MinRun"/>
    /// or more bands of under <see cref="SmallBytes"/> each forms one band.
    /// </summary>
    public static List<List<MapRegion>> Rows(IReadOnlyList<MapRegion> sorted)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var grouped = new List<List<MapRegion>>();
        for (int i = 0; i < sorted.Count;)
        {
            string name = sorted[i].Map.Name;
            int last = i;
            if (IsFile(name))
            {
                for (int k = i + 1; k < sorted.Count; k++)
                {
                    if (sorted[k].Map.Name == name) last = k;
                    else if (!IsUnnamedGuard(sorted[k])) break;
                }
                // The reservation's unused tail, right after the last section.
                if (last + 1 < sorted.Count && IsUnnamedGuard(sorted[last + 1]) && sorted[last + 1].Map.Start == sorted[last].Map.End) last++;
            }
            else if (IsPlainAnonymous(sorted[i]))
                while (last + 1 < sorted.Count && IsPlainAnonymous(sorted[last + 1]) && sorted[last + 1].Map.Start == sorted[last].Map.End)
                    last++;
            grouped.Add(sorted.Skip(i).Take(last - i + 1).ToList());
            i = last + 1;
        }
        var rows = new List<List<MapRegion>>();
        for (int i = 0; i < grouped.Count;)
        {
            int end = i;
            while (end < grouped.Count && IsSmall(grouped[end])) end++;
            if (end - i >= MinRun)
            {
                rows.Add(grouped.Skip(i).Take(end - i).SelectMany(g => g).ToList());
                i = end;
            }
            else rows.Add(grouped[i++]);
        }
        return rows;
    }

    private static bool IsFile(string name) => name.Length > 0 && name[0] != '[';

    private static bool IsUnnamedGuard(MapRegion r) => r.Map.Name.Length == 0 && r.Kind == RegionKind.Guard;

    private static bool IsPlainAnonymous(MapRegion r) => r.Map.Name.Length == 0 && r.Kind is RegionKind.Anonymous or RegionKind.Guard;

    private static bool IsSmall(List<MapRegion> row) => Total(row) < SmallBytes;

    private static ulong Total(List<MapRegion> row)
    {
        ulong total = 0;
        foreach (var r in row) total += r.Map.Size;
        return total;
    }

    // The whole user address space on a linear scale: most of it is empty, and that is the point.
    private static double Overview(StringBuilder svg, List<MapRegion> sorted, double y)
    {
        var user = sorted.Where(r => r.Map.Start < UserSpaceEnd).ToList();
        if (user.Count == 0) return y;
        ulong low = user[0].Map.Start, high = user.Max(r => r.Map.End);
        double span = Math.Max(1, high - low), width = Width - 2 * BarX;
        int kernel = sorted.Count - user.Count;
        string note = $"overview, linear: 0x{low:x} to 0x{high:x}, 1 px = {Bytes((ulong)(span / width))}; every region at least 1 px wide"
            + (kernel > 0 ? $" ({kernel} in the kernel's half not shown)" : "");
        svg.Append(s_inv, $"<g class=\"overview\"><text x=\"{BarX}\" y=\"{y + 10}\" fill=\"#555555\">{Xml.Escape(note)}</text>\n");
        double top = y + 16;
        svg.Append(s_inv, $"<rect x=\"{BarX}\" y=\"{top}\" width=\"{width}\" height=\"{StripHeight}\" fill=\"#f4f4f4\" stroke=\"#cccccc\" stroke-width=\"0.5\"/>\n");
        foreach (var r in user)
        {
            double x = Math.Round(BarX + (r.Map.Start - low) / span * width, 1);
            double w = Math.Max(1, Math.Round(r.Map.Size / span * width, 1));
            x = Math.Min(x, BarX + width - w); // a 1 px sliver at the very top stays inside the strip
            svg.Append(s_inv, $"<rect x=\"{x}\" y=\"{top}\" width=\"{w}\" height=\"{StripHeight}\" fill=\"{Colour(r.Kind)}\"><title>{r.Map.Start:x}-{r.Map.End:x} {Xml.Escape(Describe(r.Kind))} {Bytes(r.Map.Size)}</title></rect>\n");
        }
        svg.Append("</g>\n");
        return top + StripHeight;
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
        string resident = rssKnown ? $", {Bytes(rss)} resident (the filled part)" : " (resident sizes unknown: smaps unreadable)";
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
            double x = BarX + (i % LegendColumns) * LegendColumnWidth;
            double y = LegendTop + (i / LegendColumns) * LegendRow;
            string text = $"{Describe(k)}: {of.Count} × {Bytes(size)}" + (rssKnown ? $", {Bytes(rss)} resident" : "");
            svg.Append(s_inv, $"<g class=\"legend\" data-kind=\"{k.ToString().ToLowerInvariant()}\"><rect x=\"{x}\" y=\"{y - 9}\" width=\"12\" height=\"12\" fill=\"{Colour(k)}\"/>");
            svg.Append(s_inv, $"<text x=\"{x + 18}\" y=\"{y + 1}\">{Xml.Escape(text)}</text></g>\n");
        }
    }

    private static void Gap(StringBuilder svg, double y, ulong bytes)
    {
        double mid = y + GapHeight / 2.0;
        svg.Append(s_inv, $"<g class=\"gap\"><line x1=\"{BarX}\" y1=\"{mid}\" x2=\"{BarX + BarWidth}\" y2=\"{mid}\" stroke=\"#cccccc\" stroke-dasharray=\"3,3\"/>");
        svg.Append(s_inv, $"<text x=\"{LabelX}\" y=\"{mid + 3}\" fill=\"#999999\" font-size=\"9\">{Xml.Escape(Bytes(bytes))} unmapped</text></g>\n");
    }

    private static void Band(StringBuilder svg, MapRegion r, int index, double y, double h)
    {
        var m = r.Map;
        var kind = r.Kind;
        string colour = Colour(kind);
        string name = m.Name.Length > 0 ? m.Name : r.EbbPart is { } part ? $"[anon] (Ebb's {part})" : kind == RegionKind.Ebb ? "[anon] (Ebb)" : "[anon]";
        string rss = r.RssBytes is ulong b ? Bytes(b) : "?";
        string label = $"{m.Start:x12}  {m.PermissionsText}  {Bytes(m.Size),9}  rss {rss,9}  {name}";
        svg.Append(s_inv, $"<g class=\"region\" id=\"r{index}\" data-kind=\"{kind.ToString().ToLowerInvariant()}\" data-details=\"{Xml.Escape(Details(r))}\">");
        svg.Append("<title>").Append(Xml.Escape(Details(r))).Append("</title>");
        svg.Append(s_inv, $"<rect x=\"{BarX}\" y=\"{y}\" width=\"{BarWidth}\" height=\"{h}\" fill=\"{colour}\" fill-opacity=\"0.22\" stroke=\"{colour}\" stroke-width=\"0.8\"/>");
        if (r.RssBytes is ulong resident && m.Size > 0)
        {
            // At least a pixel when anything is resident, so a few pages of a big region show.
            double w = resident == 0 ? 0 : Math.Max(1, Math.Round(BarWidth * Math.Min(1.0, resident / (double)m.Size), 1));
            if (w > 0) svg.Append(s_inv, $"<rect class=\"rss\" x=\"{BarX}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{colour}\"/>");
        }
        svg.Append(s_inv, $"<text x=\"{LabelX}\" y=\"{y + h / 2 + 3.5}\" xml:space=\"preserve\">{Xml.Escape(Fit(label))}</text></g>\n");
    }

    // One band for several regions: a segment each, as wide as its share of the band's bytes
    // (at least 2 px, so that a page next to a reservation can still be pointed at).
    private static void Shared(StringBuilder svg, List<MapRegion> row, int index, double y, double h)
    {
        ulong total = Total(row);
        double room = BarWidth - (row.Count - 1), spare = room - 2 * row.Count;
        bool file = IsFile(row[0].Map.Name) && row.All(r => r.Map.Name == row[0].Map.Name || r.Map.Name.Length == 0);
        svg.Append(s_inv, $"<g class=\"band\" data-rows=\"{row.Count}\">");
        double x = BarX;
        foreach (var r in row)
        {
            double w = spare > 0 ? 2 + spare * (r.Map.Size / (double)Math.Max(1, total)) : room / row.Count;
            Segment(svg, r, index++, x, y, w, h);
            x += w + 1;
        }
        ulong rss = 0;
        foreach (var r in row) rss += r.RssBytes ?? 0;
        string rssText = row.All(r => r.RssBytes is not null) ? Bytes(rss) : "?";
        string what = file
            ? $"{row.Count(r => r.Map.Name.Length > 0)} mappings of {row[0].Map.Name}" + (row.Any(r => r.Map.Name.Length == 0) ? $" (and {row.Count(r => r.Map.Name.Length == 0)} guard)" : "")
            : $"{row.Count} regions: " + string.Join(", ", row.GroupBy(r => r.Kind).Select(g => $"{Describe(g.Key).Split(' ')[0]} ×{g.Count()} {Bytes(Total([.. g]))}"));
        string label = $"{row[0].Map.Start:x12}  {row.Count,4}  {Bytes(total),9}  rss {rssText,9}  {what}";
        if (!file) label += Files(row, MaxLabel - label.Length);
        svg.Append(s_inv, $"<text x=\"{LabelX}\" y=\"{y + h / 2 + 3.5}\" xml:space=\"preserve\">{Xml.Escape(Fit(label))}</text></g>\n");
    }

    // The files of a collapsed run, by base name, as many as fit a line.
    private static string Files(List<MapRegion> row, int room)
    {
        var names = row.Where(r => IsFile(r.Map.Name)).Select(r => Path.GetFileName(r.Map.Name)).Distinct().ToList();
        if (names.Count == 0) return "";
        var shown = new StringBuilder("; ");
        int i = 0;
        // Room is kept for the "+N files" that ends a list cut short.
        for (; i < names.Count && shown.Length + names[i].Length + (i + 1 < names.Count ? 12 : 2) <= room; i++)
            shown.Append(i == 0 ? "" : ", ").Append(names[i]);
        if (i < names.Count) shown.Append(s_inv, $"{(i == 0 ? "" : ", ")}+{names.Count - i} files");
        return shown.ToString();
    }

    private static void Segment(StringBuilder svg, MapRegion r, int index, double x, double y, double w, double h)
    {
        string colour = Colour(r.Kind);
        x = Math.Round(x, 1);
        w = Math.Round(w, 1);
        svg.Append(s_inv, $"<g class=\"region\" id=\"r{index}\" data-kind=\"{r.Kind.ToString().ToLowerInvariant()}\" data-details=\"{Xml.Escape(Details(r))}\">");
        svg.Append("<title>").Append(Xml.Escape(Details(r))).Append("</title>");
        svg.Append(s_inv, $"<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{colour}\" fill-opacity=\"0.22\" stroke=\"{colour}\" stroke-width=\"0.8\"/>");
        if (r.RssBytes is ulong resident && resident > 0 && r.Map.Size > 0)
        {
            double filled = Math.Max(1, Math.Round(w * Math.Min(1.0, resident / (double)r.Map.Size), 1));
            svg.Append(s_inv, $"<rect class=\"rss\" x=\"{x}\" y=\"{y}\" width=\"{filled}\" height=\"{h}\" fill=\"{colour}\"/>");
        }
        svg.Append("</g>");
    }

    // A label runs from the bar to the picture's edge, ~95 monospace characters; a longer one
    // would be cut off mid-glyph, so it ends in an ellipsis (the details hold the whole name).
    private const int MaxLabel = 95;

    private static string Fit(string label) => label.Length <= MaxLabel ? label : label[..(MaxLabel - 1)] + "…";

    /// <summary>Every figure of a region, one per line: the hover text.</summary>
    public static string Details(MapRegion r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var m = r.Map;
        var sb = new StringBuilder();
        sb.Append($"{m.Start:x}-{m.End:x} {m.PermissionsText} {m.Offset:x8} {m.DeviceMajor:x2}:{m.DeviceMinor:x2} {m.Inode} {m.Name}".TrimEnd()).Append('\n');
        sb.Append($"kind: {Describe(r.Kind)}\n");
        if (r.EbbPart is { } part) sb.Append($"Ebb's: {part}\n");
        sb.Append($"size: {Bytes(m.Size)} ({m.Size} bytes)");
        if (r.Smaps is { } s)
        {
            foreach (var f in s.Fields)
                if (f.Name != "Size" && (f.Value != 0 || f.Name is "Rss" or "Pss"))
                    sb.Append('\n').Append(f.Name).Append(": ").Append(f.InKilobytes ? $"{f.Value} kB" : f.Value.ToString(s_inv));
            if (!string.IsNullOrEmpty(s.VmFlags)) sb.Append("\nVmFlags: ").Append(s.VmFlags);
        }
        return sb.ToString();
    }

    /// <summary>A byte count in the largest binary unit that keeps it at least 1.</summary>
    public static string Bytes(ulong bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(s_inv, $"{bytes / 1024.0:0.#} KiB"),
        < 1024UL * 1024 * 1024 => string.Create(s_inv, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        < 1024UL * 1024 * 1024 * 1024 => string.Create(s_inv, $"{bytes / (1024.0 * 1024 * 1024):0.#} GiB"),
        _ => string.Create(s_inv, $"{bytes / (1024.0 * 1024 * 1024 * 1024):0.#} TiB"),
    };
}
