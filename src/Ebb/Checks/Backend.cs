using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ebb.Checks;

/// <summary>
/// What the checks allocate from: the allocator's internal entry points, below the
/// <c>Checker.Enabled</c> test, so a checked block's storage is an ordinary Ebb block.
/// (Temporary shim over NativeMemory until the allocator's entry points land.)
/// </summary>
internal static unsafe class Backend
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint byteCount) => NativeMemory.AlignedAlloc(byteCount, 16);

    public static void* AlignedAlloc(nuint byteCount, nuint alignment) => NativeMemory.AlignedAlloc(byteCount, alignment);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* ptr) => NativeMemory.AlignedFree(ptr);

    public static nuint UsableSize(void* ptr) => 0;

    /// <summary>Finds the allocator block holding <paramref name="ptr"/>, for interior-pointer reports.</summary>
    public static bool TryFindBlock(void* ptr, out void* blockStart, out nuint blockSize)
    {
        blockStart = null;
        blockSize = 0;
        return false;
    }
}
