using Ebb.Cli.Commands;
using Ebb.Proc.Map;
using System.Xml.Linq;
using Ebb.Proc;
using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests.Commands;

public class MapCommandTests
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    private static List<string> RegionStarts(XDocument doc) =>
        [.. doc.Descendants(s_svg + "g").Where(g => (string?)g.Attribute("class") == "region")
            .Select(g => ((string)g.Attribute("data-details")!).Split('-')[0])];

    private static string Temp(string ext) => Path.Combine(Path.GetTempPath(), $"ebb-map-test-{Guid.NewGuid():N}{ext}");

    [Fact]
    public void Self_DrawsEveryRegionOfTheMapsItWasDrawnFrom()
    {
        var regions = MapCommand.Read("self", ProcPaths.DefaultRoot, TextWriter.Null);
        var doc = XDocument.Parse(AddressSpaceSvg.Render("self", regions));
        Assert.Equal(regions.OrderBy(r => r.Map.Start).Select(r => $"{r.Map.Start:x}"), RegionStarts(doc));
        Assert.All(regions, r => Assert.NotNull(r.Smaps));
        Assert.Contains(regions, r => r.Kind == RegionKind.Heap || r.Kind == RegionKind.Stack);
    }

    [Theory]
    [InlineData(".svg")]
    [InlineData(".html")]
    public void Self_WritesAFileThatParses(string ext)
    {
        string path = Temp(ext);
        try
        {
            var (code, stdout, err) = Run("map", "self", "-o", path);
            Assert.True(code == 0, err);
            Assert.StartsWith($"ebb map: wrote {path}: ", stdout);
            string text = File.ReadAllText(path);
            if (ext == ".html")
            {
                Assert.StartsWith("<!DOCTYPE html>", text);
                text = text[text.IndexOf("<svg", StringComparison.Ordinal)..(text.IndexOf("</svg>", StringComparison.Ordinal) + 6)];
            }
            var doc = XDocument.Parse(text);
            Assert.True(RegionStarts(doc).Count > 10);
            // ebb map self allocates with Ebb first: its arenas are marked.
            Assert.Contains(doc.Descendants(s_svg + "g"), g => (string?)g.Attribute("class") == "region" && (string?)g.Attribute("data-kind") == "ebb");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ProcRoot_Fixture_DrawsEveryRegion()
    {
        const string maps = """
            00400000-00401000 r-xp 00000000 fe:00 11                         /bin/x
            01000000-01100000 rw-p 00000000 00:00 0                          [heap]
            7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                  [stack]

            """;
        string root = Path.Combine(Path.GetTempPath(), $"ebb-map-root-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(root, "77"));
        try
        {
            // No smaps in the tree: drawn from maps alone.
            File.WriteAllText(Path.Combine(root, "77", "maps"), maps.Replace("\r\n", "\n"));
            File.WriteAllText(Path.Combine(root, "77", "cmdline"), "/bin/x\0-v\0");
            var (code, stdout, err) = Run("map", "77", "--proc-root", root);
            Assert.True(code == 0, err);
            var doc = XDocument.Parse(stdout);
            Assert.Equal(["400000", "1000000", "7ffd00000000"], RegionStarts(doc));
            Assert.Equal("77: /bin/x -v", doc.Root!.Element(s_svg + "title")!.Value);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void MissingPid_IsOneLineAndNonZero()
    {
        var (code, stdout, err) = Run("map", "2147483647", "-o", Temp(".svg"));
        Assert.NotEqual(0, code);
        Assert.Equal("", stdout);
        Assert.Equal("ebb map: no such process: 2147483647" + Environment.NewLine, err);
    }

    [Theory]
    [InlineData("map", "self", "-o", "picture.png")]
    [InlineData("map", "self", "-o", "picture")]
    [InlineData("map", "abc")]
    [InlineData("map")]
    [InlineData("map", "self", "--frob")]
    [InlineData("map", "self", "-o")]
    public void BadArguments_AreOneLineAndNonZero(params string[] args)
    {
        var (code, stdout, err) = Run(args);
        Assert.NotEqual(0, code);
        Assert.Equal("", stdout);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("ebb map: ", err);
    }
}
