using System.Globalization;
using System.Text.Json;
using Ebb.Proc.Tests.Free;
using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests;

// Each verb's --json is parsed, and its figures checked against the text output of the same
// input (a saved tree, so both runs see the same numbers).
public sealed class JsonOutputTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ebb-json-").FullName;

    public JsonOutputTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "4242"));
        File.WriteAllText(Path.Combine(_root, "4242", "status"),
            "Name:\tsubject\nTgid:\t4242\nVmRSS:\t   20992 kB\nRssAnon:\t   12288 kB\nRssFile:\t    8192 kB\nRssShmem:\t     512 kB\n");
    }

    public void Dispose() => Directory.Delete(_root, true);

    private static long[] Numbers(string line) =>
        line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    [Theory]
    [InlineData("live-6.18")]
    [InlineData("big-swap")]
    [InlineData("lowhigh-32bit")]
    [InlineData("overcommitted")]
    public void Free_Json_MatchesFreeBytes(string tree)
    {
        string dir = FreeExpectations.Tree(tree);
        var text = Run("free", "--proc-root", dir, "-b", "-l", "-v");
        var json = Run("free", "--proc-root", dir, "--json");
        Assert.Equal((0, ""), (json.Code, json.Err));
        using var doc = JsonDocument.Parse(json.Out);
        var o = doc.RootElement;
        var lines = text.Out.Split('\n');
        long[] mem = Numbers(lines.Single(l => l.StartsWith("Mem:", StringComparison.Ordinal)));
        Assert.Equal(mem, new[] { "memTotal", "memUsed", "memFree", "shared", "buffCache", "available" }.Select(k => o.GetProperty(k).GetInt64()).ToArray());
        long[] swap = Numbers(lines.Single(l => l.StartsWith("Swap:", StringComparison.Ordinal)));
        Assert.Equal(swap, new[] { "swapTotal", "swapUsed", "swapFree" }.Select(k => o.GetProperty(k).GetInt64()).ToArray());
        long[] low = Numbers(lines.Single(l => l.StartsWith("Low:", StringComparison.Ordinal)));
        Assert.Equal(low, new[] { "lowTotal", "lowUsed", "lowFree" }.Select(k => o.GetProperty(k).GetInt64()).ToArray());
        long[] comm = Numbers(lines.Single(l => l.StartsWith("Comm:", StringComparison.Ordinal)));
        Assert.Equal(comm[0], o.GetProperty("commitLimit").GetInt64());
        Assert.Equal(comm[1], o.GetProperty("committedAs").GetInt64());
        Assert.Equal(o.GetProperty("buffers").GetInt64() + o.GetProperty("cache").GetInt64(), o.GetProperty("buffCache").GetInt64());
    }

    [Fact]
    public void Free_Json_Repeats_AreJsonLines()
    {
        var r = Run("free", "--proc-root", FreeExpectations.Tree("live-6.18"), "--json", "-c", "3", "-s", "0.001");
        Assert.Equal(0, r.Code);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(l).RootElement.ValueKind));
    }

    [Fact]
    public void Watch_Json_IsOneObjectASample_MatchingTheText()
    {
        var text = Run("watch", "4242", "--proc-root", _root, "--count", "2", "--interval", "0.001");
        var json = Run("watch", "4242", "--proc-root", _root, "--count", "2", "--interval", "0.001", "--json");
        Assert.Equal((0, ""), (json.Code, json.Err));
        var objects = json.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, objects.Count);
        var o = objects[0];
        Assert.Equal("4242", o.GetProperty("pid").GetString());
        Assert.Equal(20992L * 1024, o.GetProperty("rssBytes").GetInt64());
        // The text's columns, in MiB with one decimal, from the same figures.
        string line = text.Out.Split('\n').First(l => l.TrimStart().StartsWith("0.", StringComparison.Ordinal));
        foreach (var key in (string[])["rssBytes", "anonBytes", "fileBytes", "shmemBytes"])
            Assert.Contains((o.GetProperty(key).GetInt64() / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MiB", line);
    }
}

public class VdsoJsonTests
{
    [Fact]
    public void Vdso_Json_MatchesTheTextTable()
    {
        var text = Run("vdso");
        var json = Run("vdso", "--json");
        Assert.Equal((0, ""), (json.Code, json.Err));
        using var doc = JsonDocument.Parse(json.Out);
        var o = doc.RootElement;
        // The text's rows: "0xADDRESS SIZE TYPE BIND NAME".
        var rows = text.Out.Split('\n').Where(l => l.StartsWith("0x", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var functions = o.GetProperty("functions").EnumerateArray().ToList();
        Assert.NotEmpty(rows);
        Assert.Equal(rows.Count, functions.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(Convert.ToUInt64(rows[i][0][2..], 16), functions[i].GetProperty("address").GetUInt64());
            Assert.Equal(ulong.Parse(rows[i][1], CultureInfo.InvariantCulture), functions[i].GetProperty("sizeBytes").GetUInt64());
            Assert.Equal(rows[i][2], functions[i].GetProperty("type").GetString());
            Assert.Equal(rows[i][3], functions[i].GetProperty("binding").GetString());
            Assert.Equal(rows[i][4], functions[i].GetProperty("displayName").GetString());
        }
        Assert.Contains($"({o.GetProperty("sizeBytes").GetInt32()} bytes)", text.Out);
        Assert.Contains($"0x{o.GetProperty("address").GetUInt64():x}-", text.Out);
    }

    [Fact]
    public void Vdso_Json_Bench_HasTheTiming()
    {
        var json = Run("vdso", "--json", "--bench", "-n", "1000");
        Assert.Equal(0, json.Code);
        var bench = JsonDocument.Parse(json.Out).RootElement.GetProperty("bench");
        Assert.Equal(1000, bench.GetProperty("calls").GetInt32());
        Assert.True(bench.GetProperty("syscallNanosecondsPerCall").GetDouble() > 0);
    }
}

public class PmapJsonTests
{
    [Fact]
    public void Pmap_Json_MatchesPmapX_OnTheSameTree()
    {
        string pid = Ebb.Cli.Tests.Pmap.PmapFixtures.Pids[0];
        var text = System.Text.Encoding.UTF8.GetString(Ebb.Cli.Tests.Pmap.PmapFixtures.Run(["-x", pid]).Out);
        var (jsonBytes, err, code) = Ebb.Cli.Tests.Pmap.PmapFixtures.Run(["--json", pid]);
        Assert.Equal((0, ""), (code, err));
        using var doc = JsonDocument.Parse(jsonBytes);
        var o = doc.RootElement;
        Assert.Equal(int.Parse(pid, CultureInfo.InvariantCulture), o.GetProperty("pid").GetInt32());
        Assert.StartsWith($"{pid}:   {o.GetProperty("command").GetString()}\n", text);
        var rows = text.Split('\n').Skip(2).TakeWhile(l => !l.StartsWith("---", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var maps = o.GetProperty("mappings").EnumerateArray().ToList();
        Assert.Equal(rows.Count, maps.Count);
        static long Kb(JsonElement e, string key) => e.TryGetProperty(key, out var v) ? v.GetInt64() / 1024 : 0;
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(Convert.ToUInt64(rows[i][0], 16), maps[i].GetProperty("start").GetUInt64());
            Assert.Equal(long.Parse(rows[i][1], CultureInfo.InvariantCulture), maps[i].GetProperty("sizeBytes").GetInt64() / 1024);
            Assert.Equal(long.Parse(rows[i][2], CultureInfo.InvariantCulture), Kb(maps[i], "rssBytes"));
            Assert.Equal(long.Parse(rows[i][3], CultureInfo.InvariantCulture), Kb(maps[i], "sharedDirtyBytes") + Kb(maps[i], "privateDirtyBytes"));
        }
        // pmap -x's footer: "total kB  SIZE  RSS  DIRTY".
        var total = text.Split('\n').Single(l => l.StartsWith("total kB", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var totals = o.GetProperty("totals");
        Assert.Equal(long.Parse(total[2], CultureInfo.InvariantCulture), totals.GetProperty("sizeBytes").GetInt64() / 1024);
        Assert.Equal(long.Parse(total[3], CultureInfo.InvariantCulture), totals.GetProperty("rssBytes").GetInt64() / 1024);
        Assert.Equal(maps.Count, totals.GetProperty("mappings").GetInt32());
    }

    [Theory]
    [InlineData("Rss", true, "rssBytes")]
    [InlineData("Shared_Clean", true, "sharedCleanBytes")]
    [InlineData("THPeligible", false, "thpEligible")]
    [InlineData("AnonHugePages", true, "anonHugePagesBytes")]
    [InlineData("Pss_Anon", true, "pssAnonBytes")]
    [InlineData("ProtectionKey", false, "protectionKey")]
    public void SmapsField_Keys_AreCamelCase(string field, bool kb, string key) =>
        Assert.Equal(key, Ebb.Proc.Pmap.PmapJson.Key(field, kb));
}

public sealed class MapJsonTests
{
    [Fact]
    public void Map_Json_MatchesThePictureRun_OnTheSameTree()
    {
        string pid = Ebb.Cli.Tests.Pmap.PmapFixtures.Pids[0];
        string tree = Ebb.Cli.Tests.Pmap.PmapFixtures.ProcRoot;
        string svg = Path.Combine(Path.GetTempPath(), $"ebb-map-json-{Guid.NewGuid():N}.svg");
        try
        {
            var picture = Run("map", pid, "--proc-root", tree, "-o", svg);
            var json = Run("map", pid, "--proc-root", tree, "--json");
            Assert.Equal((0, ""), (json.Code, json.Err));
            using var doc = JsonDocument.Parse(json.Out);
            var o = doc.RootElement;
            var regions = o.GetProperty("regions").EnumerateArray().ToList();
            var totals = o.GetProperty("totals");
            // "ebb map: wrote FILE: N regions, ... mapped, ..."
            Assert.Contains($": {regions.Count} regions, ", picture.Out);
            Assert.Equal(regions.Count, totals.GetProperty("regions").GetInt32());
            Assert.Equal(regions.Sum(r => r.GetProperty("sizeBytes").GetInt64()), totals.GetProperty("mappedBytes").GetInt64());
            Assert.Equal(regions.Sum(r => r.GetProperty("rssBytes").GetInt64()), totals.GetProperty("rssBytes").GetInt64());
            // The same figures pmap -x totals for that process.
            var pmapX = System.Text.Encoding.UTF8.GetString(Ebb.Cli.Tests.Pmap.PmapFixtures.Run(["-x", pid]).Out);
            var total = pmapX.Split('\n').Single(l => l.StartsWith("total kB", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(long.Parse(total[2], CultureInfo.InvariantCulture) * 1024, totals.GetProperty("mappedBytes").GetInt64());
            Assert.Equal(long.Parse(total[3], CultureInfo.InvariantCulture) * 1024, totals.GetProperty("rssBytes").GetInt64());
            Assert.All(regions, r => Assert.Contains(r.GetProperty("kind").GetString(), (string[])["code", "data", "file", "heap", "anonymous", "ebb", "stack", "vdso", "guard"]));
        }
        finally
        {
            File.Delete(svg);
        }
    }
}

public class ErrorsJsonTests
{
    [Fact]
    public void LabErrors_Json_MatchesTheText()
    {
        var text = Run("lab", "errors", "double-free", "overflow");
        var json = Run("lab", "errors", "double-free", "overflow", "--json");
        Assert.Equal((0, ""), (json.Code, json.Err));
        var objects = json.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["double-free", "overflow"], objects.Select(o => o.GetProperty("name").GetString()));
        var codes = text.Out.Split('\n').Where(l => l.StartsWith("   exit code: ", StringComparison.Ordinal))
            .Select(l => int.Parse(l["   exit code: ".Length..].Split(' ')[0], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(codes, objects.Select(o => o.GetProperty("exitCode").GetInt32()));
        foreach (var o in objects)
        {
            Assert.Contains($"   run:       {o.GetProperty("mode").GetString()} ebb lab errors --child {o.GetProperty("name").GetString()}", text.Out);
            Assert.StartsWith("ebb: ERROR: ", o.GetProperty("report").GetString());
        }
    }
}
