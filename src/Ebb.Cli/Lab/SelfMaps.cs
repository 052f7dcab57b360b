using Ebb.Proc;

namespace Ebb.Cli.Lab;

/// <summary>
/// What the experiments ask of this process's own /proc files, through the Ebb.Proc readers:
/// the mapping that holds an address, the resident pages of a range, VmRSS.
/// </summary>
internal static class SelfMaps
{
    /// <summary>/proc/self/maps now.</summary>
    public static List<MapEntry> Read() => MapsParser.Read("self");

    /// <summary>The mapping holding <paramref name="address"/>, or null.</summary>
    public static MapEntry? Containing(IEnumerable<MapEntry> maps, ulong address) =>
        maps.FirstOrDefault(m => m.Contains(address));

    /// <summary>The <c>[heap]</c> mapping (the program break area), or null when the break never moved.</summary>
    public static MapEntry? Heap(IEnumerable<MapEntry> maps) => maps.FirstOrDefault(m => m.Kind == MapKind.Heap);

    /// <summary>The smaps entry of the mapping holding <paramref name="address"/>, or null.</summary>
    public static SmapsEntry? SmapsContaining(ulong address) =>
        SmapsParser.Read("self").FirstOrDefault(e => e.Map.Contains(address));

    /// <summary>Resident pages of [start, start + length), exact to the page (from pagemap).</summary>
    public static long ResidentPages(ulong start, ulong length) => Pagemap.CountResident("self", start, length);

    /// <summary>This process's VmRSS in kB.</summary>
    public static ulong VmRssKb() => StatusParser.Read("self").VmRSS ?? 0;

    /// <summary>
    /// The parts of <paramref name="region"/> that no mapping in <paramref name="before"/>
    /// covered: what a call added, even when the kernel merged the new mapping with a neighbour.
    /// </summary>
    public static List<(ulong Start, ulong End)> NewParts(MapEntry region, IEnumerable<MapEntry> before)
    {
        var parts = new List<(ulong Start, ulong End)>();
        ulong at = region.Start;
        foreach (var m in before.Where(m => m.End > region.Start && m.Start < region.End).OrderBy(m => m.Start))
        {
            if (m.Start > at) parts.Add((at, m.Start));
            at = Math.Max(at, m.End);
        }
        if (at < region.End) parts.Add((at, region.End));
        return parts;
    }
}
