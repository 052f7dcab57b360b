using Ebb.Cli.Tour;
using Ebb.Proc.Map;
using Ebb.Proc;
using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests.Tour;

// The pmap chapter summarizes (by kind, the largest few, the totals) instead of ~300 lines of
// pmap -x, each line within an 80-column terminal; --full-pmap brings the whole pmap -x back.
public class PmapChapterTests
{
    private static string[] ChapterBody(string stdout) =>
        stdout.Split('\n').SkipWhile(l => !l.StartsWith("kind ", StringComparison.Ordinal))
            .TakeWhile(l => !l.StartsWith("total: ", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void Summary_IsShort_AndFitsEightyColumns()
    {
        var r = Run("tour", "--chapter", "pmap", "--no-color");
        Assert.Equal(0, r.Code);
        var body = ChapterBody(r.Out);
        Assert.InRange(body.Length, 5, 25);
        Assert.Contains(body, l => l.StartsWith("code ", StringComparison.Ordinal));
        Assert.Contains(r.Out.Split('\n'), l => l.StartsWith("total: ", StringComparison.Ordinal) && l.Contains(" mappings, "));
        Assert.All(r.Out.Split('\n'), l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.DoesNotContain("total kB", r.Out);   // pmap -x's footer: the full listing is not there
    }

    [Fact]
    public void FullPmap_PrintsTheWholePmapX()
    {
        var r = Run("tour", "--chapter", "pmap", "--no-color", "--full-pmap");
        Assert.Equal(0, r.Code);
        Assert.Contains("\ntotal kB ", r.Out);
    }

    [Fact]
    public void Summary_SumsByKind_AndKeepsTheLargest()
    {
        static MapRegion Region(ulong start, ulong kb, string perms, string name, ulong rssKb)
        {
            var map = MapsParser.Parse(System.Text.Encoding.UTF8.GetBytes($"{start:x}-{start + kb * 1024:x} {perms} 00000000 00:00 0 {name}\n")).Single();
            var smaps = SmapsParser.Parse(System.Text.Encoding.UTF8.GetBytes($"{start:x}-{start + kb * 1024:x} {perms} 00000000 00:00 0 {name}\nSize: {kb} kB\nRss: {rssKb} kB\nPrivate_Dirty: {rssKb} kB\n")).Single();
            return new MapRegion(map, smaps);
        }
        var regions = new List<MapRegion>
        {
            Region(0x10000, 8, "r-xp", "/usr/lib/a.so", 8),
            Region(0x20000, 16, "r-xp", "/usr/lib/b.so", 4),
            Region(0x40000, 64, "rw-p", "", 32),
            Region(0x80000, 4, "---p", "", 0),
        };
        var s = MappingSummary.Of(regions, 2);
        Assert.Equal([(RegionKind.Anonymous, 1, 64UL * 1024, 32UL * 1024), (RegionKind.Code, 2, 24UL * 1024, 12UL * 1024), (RegionKind.Guard, 1, 4UL * 1024, 0UL)],
            s.Kinds.Select(k => (k.Kind, k.Count, k.SizeBytes, k.RssBytes)));
        Assert.Equal([0x40000UL, 0x10000UL], s.Largest.Select(r => r.Map.Start));
        Assert.Equal((4, 92UL * 1024, 44UL * 1024, 44UL * 1024), (s.Count, s.SizeBytes, s.RssBytes, s.DirtyBytes));
    }
}
