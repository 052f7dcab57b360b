using System.Runtime.CompilerServices;

namespace Ebb.Checks;

/// <summary>
/// What the checks allocate from: the allocator's internal entry points, below the
/// <c>Checker.Enabled</c> test, so a checked block's storage is an ordinary Ebb block and a
/// pointer the checks do not know goes to the allocator's own release-mode checks.
/// </summary>
internal static unsafe class Backend
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint byteCount) => EbbMemory.AllocUnchecked(byteCount);

    public static void* AlignedAlloc(nuint byteCount, nuint alignment) => EbbMemory.AlignedAllocUnchecked(byteCount, alignment);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* ptr) => EbbMemory.FreeUnchecked(ptr);

    public static nuint UsableSize(void* ptr) => EbbMemory.UsableSizeUnchecked(ptr);

    /// <summary>
    /// Whether <paramref name="address"/> lies in one of Ebb's chunks of slices (the chunk map,
    /// one byte read): a chunk is mapped whole, so reading there cannot fault. Huge mappings
    /// are left out (the last chunk of one is only partly mapped). Cheaper than
    /// <see cref="TryFindBlock"/>, which also finds the block (a division).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsInChunk(nuint address) => Arena.ChunkMap.Get(address) == Arena.ChunkMap.Chunk;

    /// <summary>The allocator block holding <paramref name="ptr"/>, live or free, when it is Ebb's.</summary>
    public static bool TryFindBlock(void* ptr, out void* blockStart, out nuint blockSize) =>
        EbbMemory.TryFindBlock(ptr, out blockStart, out blockSize);
}
