using System.Text;
using System.Xml.Linq;

namespace Ebb.Proc.Tests.Map;

public class AddressSpaceSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

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
        [.. doc.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "region")];

    [Fact]
    public void Svg_IsXml_AndHasOneBandPerRegionInAddressOrder()
    {
        var regions = Regions();
        var doc = XDocument.Parse(AddressSpaceSvg.Render("42: cat <file> & \"more\"", regions));
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        var groups = RegionGroups(doc);
        Assert.Equal(regions.Count, groups.Count);
        for (int i = 0; i < regions.Count; i++)
        {
            string details = (string)groups[i].Attribute("data-details")!;
            Assert.StartsWith($"{regions[i].Map.Start:x}-{regions[i].Map.End:x} ", details);
            Assert.Equal(details, groups[i].Element(Svg + "title")!.Value);
        }
        Assert.Contains("/opt/a<b>&\"c'.so", (string)groups[0].Attribute("data-details")!);
        Assert.Equal("42: cat <file> & \"more\"", doc.Root.Element(Svg + "title")!.Value);
    }

    [Fact]
    public void Bands_GrowWithSize_AndFillTheirResidentPart()
    {
        var doc = XDocument.Parse(AddressSpaceSvg.Render("t", Regions()));
        var groups = RegionGroups(doc);
        double Height(XElement g) => (double)g.Elements(Svg + "rect").First().Attribute("height")!;
        double Filled(XElement g) => (double?)g.Elements(Svg + "rect").FirstOrDefault(r => (string?)r.Attribute("class") == "rss")?.Attribute("width") ?? 0;
        Assert.True(Height(groups[0]) < Height(groups[1]));       // 4 KiB < 8 KiB
        Assert.True(Height(groups[2]) < Height(groups[4]));       // 1 MiB < 64 MiB
        Assert.Equal(AddressSpaceSvg.BandHeight(64 << 20), Height(groups[4]));
        double full = (double)groups[0].Elements(Svg + "rect").First().Attribute("width")!;
        Assert.Equal(full, Filled(groups[0]));                    // all resident
        Assert.Equal(full / 2, Filled(groups[1]));                // 4 of 8 kB
        Assert.Equal(full / 4, Filled(groups[2]));                // 256 of 1024 kB
        Assert.Equal(0, Filled(groups[3]));                       // nothing resident
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
            Assert.Equal(AddressSpaceSvg.Colour(regions[i].Kind), (string)groups[i].Elements(Svg + "rect").First().Attribute("fill")!);
        }
    }

    [Fact]
    public void Legend_NamesEveryKind_WithTotals()
    {
        var doc = XDocument.Parse(AddressSpaceSvg.Render("t", Regions()));
        var legend = doc.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "legend").ToList();
        Assert.Equal(Enum.GetValues<RegionKind>().Length, legend.Count);
        Assert.Contains(legend, g => g.Value == "heap ([heap], the break): 1 × 1 MiB, 256 KiB resident");
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value.StartsWith("6 regions, 69.1 MiB mapped, 64.3 MiB resident", StringComparison.Ordinal));
    }

    [Fact]
    public void Gaps_BetweenRegions_AreMarked()
    {
        var doc = XDocument.Parse(AddressSpaceSvg.Render("t", Regions()));
        var gaps = doc.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "gap").Select(g => g.Value).ToList();
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
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value.Contains("resident sizes unknown", StringComparison.Ordinal));
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
