using System.Diagnostics;
using Ebb.Os;

namespace Ebb.Arena;

/// <summary>
/// Memory for the allocator's own descriptors that live for the whole process (heaps, the empty
/// page): carved from 64 KiB mappings, 64-byte aligned (a cache line each), never freed (heaps are
/// recycled through their pool). Not from malloc: in libebb.so malloc is Ebb itself.
/// </summary>
internal static unsafe class Meta
{
    private const nuint BlockBytes = 64 * 1024;
    private const nuint Align = 64;
    private static nuint s_next, s_end;

    /// <summary>Zeroed memory of <paramref name="size"/> bytes (at most 64 KiB), or null when the OS refuses. The caller holds the arena lock.</summary>
    public static void* AllocLocked(nuint size)
    {
        Debug.Assert(ArenaLock.IsHeld);
        Debug.Assert(size <= BlockBytes);
        size = (size + Align - 1) & ~(Align - 1);
        if (s_end - s_next < size)
        {
            nint b = OsMemory.TryMap(0, BlockBytes, Prot.ReadWrite, MapFlags.Private | MapFlags.Anonymous, -1, 0, out _);
            if (b == 0) return null;
            OsMemory.TryNameMapping(b, BlockBytes, MappingName.Descriptors);
            s_next = (nuint)b;
            s_end = (nuint)b + BlockBytes;
        }
        void* p = (void*)s_next;
        s_next += size;
        return p;
    }
}
