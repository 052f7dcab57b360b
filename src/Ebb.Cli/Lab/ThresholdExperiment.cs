using System.Runtime.InteropServices;

namespace Ebb.Cli.Lab;

/// <summary>Where one block landed.</summary>
/// <param name="Size">Bytes asked for.</param>
/// <param name="Address">The pointer returned.</param>
/// <param name="OwnMapping">The allocator gave the block a mapping of its own (glibc: the chunk's IS_MMAPPED bit).</param>
/// <param name="Region">The maps line of the mapping that holds the block.</param>
/// <param name="RegionName">What that mapping is, in words (<c>[heap]</c>, an arena, its own mapping…).</param>
public sealed record Placement(long Size, ulong Address, bool OwnMapping, string? Region, string RegionName);

/// <summary>What <c>ebb lab threshold</c> demonstrates, measured.</summary>
/// <param name="FirstRound">Growing sizes through glibc malloc, all live at once.</param>
/// <param name="SecondRound">The same sizes again after freeing the first round: the threshold has moved.</param>
/// <param name="OnMainThread">The blocks came from the main thread (whose malloc arena is <c>[heap]</c>).</param>
/// <param name="Ebb">The same sizes through <see cref="EbbMemory.Alloc(nuint)"/>, all live at once.</param>
public sealed record ThresholdFacts(Placement[] FirstRound, Placement[] SecondRound, bool OnMainThread, Placement[] Ebb)
{
    /// <summary>The smallest size of a round that got its own mapping (0: none did).</summary>
    public static long Switch(Placement[] round) => round.FirstOrDefault(p => p.OwnMapping)?.Size ?? 0;
}

/// <summary>
/// glibc malloc's mmap threshold: blocks of M_MMAP_THRESHOLD (128 KiB at first) and more get
/// a mapping of their own; freeing such a block raises the threshold to its size (up to
/// 32 MiB), so the same request is then served from the heap.
/// </summary>
public static unsafe partial class ThresholdExperiment
{
    /// <summary>The sizes tried, in order.</summary>
    public static readonly long[] Sizes =
        [1 << 10, 16 << 10, 64 << 10, 120 << 10, 128 << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20, 64 << 20];

    // glibc's chunk header: the size word just below the pointer; bit 1 is IS_MMAPPED.
    private const ulong IsMmapped = 2;

    /// <summary>Runs the experiment through libc's malloc in this process.</summary>
    public static ThresholdFacts Measure() =>
        new(Round(), Round(), Environment.CurrentManagedThreadId == 1 || IsMainThread(), EbbRound());

    // Ebb: blocks live in 32 MiB chunks of its arenas, huge ones in mappings of their own.
    private static Placement[] EbbRound()
    {
        var blocks = new nint[Sizes.Length];
        for (int i = 0; i < Sizes.Length; i++) blocks[i] = (nint)EbbMemory.Alloc((nuint)Sizes[i]);
        var maps = SelfMaps.Read();
        var placements = new Placement[Sizes.Length];
        for (int i = 0; i < Sizes.Length; i++)
        {
            ulong p = (ulong)blocks[i];
            var m = EbbAddressSpace.MappingOf(p);
            bool own = m?.IsHugeBlock == true;
            string name = m is not { } e ? "not Ebb's?"
                : own ? $"its own mapping of {LabFormat.Bytes(e.Length)} at 0x{e.Start:x}"
                : $"an Ebb arena chunk at 0x{e.Start:x} ({LabFormat.Bytes(e.Length)}, shared by many blocks)";
            placements[i] = new Placement(Sizes[i], p, own, SelfMaps.Containing(maps, p)?.ToString(), name);
        }
        foreach (var b in blocks) EbbMemory.Free((void*)b);
        return placements;
    }

    private static Placement[] Round()
    {
        var blocks = new nint[Sizes.Length];
        for (int i = 0; i < Sizes.Length; i++)
        {
            blocks[i] = malloc((nuint)Sizes[i]);
            if (blocks[i] == 0) throw new OutOfMemoryException($"malloc({Sizes[i]}) failed");
        }
        var maps = SelfMaps.Read();
        var placements = new Placement[Sizes.Length];
        for (int i = 0; i < Sizes.Length; i++)
        {
            ulong p = (ulong)blocks[i];
            ulong header = *(ulong*)(p - 8);
            bool own = (header & IsMmapped) != 0;
            var region = SelfMaps.Containing(maps, p);
            // A mapped chunk's size is its mapping's length (the kernel may show it merged with a neighbour).
            string name = own ? $"its own mapping of {LabFormat.Bytes(header & ~7UL)} at 0x{p - 16:x}"
                : region?.Kind == Proc.MapKind.Heap ? "[heap] (malloc's main arena, the break)"
                : "a malloc arena of this thread (an anonymous mapping)";
            placements[i] = new Placement(Sizes[i], p, own, region?.ToString(), name);
        }
        foreach (var b in blocks) free(b);
        return placements;
    }

    private static bool IsMainThread() => Environment.ProcessId == gettid();

    [LibraryImport("libc")]
    private static partial nint malloc(nuint size);

    [LibraryImport("libc")]
    private static partial void free(nint p);

    [LibraryImport("libc")]
    private static partial int gettid();
}
