using Ebb.Cli.Interop;
namespace Ebb.Cli.Lab;

/// <summary>What <c>ebb lab mmap</c> demonstrates, measured.</summary>
/// <param name="Asked">Bytes asked of mmap: 5 ints.</param>
/// <param name="Address">Where the kernel put them.</param>
/// <param name="LineBefore">The maps line holding that address before mmap (null: none).</param>
/// <param name="LineAfter">The maps line holding it after.</param>
/// <param name="NewStart">Start of the address range that mmap added.</param>
/// <param name="NewEnd">End of that range.</param>
/// <param name="Values">The 5 ints read back after writing <c>i * 10</c>.</param>
/// <param name="LastIntOfPage">The last int of the page, written and read back: the whole page is usable.</param>
/// <param name="LineAfterUnmap">The maps line holding the address after munmap (null: gone).</param>
public sealed record MmapFacts(
    int Asked, ulong Address, string? LineBefore, string? LineAfter, ulong NewStart, ulong NewEnd,
    int[] Values, int LastIntOfPage, string? LineAfterUnmap)
{
    /// <summary>How many bytes mmap added to the address space (a whole page).</summary>
    public ulong NewBytes => NewEnd - NewStart;
}

/// <summary>mmap of 5 ints: a whole page appears in maps, and munmap takes it away.</summary>
public static unsafe class MmapExperiment
{
    /// <summary>How many ints to map.</summary>
    public const int Count = 5;

    /// <summary>
    /// Runs the experiment in this process. The runtime's own threads map and unmap memory too:
    /// when one of them unmapped the range mmap then reused between the two reads of maps, the
    /// "before" snapshot covers the new page and nothing looks added; the experiment is run
    /// again then (a few times at most), so that what it shows is mmap's doing alone.
    /// </summary>
    public static MmapFacts Measure()
    {
        MmapFacts facts = MeasureOnce();
        for (int attempt = 1; attempt < 5 && facts.NewBytes == 0; attempt++) facts = MeasureOnce();
        return facts;
    }

    private static MmapFacts MeasureOnce()
    {
        nuint asked = (nuint)(Count * sizeof(int));
        var before = SelfMaps.Read();
        nint p = Libc.MapAnonymous(asked);
        var after = SelfMaps.Read();
        var region = SelfMaps.Containing(after, (ulong)p);
        // The kernel may merge the new page with an anonymous neighbour into one line: what
        // mmap added is the part of that line that no line covered before.
        var added = region is null ? [] : SelfMaps.NewParts(region, before);
        var mine = added.FirstOrDefault(a => a.Start <= (ulong)p && (ulong)p < a.End);

        int* ints = (int*)p;
        for (int i = 0; i < Count; i++) ints[i] = i * 10;
        int last = Environment.SystemPageSize / sizeof(int) - 1;
        ints[last] = 4242;
        var values = new int[Count];
        for (int i = 0; i < Count; i++) values[i] = ints[i];
        int lastValue = ints[last];

        Libc.Unmap(p, asked);
        var gone = SelfMaps.Read();
        return new MmapFacts((int)asked, (ulong)p, SelfMaps.Containing(before, (ulong)p)?.ToString(), region?.ToString(),
            mine.Start, mine.End, values, lastValue, SelfMaps.Containing(gone, (ulong)p)?.ToString());
    }
}
