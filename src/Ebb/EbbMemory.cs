using Ebb.DotNetHost;
using System.Numerics;
using System.Runtime.CompilerServices;
using Ebb.Checks;
using Ebb.Heap;

namespace Ebb;

/// <summary>
/// Native memory from Ebb, with the names and semantics of
/// <see cref="System.Runtime.InteropServices.NativeMemory"/> (switching is a rename):
/// every block 16-byte aligned, <c>Alloc(0)</c> a unique non-null pointer,
/// <see cref="OutOfMemoryException"/> when the OS refuses, <c>Free(null)</c> a no-op.
/// Unlike NativeMemory, freeing or reallocating a pointer Ebb did not hand out (foreign,
/// interior, on the stack) throws <see cref="EbbMemoryException"/> (invalid-free) and leaves
/// the heap intact, and freed memory goes back to the OS after the purge delay.
/// Blocks may be freed from any thread.
/// </summary>
[SkipLocalsInit]
public static unsafe partial class EbbMemory
{
    /// <summary>Allocates a block of at least <paramref name="byteCount"/> bytes.</summary>
    /// <param name="byteCount">Bytes wanted; 0 gives a unique minimal block.</param>
    /// <returns>The block, 16-byte aligned.</returns>
    /// <exception cref="OutOfMemoryException">The OS refused memory.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void* Alloc(nuint byteCount)
    {
        if (Checker.s_enabled && !Checker.SkipsSample()) return CheckedAlloc(byteCount, 0, false);
        return HeapAlloc.Alloc(ThreadHeap.Current, byteCount);
    }

    /// <summary>Allocates a block for <paramref name="elementCount"/> elements of <paramref name="elementSize"/> bytes.</summary>
    /// <param name="elementCount">Number of elements.</param>
    /// <param name="elementSize">Bytes per element.</param>
    /// <returns>The block, 16-byte aligned.</returns>
    /// <exception cref="OutOfMemoryException">The OS refused memory, or the product overflows.</exception>
    public static void* Alloc(nuint elementCount, nuint elementSize) => Alloc(Multiply(elementCount, elementSize));

    /// <summary>Allocates a block of <paramref name="byteCount"/> bytes, all zero.</summary>
    /// <param name="byteCount">Bytes wanted.</param>
    /// <returns>The zeroed block, 16-byte aligned.</returns>
    /// <exception cref="OutOfMemoryException">The OS refused memory.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void* AllocZeroed(nuint byteCount)
    {
        if (Checker.s_enabled && !Checker.SkipsSample()) return CheckedAlloc(byteCount, 0, true);
        return HeapAlloc.AllocZeroed(ThreadHeap.Current, byteCount);
    }

    /// <summary>Allocates a zeroed block for <paramref name="elementCount"/> elements of <paramref name="elementSize"/> bytes.</summary>
    /// <param name="elementCount">Number of elements.</param>
    /// <param name="elementSize">Bytes per element.</param>
    /// <returns>The zeroed block, 16-byte aligned.</returns>
    /// <exception cref="OutOfMemoryException">The OS refused memory, or the product overflows.</exception>
    public static void* AllocZeroed(nuint elementCount, nuint elementSize) => AllocZeroed(Multiply(elementCount, elementSize));

    /// <summary>Allocates like <see cref="Alloc(nuint)"/> but returns null instead of throwing when out of memory.</summary>
    /// <param name="byteCount">Bytes wanted.</param>
    /// <returns>The block, or null.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void* TryAlloc(nuint byteCount)
    {
        if (Checker.s_enabled && !Checker.SkipsSample()) return CheckedTryAlloc(byteCount);
        return HeapAlloc.TryAlloc(ThreadHeap.Current, byteCount);
    }

    /// <summary>
    /// Resizes a block, moving it when needed (the contents up to the smaller size are kept).
    /// A null <paramref name="ptr"/> allocates; a size of 0 is treated as 1.
    /// </summary>
    /// <param name="ptr">A block from Ebb, or null.</param>
    /// <param name="byteCount">The new size.</param>
    /// <returns>The block, perhaps moved.</returns>
    /// <exception cref="OutOfMemoryException">The OS refused memory (the old block stays valid).</exception>
    /// <exception cref="EbbMemoryException"><paramref name="ptr"/> is not a block Ebb handed out.</exception>
    public static void* Realloc(void* ptr, nuint byteCount)
    {
        if (Checker.s_enabled) return CheckedRealloc(ptr, byteCount, 0);
        if (ptr == null) return Alloc(byteCount);
        void* p = Resize.Realloc(ThreadHeap.Current, null, ptr, byteCount == 0 ? 1 : byteCount, 0);
        if (p == null) ThrowOutOfMemory();
        return p;
    }

    /// <summary>Frees a block from Ebb (any thread may free any block). Null does nothing.</summary>
    /// <param name="ptr">The block, or null.</param>
    /// <exception cref="EbbMemoryException">invalid-free: <paramref name="ptr"/> is not a block Ebb handed out;
    /// double-free: it was visibly freed already. The heap is left intact.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Free(void* ptr)
    {
        // Sampled mode frees as release mode does: its pool's blocks reach the allocator's slow path.
        if (Checker.s_enabled && !Checker.s_sampling) { CheckedFree(ptr); return; }
        Dealloc.Free(ThreadHeap.Current, ptr);
    }

    /// <summary>Allocates a block aligned to <paramref name="alignment"/> bytes.</summary>
    /// <param name="byteCount">Bytes wanted.</param>
    /// <param name="alignment">A power of two.</param>
    /// <returns>The aligned block; free it with <see cref="AlignedFree"/> or <see cref="Free"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="alignment"/> is not a power of two.</exception>
    /// <exception cref="OutOfMemoryException">The OS refused memory.</exception>
    public static void* AlignedAlloc(nuint byteCount, nuint alignment)
    {
        ThrowIfNotPowerOfTwo(alignment);
        if (Checker.s_enabled) return CheckedAlloc(byteCount, alignment, false);
        return Backend.AlignedAlloc(byteCount, alignment);
    }

    /// <summary>Resizes an aligned block, keeping <paramref name="alignment"/>; null allocates, 0 is treated as 1.</summary>
    /// <param name="ptr">An aligned block from Ebb, or null.</param>
    /// <param name="byteCount">The new size.</param>
    /// <param name="alignment">A power of two.</param>
    /// <returns>The block, perhaps moved.</returns>
    /// <exception cref="ArgumentException"><paramref name="alignment"/> is not a power of two.</exception>
    /// <exception cref="OutOfMemoryException">The OS refused memory (the old block stays valid).</exception>
    /// <exception cref="EbbMemoryException"><paramref name="ptr"/> is not a block Ebb handed out.</exception>
    public static void* AlignedRealloc(void* ptr, nuint byteCount, nuint alignment)
    {
        ThrowIfNotPowerOfTwo(alignment);
        if (Checker.s_enabled) return CheckedRealloc(ptr, byteCount, alignment);
        if (ptr == null) return Backend.AlignedAlloc(byteCount, alignment);
        void* p = Resize.Realloc(ThreadHeap.Current, null, ptr, byteCount == 0 ? 1 : byteCount, alignment);
        if (p == null) ThrowOutOfMemory();
        return p;
    }

    /// <summary>Frees an aligned block (the same as <see cref="Free"/>).</summary>
    /// <param name="ptr">The block, or null.</param>
    /// <exception cref="EbbMemoryException"><paramref name="ptr"/> is not a block Ebb handed out.</exception>
    public static void AlignedFree(void* ptr) => Free(ptr);

    /// <summary>The bytes usable in the block (at least what was asked for).</summary>
    /// <param name="ptr">A block from Ebb; null gives 0.</param>
    /// <returns>The usable size.</returns>
    /// <exception cref="EbbMemoryException"><paramref name="ptr"/> is not a block Ebb handed out.</exception>
    public static nuint UsableSize(void* ptr)
    {
        if (Checker.s_enabled) return CheckedUsableSize(ptr);
        return Backend.UsableSize(ptr);
    }

    /// <summary>
    /// Gives back to the OS everything free now: the calling thread's empty pages, empty
    /// pages of dead threads (whose heaps are given up at once instead of waiting the purge
    /// delay for a new thread to take them over), cached huge mappings, every free slice
    /// (purged at once instead of after the purge delay), and the address space of wholly free
    /// chunks and of reserved room no chunk was taken from.
    /// </summary>
    public static void Trim() => Teardown.Trim(ThreadHeap.Current);

    /// <summary>The allocator's figures now (a walk of its structures, under its lock).</summary>
    /// <returns>A snapshot.</returns>
    public static EbbStats GetStats() => StatsCollector.Collect();

    /// <summary>Writes <see cref="GetStats"/> as text, one figure a line, then a table of size classes in use.</summary>
    /// <param name="writer">Where to write.</param>
    public static void PrintStats(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(GetStats().ToString());
    }

    /// <summary>
    /// Walks the heap: every chunk's slice map and page descriptors, and every page of the
    /// calling thread's heap with its free lists. Throws on the first inconsistency.
    /// </summary>
    /// <exception cref="EbbMemoryException">heap-corruption, naming what is wrong.</exception>
    public static void Validate()
    {
        if (Checker.s_enabled) CheckedValidate();
        Validator.Validate();
    }

    /// <summary>Sets the options to use instead of the environment's. Only before the first allocation.</summary>
    /// <param name="options">The settings.</param>
    /// <exception cref="InvalidOperationException">Ebb is already in use.</exception>
    public static void Configure(EbbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Ebb.DotNetHost.Startup.Configure(options);
    }

    /// <summary>The options in force (read at first use).</summary>
    public static EbbOptions Options
    {
        get
        {
            Ebb.DotNetHost.Startup.EnsureStarted();
            return Ebb.DotNetHost.Startup.Options.Clone();
        }
    }

    // ---- helpers ------------------------------------------------------------------------

    // The checked paths out of line: where the JIT cannot fold Checker.Enabled (code compiled
    // before the class was initialized), the inlined fast paths stay small. Optimized at once:
    // in sampled mode they run once in N allocations (and for each pool block's free), which
    // can leave them in unoptimized tier-0 code for seconds while tiering waits for a quiet moment.
    // Each prints a check's error to stderr as it goes by (Checker.Print, a filter that declines),
    // so a report is seen whole even when the program catches it.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void* CheckedAlloc(nuint byteCount, nuint alignment, bool zero)
    {
        try { return Checker.AllocPastCountdown(byteCount, alignment, zero); }
        catch (EbbMemoryException e) when (Checker.Print(e)) { throw; }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void CheckedFree(void* ptr)
    {
        try { Checker.Free(ptr); }
        catch (EbbMemoryException e) when (Checker.Print(e)) { throw; }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void* CheckedTryAlloc(nuint byteCount)
    {
        try { return Checker.AllocPastCountdown(byteCount, 0, false); }
        catch (OutOfMemoryException) { return null; }
        catch (EbbMemoryException e) when (Checker.Print(e)) { throw; }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void* CheckedRealloc(void* ptr, nuint byteCount, nuint alignment)
    {
        try { return Checker.Realloc(ptr, byteCount, alignment); }
        catch (EbbMemoryException e) when (Checker.Print(e)) { throw; }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nuint CheckedUsableSize(void* ptr)
    {
        try { return Checker.UsableSize(ptr); }
        catch (EbbMemoryException e) when (Checker.Print(e)) { throw; }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CheckedValidate()
    {
        try { Checker.Validate(); }
        catch (EbbMemoryException e) when (Checker.Print(e)) { throw; }
    }

    internal static nuint Multiply(nuint count, nuint size)
    {
        nuint total = count * size;
        if (size != 0 && total / size != count) ThrowOutOfMemory();
        return total;
    }

    internal static void ThrowIfNotPowerOfTwo(nuint alignment)
    {
        if (!BitOperations.IsPow2(alignment))
            throw new ArgumentException("The alignment must be a power of two.", nameof(alignment));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowOutOfMemory() => throw new OutOfMemoryException();
}
