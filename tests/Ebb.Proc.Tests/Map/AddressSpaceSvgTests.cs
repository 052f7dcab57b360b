using Ebb.Proc.Map;
using System.Text;
using System.Xml.Linq;

namespace Ebb.Proc.Tests.Map;

public class AddressSpaceSvgTests
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    private const string SmapsText = """
        00400000-00401000 r-xp 00000000 fe:00 11                         /opt/a<b>&"c'.so
        Size:                  4 kB
        Rss:                   4 kB
        Pss:                   4 kB
        VmFlags: rd ex mr mw me
        00401000-00403000 rw-p 00001000 fe:00 11                         /opt/a<b>&"c'.so
        Size:                  8 kB
        Rss:                   4 kB
        Pss:                   4 kB
        VmFlags: rd wr mr mw me
        01000000-01100000 rw-p 00000000 00:00 0                          [heap]
        Size:               1024 kB
        Rss:                 256 kB
        Pss:                 256 kB
        VmFlags: rd wr mr mw me ac
        7f0000000000-7f0000400000 ---p 00000000 00:00 0 
        Size:               4096 kB
        Rss:                   0 kB
        Pss:                   0 kB
        VmFlags: mr mw me
        7f0000400000-7f0004400000 rw-p 00000000 00:00 0 
        Size:              65536 kB
        Rss:               65536 kB
        Pss:               65536 kB
        VmFlags: rd wr mr mw me ac
        7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                  [stack]
        Size:                132 kB
        Rss:                  16 kB
        Pss:                  16 kB
        VmFlags: rd wr mr mw me gd ac

        """;

    private static List<MapRegion> Regions(bool ebbAnonymous = false) =>
        [.. SmapsParser.Parse(Encoding.UTF8.GetBytes(SmapsText.Replace("\r\n", "\n")))
            .Select(s => new MapRegion(s.Map, s, ebbAnonymous && s.Map.Start == 0x7f0000400000))];

    private static List<XElement> RegionGroups(XDocument doc) =>
        [.. doc.Descendants(s_svg + "g").Where(g => (string?)g.Attribute("class") == "region")];

    [Fact]
    public void Svg_IsXml_AndHasOneBandPerRegionInAddressOrder()
    {
        var regions = Regions();
        var doc = XDocument.Parse(AddressSpaceSvg.Render("42: cat <file> & \"more\"", regions));
        Assert.Equal(s_svg + "svg", doc.Root!.Name);
        var groups = RegionGroups(doc);
        Assert.Equal(regions.Count, groups.Count);
        for (int i = 0; i < regions.Count; i++)
        {
            string details = (string)groups[i].Attribute("data-details")!;
            Assert.StartsWith($"{regions[i].Map.Start:x}-{regions[i].Map.End:x} ", details);
            Assert.Equal(details, groups[i].Element(s_svg + "title")!.Value);
        }
        Assert.Contains("/opt/a<b>&\"c'.so", (string)groups[0].Attribute("data-details")!);
        Assert.Equal("42: cat <file> & \"more\"", doc.Root.Element(s_svg + "title")!.Value);
    }

    [Fact]
    public void Bands_GrowWithSize_AndFillTheirResidentPart()
    {
        var doc = XDocument.Parse(AddressSpaceSvg.Render("t", Regions()));
        var groups = RegionGroups(doc);
        double Attr(XElement g, string name) => (double)g.Elements(s_svg + "rect").First().Attribute(name)!;
        double Filled(XElement g) => (double?)g.Elements(s_svg + "rect").FirstOrDefault(r => (string?)r.Attribute("class") == "rss")?.Attribute("width") ?? 0;
        // The .so's two mappings share a band (12 KiB high), each a segment as wide as its share.
        Assert.Equal(AddressSpaceSvg.BandHeight(12 << 10), Attr(groups[0], "height"));
        Assert.Equal(Attr(groups[0], "y"), Attr(groups[1], "y"));
        Assert.True(Attr(groups[0], "width") < Attr(groups[1], "width"));           // 4 KiB < 8 KiB
        Assert.Equal(Attr(groups[0], "width"), Filled(groups[0]));                  // all resident
        Assert.Equal(Attr(groups[1], "width") / 2, Filled(groups[1]), 1);          // 4 of 8 kB
        // The heap alone; the guard and the anonymous region it touches share a band.
        Assert.Equal(AddressSpaceSvg.BandHeight(1 << 20), Attr(groups[2], "height"));
        Assert.Equal(300 / 4, Filled(groups[2]));                                   // 256 of 1024 kB
        Assert.Equal(AddressSpaceSvg.BandHeight(68 << 20), Attr(groups[4], "height"));
        Assert.True(Attr(groups[2], "height") < Attr(groups[4], "height"));         // 1 MiB < 68 MiB
        Assert.Equal(0, Filled(groups[3]));                                         // nothing resident
        Assert.Equal(Attr(groups[4], "width"), Filled(groups[4]));
    }

    private static MapRegion R(ulong start, ulong size, string perms, string name = "") =>
        new(MapsParser.Parse(Encoding.UTF8.GetBytes($"{start:x8}-{start + size:x8} {perms} 00000000 00:00 0 {name}\n"))[0]);

    [Fact]
    public void Rows_GroupAFilesMappings_JoinTouchingAnonymousRegions_AndCollapseRunsOfSmallOnes()
    {
        const ulong K = 1024;
        List<MapRegion> regions =
        [
            // An assembly: sections in a reservation, PROT_NONE between and after them.
            R(0x10000, 4 * K, "r--p", "/x/A.dll"), R(0x11000, 8 * K, "---p"), R(0x13000, 64 * K, "r-xp", "/x/A.dll"),
            R(0x23000, 4 * K, "rw-p", "/x/A.dll"), R(0x24000, 12 * K, "---p"),
            // A thread stack: its guard page and the stack.
            R(0x100000, 4 * K, "---p"), R(0x101000, 8192 * K, "rw-p"),
            // Three small files: too few to collapse.
            R(0x2000000, 4 * K, "r--s", "/x/a"), R(0x2010000, 4 * K, "r--s", "/x/b"), R(0x2020000, 4 * K, "r--s", "/x/c"),
            R(0x3000000, 2048 * K, "rw-p", "[heap]"),
            // Five small ones: collapsed into one band.
            R(0x4000000, 4 * K, "r--s", "/x/d"), R(0x4010000, 4 * K, "r--s", "/x/e"), R(0x4020000, 4 * K, "rw-p", "[anon:x]"),
            R(0x4030000, 4 * K, "r--s", "/x/f"), R(0x4040000, 4 * K, "r--s", "/x/g"),
        ];
        var rows = AddressSpaceSvg.Rows(regions);
        Assert.Equal([5, 2, 1, 1, 1, 1, 5], rows.Select(r => r.Count));
        Assert.Equal(regions, rows.SelectMany(r => r));
        var svg = AddressSpaceSvg.Render("t", regions);
        Assert.Contains("3 mappings of /x/A.dll (and 2 guard)", svg);
        Assert.Contains("  5 regions: file ×4 16 KiB, anonymous ×1 4 KiB", svg);
    }

    [Fact]
    public void Overview_ShowsTheUserAddressSpaceOnALinearScale()
    {
        var doc = XDocument.Parse(AddressSpaceSvg.Render("t", Regions()));
        var overview = doc.Descendants(s_svg + "g").Single(g => (string?)g.Attribute("class") == "overview");
        var rects = overview.Elements(s_svg + "rect").Skip(1).ToList();              // the first is the strip itself
        Assert.Equal(Regions().Count, rects.Count);
        Assert.All(rects, r => Assert.True((double)r.Attribute("width")! >= 1));
        // 0x400000 to 0x7ffd00021000: the stack ends the strip, the code begins it.
        Assert.Equal(12, (double)rects[0].Attribute("x")!);
        double stackEnd = (double)rects[^1].Attribute("x")! + (double)rects[^1].Attribute("width")!;
        Assert.Equal(AddressSpaceSvg.Width - 12, stackEnd, 0);
        Assert.StartsWith("overview, linear: 0x400000 to 0x7ffd00021000", overview.Element(s_svg + "text")!.Value);
    }

    [Fact]
    public void Regions_AreColouredByKind()
    {
        var regions = Regions(ebbAnonymous: true);
        Assert.Equal(
            [RegionKind.Code, RegionKind.Data, RegionKind.Heap, RegionKind.Guard, RegionKind.Ebb, RegionKind.Stack],
            regions.Select(r => r.Kind));
        var groups = RegionGroups(XDocument.Parse(AddressSpaceSvg.Render("t", regions)));
        for (int i = 0; i < regions.Count; i++)
        {
            Assert.Equal(regions[i].Kind.ToString().ToLowerInvariant(), (string)groups[i].Attribute("data-kind")!);
            Assert.Equal(AddressSpaceSvg.Colour(regions[i].Kind), (string)groups[i].Elements(s_svg + "rect").First().Attribute("fill")!);
        }
    }

    [Fact]
    public void Legend_NamesEveryKind_WithTotals()
    {
        var doc = XDocument.Parse(AddressSpaceSvg.Render("t", Regions()));
        var legend = doc.Descendants(s_svg + "g").Where(g => (string?)g.Attribute("class") == "legend").ToList();
        Assert.Equal(Enum.GetValues<RegionKind>().Length, legend.Count);
        Assert.Contains(legend, g => g.Value == "heap ([heap], the break): 1 × 1 MiB, 256 KiB resident");
        Assert.Contains(doc.Descendants(s_svg + "text"), t => t.Value.StartsWith("6 regions, 69.1 MiB mapped, 64.3 MiB resident", StringComparison.Ordinal));
    }

    [Fact]
    public void Gaps_BetweenRegions_AreMarked()
    {
        var doc = XDocument.Parse(AddressSpaceSvg.Render("t", Regions()));
        var gaps = doc.Descendants(s_svg + "g").Where(g => (string?)g.Attribute("class") == "gap").Select(g => g.Value).ToList();
        Assert.Equal(3, gaps.Count); // after the data, after the heap, before the stack; the rest touch
        Assert.Contains("12 MiB unmapped", gaps[0]);
    }

    [Fact]
    public void FixtureMaps_WithOddNames_StayValidXml()
    {
        var maps = MapsParser.Parse(Fixtures.Bytes("basic", "maps"));
        var regions = maps.Select(m => new MapRegion(m)).ToList();
        var doc = XDocument.Parse(AddressSpaceSvg.Render("basic", regions));
        var groups = RegionGroups(doc);
        Assert.Equal(maps.Count, groups.Count);
        var starts = groups.Select(g => ((string)g.Attribute("data-details")!).Split('-')[0]).ToHashSet();
        Assert.All(maps, m => Assert.Contains($"{m.Start:x}", starts));
        Assert.Contains(regions, r => r.Kind == RegionKind.Ebb);    // [anon:ebb]
        Assert.Contains(doc.Descendants(s_svg + "text"), t => t.Value.Contains("resident sizes unknown", StringComparison.Ordinal));
    }

    [Fact]
    public void Html_EmbedsTheSvg_WithHoverDetails_AndNoExternalResources()
    {
        var regions = Regions();
        string html = AddressSpaceHtml.Render("t & <x>", regions);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<title>t &amp; &lt;x&gt;</title>", html);
        int start = html.IndexOf("<svg", StringComparison.Ordinal), end = html.IndexOf("</svg>", StringComparison.Ordinal) + 6;
        var doc = XDocument.Parse(html[start..end]);
        Assert.Equal(regions.Count, RegionGroups(doc).Count);
        Assert.Contains("addEventListener('mouseenter'", html);
        Assert.DoesNotContain("src=", html);
        Assert.DoesNotContain("href=", html);
        Assert.DoesNotContain("@import", html);
    }

    [Fact]
    public void Escape_RemovesWhatXmlForbids()
    {
        Assert.Equal("a&amp;b&lt;c&gt;d&quot;e&#39;f\uFFFDg&#9;h&#10;", Xml.Escape("a&b<c>d\"e'f\u0001g\th\n"));
    }
}
