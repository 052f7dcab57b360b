using System.Diagnostics;
using Ebb.Os;

namespace Ebb.Arena;

/// <summary>
/// One byte per 32 MiB chunk of the whole user address space (4 MiB reserved once,
/// lazily backed: untouched pages read as zero and cost nothing). It answers "is this
/// pointer Ebb's at all?" before anything at the masked address is read, so a foreign,
/// stack or wild pointer passed to Free is refused instead of faulting or corrupting.
/// Written under the arena lock, read without one (a byte store is atomic).
/// </summary>
internal static unsafe class ChunkMap
{
    /// <summary>Not Ebb's.</summary>
    public const byte None = 0;
    /// <summary>A chunk of slices with a header at its start.</summary>
    public const byte Chunk = 1;
    /// <summary>The first chunk of a huge mapping (its header is at the chunk's start).</summary>
    public const byte HugeHead = 2;
    /// <summary>A later chunk of a huge mapping.</summary>
    public const byte HugeBody = 3;

    /// <summary>The map itself; static readonly, so the JIT embeds the address as a constant.</summary>
#if EBB_NATIVE
    public static byte* Map;

    /// <summary>Reserves the map (libebb.so has no static constructors: the arena's initialization calls this).</summary>
    public static void Init() => Map = Reserve();
#else
    public static readonly byte* Map = Reserve();

    /// <summary>Nothing to do: the static initializer reserved the map when the class was first touched.</summary>
    public static void Init() { }
#endif

    private static byte* Reserve()
    {
        nint p = OsMemory.TryMap(0, Layout.ChunkMapEntries, Prot.ReadWrite, MapFlags.Private | MapFlags.Anonymous | MapFlags.NoReserve, -1, 0, out _);
        // 4 MiB of address space without commit: refused only when the process has no address space at all.
        Debug.Assert(p != 0, "the chunk map could not be reserved");
        OsMemory.TryNameMapping(p, Layout.ChunkMapEntries, MappingName.ChunkTable);
        return (byte*)p;
    }

    public static byte Get(nuint address)
    {
        nuint c = address >> Layout.ChunkShift;
        return c < Layout.ChunkMapEntries ? Map[c] : None;
    }

    public static void Set(nuint start, nuint length, byte first, byte rest)
    {
        nuint c = start >> Layout.ChunkShift, end = (start + length - 1) >> Layout.ChunkShift;
        Map[c] = first;
        for (nuint i = c + 1; i <= end; i++) Map[i] = rest;
    }

    public static void Clear(nuint start, nuint length)
    {
        nuint c = start >> Layout.ChunkShift, end = (start + length - 1) >> Layout.ChunkShift;
        for (nuint i = c; i <= end; i++) Map[i] = None;
    }
}
