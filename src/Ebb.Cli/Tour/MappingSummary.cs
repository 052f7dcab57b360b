using Ebb.Proc.Map;

namespace Ebb.Cli.Tour;

/// <summary>
/// The computing side of the tour's pmap chapter: a process's mappings summed by kind (as
/// <c>ebb map</c> colours them), the largest few by resident size, and the totals, so that the
/// chapter shows a dozen lines instead of several hundred.
/// </summary>
/// <param name="Kinds">Per kind that occurs: mappings, address space and resident bytes, largest RSS first.</param>
/// <param name="Largest">The mappings with the most resident bytes, largest first.</param>
/// <param name="Count">How many mappings there are.</param>
/// <param name="SizeBytes">Address space reserved by all of them.</param>
/// <param name="RssBytes">Resident bytes in all of them.</param>
/// <param name="DirtyBytes">Written resident bytes (Shared_Dirty + Private_Dirty), as pmap -x's Dirty column.</param>
internal sealed record MappingSummary(
    IReadOnlyList<MappingSummary.KindTotal> Kinds, IReadOnlyList<MapRegion> Largest,
    int Count, ulong SizeBytes, ulong RssBytes, ulong DirtyBytes)
{
    /// <summary>One kind's share.</summary>
    internal sealed record KindTotal(RegionKind Kind, int Count, ulong SizeBytes, ulong RssBytes);

    /// <summary>Sums <paramref name="regions"/>; <paramref name="largest"/> is how many to keep by RSS.</summary>
    public static MappingSummary Of(IReadOnlyList<MapRegion> regions, int largest)
    {
        var kinds = regions.GroupBy(r => r.Kind)
            .Select(g => new KindTotal(g.Key, g.Count(), Sum(g, r => r.Map.Size), Sum(g, r => r.RssBytes ?? 0)))
            .OrderByDescending(k => k.RssBytes).ThenByDescending(k => k.SizeBytes).ToList();
        var top = regions.OrderByDescending(r => r.RssBytes ?? 0).ThenBy(r => r.Map.Start).Take(largest).ToList();
        ulong dirty = Sum(regions, r => r.Smaps is null ? 0 : (r.Smaps.SharedDirtyKb + r.Smaps.PrivateDirtyKb) * 1024);
        return new MappingSummary(kinds, top, regions.Count, Sum(regions, r => r.Map.Size), Sum(regions, r => r.RssBytes ?? 0), dirty);
    }

    private static ulong Sum(IEnumerable<MapRegion> regions, Func<MapRegion, ulong> value) =>
        regions.Aggregate(0UL, (total, r) => total + value(r));
}
