using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;

namespace Ebb.Cli.Tests.Map;

/// <summary>
/// <c>ebb map PID</c> of another process: a child .NET process that allocates with Ebb
/// (Ebb.TestHost address-space, which prints the ranges its allocator says it holds) has its
/// Ebb regions marked and named from the answer over its diagnostics channel; a process that
/// is not .NET, or does not use Ebb, is drawn without the marks and one line on stderr says why.
/// </summary>
public sealed class MapPidTests
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    private static string Part(string kind) => kind switch
    {
        "ArenaChunks" => "arena chunks",
        "HugeBlock" => "huge block",
        "PageMap" => "page map",
        "ChunkMap" => "chunk map",
        "GuardPool" => "guard pool",
        _ => throw new InvalidOperationException(kind),
    };

    // region=START-END KIND, as the child prints EbbAddressSpace.Regions().
    private static List<(ulong Start, ulong End, string Part)> ChildRanges(TestHostChild child) =>
        [.. child.Lines.Where(l => l.StartsWith("region=", StringComparison.Ordinal)).Select(l =>
        {
            string[] f = l["region=".Length..].Split(' ', '-');
            return (ulong.Parse(f[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), ulong.Parse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), Part(f[2]));
        })];

    private static string Pid(TestHostChild child) => child.Pid.ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("")]
    [InlineData("EBB_GUARD=sample:1000")] // the pool of guarded slots is Ebb's too
    public void Json_MarksTheChildsEbbRegions_AsTheChildReportsThem(string environment)
    {
        using var child = new TestHostChild("address-space", environment);
        var expected = ChildRanges(child);
        Assert.Equal(environment.Length > 0, expected.Any(r => r.Part == "guard pool"));
        Assert.Contains(expected, r => r.Part == "page map");
        Assert.Contains(expected, r => r.Part == "huge block");
        Assert.Contains(expected, r => r.Part == "arena chunks");

        var (code, stdout, stderr) = CliRunner.Run("map", Pid(child), "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);
        var root = JsonDocument.Parse(stdout).RootElement;

        // The answer over the channel is what the child's allocator says.
        var answered = root.GetProperty("ebbRanges").EnumerateArray()
            .Select(r => (r.GetProperty("start").GetUInt64(), r.GetProperty("end").GetUInt64(), r.GetProperty("part").GetString()!)).ToList();
        Assert.Equal(expected, answered);

        // Every maps line that overlaps one of those ranges is marked with its part, and no other line is.
        var regions = root.GetProperty("regions").EnumerateArray().ToList();
        int marked = 0;
        foreach (var r in regions)
        {
            ulong start = r.GetProperty("start").GetUInt64(), end = r.GetProperty("end").GetUInt64();
            var overlap = expected.Where(e => e.Start < end && start < e.End).ToList();
            if (overlap.Count == 0)
            {
                Assert.False(r.GetProperty("ebb").GetBoolean(), $"{start:x}-{end:x} is not Ebb's");
                continue;
            }
            marked++;
            Assert.True(r.GetProperty("ebb").GetBoolean(), $"{start:x}-{end:x} is Ebb's");
            Assert.Equal(overlap[0].Part, r.GetProperty("ebbPart").GetString());
        }
        Assert.True(marked > 0);
        // Every range lies in marked lines, end to end: the 16 GiB page map among them, named.
        foreach (var (start, end, part) in expected)
        {
            ulong covered = regions.Where(r => r.GetProperty("ebbPart").GetString() == part)
                .Select(r => (Low: Math.Max(start, r.GetProperty("start").GetUInt64()), High: Math.Min(end, r.GetProperty("end").GetUInt64())))
                .Where(o => o.Low < o.High)
                .Aggregate(0UL, (a, o) => a + (o.High - o.Low));
            Assert.True(covered == end - start, $"{part} {start:x}-{end:x}: {covered} of {end - start} bytes in marked lines");
        }
        var pageMap = expected.Single(r => r.Part == "page map");
        Assert.Equal(16UL << 30, pageMap.End - pageMap.Start);
    }

    [Fact]
    public void Svg_MarksAndNamesTheChildsEbbRegions()
    {
        using var child = new TestHostChild("address-space");
        var (code, stdout, stderr) = CliRunner.Run("map", Pid(child));
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);
        var doc = XDocument.Parse(stdout);
        var ebb = doc.Descendants(s_svg + "g").Where(g => (string?)g.Attribute("class") == "region" && (string?)g.Attribute("data-kind") == "ebb").ToList();
        Assert.True(ebb.Count >= 3, $"{ebb.Count} Ebb regions");
        Assert.Contains(ebb, g => ((string)g.Attribute("data-details")!).Contains("\nEbb's: page map\n", StringComparison.Ordinal));
        Assert.Contains(doc.Descendants(s_svg + "text"), t => t.Value.EndsWith("[anon] (Ebb's page map)", StringComparison.Ordinal));
        var legend = doc.Descendants(s_svg + "g").Single(g => (string?)g.Attribute("class") == "legend" && (string?)g.Attribute("data-kind") == "ebb").Value;
        Assert.Matches(@"^Ebb \(arenas, huge blocks, maps\): [1-9][0-9]* × ", legend);
    }

    [Fact]
    public void NotADotNetProcess_IsDrawnWithoutMarks_AndOneLineSaysWhy()
    {
        using var sleep = Process.Start(new ProcessStartInfo("sleep", "30"))!;
        try
        {
            var (code, stdout, stderr) = CliRunner.Run("map", sleep.Id.ToString(CultureInfo.InvariantCulture), "--json");
            Assert.Equal(0, code);
            Assert.Equal($"ebb map: Ebb's regions are not marked: cannot attach to process {sleep.Id}: not a .NET process, or its diagnostics are off (DOTNET_EnableDiagnostics=0)\n", stderr);
            var root = JsonDocument.Parse(stdout).RootElement;
            Assert.True(root.GetProperty("regions").GetArrayLength() > 3);
            Assert.Equal(JsonValueKind.Null, root.GetProperty("ebbRanges").ValueKind);
            Assert.DoesNotContain(root.GetProperty("regions").EnumerateArray(), r => r.GetProperty("ebb").GetBoolean());
        }
        finally
        {
            sleep.Kill();
        }
    }

    [Fact]
    public void DotNetProcessWithoutEbb_IsDrawnWithoutMarks_AndOneLineSaysWhy()
    {
        using var child = new TestHostChild("idle");
        var (code, stdout, stderr) = CliRunner.Run("map", Pid(child));
        Assert.Equal(0, code);
        Assert.Equal($"ebb map: Ebb's regions are not marked: process {child.Pid} did not answer: it does not use Ebb (or has not allocated with it yet)\n", stderr);
        var regions = XDocument.Parse(stdout).Descendants(s_svg + "g").Where(g => (string?)g.Attribute("class") == "region").ToList();
        Assert.True(regions.Count > 3);
        Assert.DoesNotContain(regions, g => (string?)g.Attribute("data-kind") == "ebb");
    }

    [Fact]
    public void Self_NamesThePageMap_FromTheSameRanges()
    {
        var (code, stdout, stderr) = CliRunner.Run("map", "self", "--json");
        Assert.True(code == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Contains(root.GetProperty("ebbRanges").EnumerateArray(), r => r.GetProperty("part").GetString() == "page map");
        Assert.Contains(root.GetProperty("regions").EnumerateArray(), r => r.GetProperty("ebbPart").GetString() == "page map" && r.GetProperty("ebb").GetBoolean());
        Assert.Contains(root.GetProperty("regions").EnumerateArray(), r => r.GetProperty("ebbPart").GetString() == "arena chunks");
    }
}
