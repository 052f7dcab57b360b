using System.Runtime.InteropServices;

namespace Ebb.Benchmarks.Contenders;

/// <summary>
/// <see cref="NativeMemory"/>: a P/Invoke with a full GC transition into the process's malloc,
/// which is glibc's unless another allocator is LD_PRELOADed into the process.
/// </summary>
public unsafe struct NativeMemoryAllocator : INativeAllocator
{
    public static void* Alloc(nuint size) => NativeMemory.Alloc(size);

    public static void Free(void* ptr) => NativeMemory.Free(ptr);

    public static void* Realloc(void* ptr, nuint size) => NativeMemory.Realloc(ptr, size);

    /// <summary>The trim call of whichever malloc is in the process (see <see cref="MallocTrim"/>).</summary>
    public static void Trim() => MallocTrim.Run();
}
