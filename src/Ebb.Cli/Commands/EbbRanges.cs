using Ebb.Cli.Terminal;
using System.Globalization;

namespace Ebb.Cli.Commands;

/// <summary>
/// Which maps lines are Ebb's, and which part of Ebb each is: the kernel here cannot name
/// mappings (CONFIG_ANON_VMA_NAME is off, so no <c>[anon:ebb]</c>), so the allocator is asked:
/// in ebb itself directly (<see cref="EbbAddressSpace.Regions"/>), in another process over its
/// diagnostics channel (<see cref="EbbRegionReader"/>). The same ranges mark the picture either way.
/// </summary>
internal sealed class EbbRanges
{
    private readonly List<EbbRegion> _regions;

    private EbbRanges(List<EbbRegion> regions) => _regions = regions;

    /// <summary>The ranges Ebb holds, lowest first.</summary>
    public IReadOnlyList<EbbRegion> Regions => _regions;

    /// <summary>Ebb's ranges in ebb itself.</summary>
    public static EbbRanges OfSelf() => new([.. EbbAddressSpace.Regions()]);

    /// <summary>
    /// Ebb's ranges in process <paramref name="pid"/>, asked over its diagnostics channel; null,
    /// with one line on <paramref name="stderr"/> saying why, when it does not answer.
    /// </summary>
    public static EbbRanges? OfProcess(string pid, TextWriter stderr)
    {
        int id = int.Parse(pid, CultureInfo.InvariantCulture);
        try
        {
            return new EbbRanges(EbbRegionReader.Read(id));
        }
        catch (DiagnosticsChannelException e)
        {
            stderr.WriteLine($"ebb map: Ebb's regions are not marked: {e.Message}");
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever else the channel throws (a stream cut mid-event, say), the maps are still worth drawing.
            stderr.WriteLine($"ebb map: Ebb's regions are not marked: process {pid}: {CliException.FirstLine(e.Message)}");
            return null;
        }
    }

    /// <summary>The part of Ebb in [start, end), in the words the picture uses; null when none of it is Ebb's.</summary>
    public string? PartOf(ulong start, ulong end)
    {
        foreach (var r in _regions)
            if (r.Start < end && start < r.End) return Describe(r.Kind);
        return null;
    }

    /// <summary>A kind in the picture's words.</summary>
    public static string Describe(EbbRegionKind kind) => kind switch
    {
        EbbRegionKind.ArenaChunks => "arena chunks",
        EbbRegionKind.HugeBlock => "huge block",
        EbbRegionKind.PageMap => "page map",
        EbbRegionKind.ChunkMap => "chunk map",
        EbbRegionKind.GuardPool => "guard pool",
        _ => kind.ToString(),
    };
}
