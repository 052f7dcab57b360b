using Ebb.Proc.Map;
using System.Globalization;

namespace Ebb.Cli.Tour;

/// <summary>The text of a <see cref="MappingSummary"/>: lines of at most 78 columns.</summary>
internal static class MappingSummaryFormatter
{
    /// <summary>The summary's lines: by kind, the largest mappings, the totals.</summary>
    public static IEnumerable<string> Lines(MappingSummary s)
    {
        yield return $"{"kind",-10} {"mappings",8} {"Kbytes",12} {"RSS kB",10}";
        foreach (var k in s.Kinds)
            yield return $"{Name(k.Kind),-10} {k.Count,8} {Kb(k.SizeBytes),12} {Kb(k.RssBytes),10}";
        yield return $"the {s.Largest.Count} largest by RSS:";
        foreach (var r in s.Largest)
            yield return $"  {r.Map.Start:x12} {Kb(r.RssBytes ?? 0),9} kB RSS  {r.Map.PermissionsText}  {Shown(r)}";
        yield return string.Create(CultureInfo.InvariantCulture,
            $"total: {s.Count} mappings, {Kb(s.SizeBytes)} kB mapped, {Kb(s.RssBytes)} kB resident, {Kb(s.DirtyBytes)} kB dirty");
    }

    private static string Kb(ulong bytes) => (bytes / 1024).ToString(CultureInfo.InvariantCulture);

    private static string Name(RegionKind kind) => kind switch
    {
        RegionKind.Anonymous => "anonymous",
        RegionKind.Vdso => "vvar/vdso",
        _ => kind.ToString().ToLowerInvariant(),
    };

    // The file's base name (pmap -x's Mapping column), else the kind; cut to fit 78 columns.
    private static string Shown(MapRegion r)
    {
        string name = r.Map.Name.Length == 0 ? $"[ {Name(r.Kind)} ]" : r.Map.Name[(r.Map.Name.LastIndexOf('/') + 1)..];
        if (name.Length == 0) name = r.Map.Name;
        return name.Length <= 38 ? name : name[..37] + "…";
    }
}
