using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebb.Heap;
using Ebb.Os;

namespace Ebb.Arena;

/// <summary>
/// One <c>Page*</c> per 64 KiB slice of the whole user address space: the free fast path's
/// single lookup from a pointer to its page descriptor (a shift, a bound, a load, a null
/// test), instead of the chunk map's "is this Ebb's?" byte followed by the chunk header's
/// slice map (five more instructions on every free). Null for every slice that is not in
/// one of Ebb's chunks, so a foreign, stack or wild pointer reads null and goes to the slow
/// path, which refuses it.
/// <para>
/// 2^31 entries, 16 GiB of address space reserved once, read-only: untouched pages read as the
/// shared zero page, and a read-only private mapping is not charged against the commit limit
/// even under strict overcommit (vm.overcommit_memory=2, where MAP_NORESERVE is ignored and a
/// writable 16 GiB would take 16 GiB of the machine's budget). The 4 KiB holding a chunk's 512
/// entries (a chunk is 32 MiB-aligned, so its entries are exactly one page) is made writable
/// when the chunk is taken (<see cref="Commit"/>): a process pays one page per chunk (x86-64's
/// pages are 4 KiB). When the reservation is refused (a <c>ulimit -v</c> too small for it),
/// <see cref="Entries"/> is 0: the fast path's
/// bound test then sends every free to the slow path, and each chunk's slice map lives in its
/// own header instead (<see cref="Chunk.SliceMap"/>): slower, never wrong.
/// </para>
/// Written under the arena lock, read without one (an aligned pointer store is atomic).
/// </summary>
internal static unsafe class PageMap
{
    /// <summary>
    /// Entries the fast path may read: 2^31 − 1 (or 0 when the map could not be reserved);
    /// static readonly, so a constant to the JIT. One short of the map's 2^31 so the bound fits
    /// in a compare's 32-bit immediate (one instruction fewer per free); the last slice below
    /// 2^47 is the stack's, never a chunk's, and would only take the slow path if it were.
    /// </summary>
#if EBB_NATIVE
    public static nuint Entries => NativeBound.Entries;

    /// <summary>
    /// libebb.so's bound, in a class of its own: ILC addresses each class's statics from one
    /// base, so with <see cref="Base"/> beside it the free path loaded that base into a register
    /// first (two instructions for Base); apart, each is one load.
    /// </summary>
    private static class NativeBound
    {
        public static nuint Entries;
    }
#else
    public static readonly nuint Entries;
#endif

    /// <summary>The map itself (null when <see cref="Entries"/> is 0); static readonly, so a constant to the JIT.</summary>
#if EBB_NATIVE
    public static Page** Base;

    /// <summary>Reserves the map (libebb.so has no static constructors: the arena's initialization calls this).</summary>
    public static void Init() => Reserve(out Base, out NativeBound.Entries);
#else
    public static readonly Page** Base;

    static PageMap() => Reserve(out Base, out Entries);

    /// <summary>Nothing to do: the static constructor reserved the map when the class was first touched.</summary>
    public static void Init() { }
#endif

    private static void Reserve(out Page** map, out nuint usable)
    {
        map = null;
        usable = 0;
        nuint entries = (nuint)1 << (Layout.AddressBits - Layout.SliceShift);
        nint p = OsMemory.TryMap(0, entries * (nuint)sizeof(Page*), Prot.Read,
            MapFlags.Private | MapFlags.Anonymous | MapFlags.NoReserve, -1, 0, out _);
        if (p == 0) return;
        map = (Page**)p;
        usable = entries - 1;
        OsMemory.TryNameMapping(p, entries * (nuint)sizeof(Page*), MappingName.PageTable);
    }

    /// <summary>Whether the flat map is in use (else each chunk keeps its slice map in its header).</summary>
    public static bool Flat => Entries != 0;

    /// <summary>The page of the slice holding <paramref name="address"/>, or null when that slice is not in a chunk (flat map only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Page* Lookup(nuint address)
    {
        nuint s = address >> Layout.SliceShift;
        return s < Entries ? Base[s] : null;
    }

    /// <summary>The 512 entries of chunk <paramref name="c"/>.</summary>
    public static Page** Of(Chunk* c) => Base + ((nuint)c >> Layout.SliceShift);

    /// <summary>Bytes of map per chunk: 512 entries of 8 bytes, one OS page.</summary>
    private const int BytesPerChunk = Layout.SlicesPerChunk * 8;

    /// <summary>
    /// Makes the entries of the chunk at <paramref name="chunk"/> writable, before the chunk is
    /// handed out; false when the OS refuses (the chunk must not be used then). Repeating it
    /// for a chunk given back and taken again is harmless.
    /// </summary>
    public static bool Commit(nuint chunk) =>
        !Flat || OsMemory.TryProtect((nint)Of((Chunk*)chunk), BytesPerChunk, Prot.ReadWrite);

    /// <summary>Forgets chunk <paramref name="c"/>'s slices (before the chunk goes back to the OS).</summary>
    public static void Clear(Chunk* c)
    {
        if (Flat) NativeMemory.Clear(Of(c), (nuint)Layout.SlicesPerChunk * (nuint)sizeof(Page*));
    }
}
