using System.Runtime.CompilerServices;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// An array of words taken from the allocator under test, as the ported programs take their
/// bookkeeping arrays (pointer tables, batches) with malloc: those allocations are part of each
/// program's traffic. The words sit between a tag word in front and one behind, so the table is
/// checked at its free like every other block while its words stay the workload's own.
/// </summary>
public static unsafe class TaggedTable
{
    /// <summary>Bytes of a table of <paramref name="words"/> words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint Bytes(nuint words) => (words + 2) * 8;

    /// <summary>A table of <paramref name="words"/> words, zeroed; returns its first word.</summary>
    public static ulong* Alloc<T>(nuint words) where T : struct, INativeAllocator
    {
        byte* p = BlockTag.Alloc<T>(Bytes(words));
        new Span<byte>(p + 8, checked((int)(words * 8))).Clear();
        return (ulong*)(p + 8);
    }

    /// <summary>Grows or shrinks the table to <paramref name="newWords"/> words (the new words are not zeroed); returns its first word.</summary>
    public static ulong* Realloc<T>(ulong* words, nuint oldWords, nuint newWords) where T : struct, INativeAllocator =>
        words == null
            ? Alloc<T>(newWords)
            : (ulong*)(BlockTag.Realloc<T>((byte*)words - 8, Bytes(oldWords), Bytes(newWords)) + 8);

    /// <summary>Checks the table's tag and frees it.</summary>
    public static void Free<T>(ulong* words, nuint count) where T : struct, INativeAllocator
    {
        if (words != null) BlockTag.Free<T>((byte*)words - 8, Bytes(count));
    }
}
