using System.Runtime.CompilerServices;

namespace Ebb.Benchmarks.Contenders;

/// <summary>Ebb's process-wide allocator, <see cref="EbbMemory"/>: the thread's own heap, inlined fast path.</summary>
public unsafe struct EbbAllocator : INativeAllocator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint size) => EbbMemory.Alloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* ptr) => EbbMemory.Free(ptr);

    public static void* Realloc(void* ptr, nuint size) => EbbMemory.Realloc(ptr, size);

    public static void Trim() => EbbMemory.Trim();
}

/// <summary>
/// A first-class <see cref="EbbHeap"/> (thread-safe through a lock per call), one for the process;
/// its blocks are freed through the heap as well.
/// </summary>
public unsafe struct EbbHeapAllocator : INativeAllocator
{
    private static readonly EbbHeap s_heap = new();

    public static void* Alloc(nuint size) => s_heap.Alloc(size);

    public static void Free(void* ptr) => s_heap.Free(ptr);

    public static void* Realloc(void* ptr, nuint size) => s_heap.Realloc(ptr, size);

    public static void Trim() => EbbMemory.Trim();
}
