using System.Numerics;
using System.Runtime.CompilerServices;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// Every block of the suite carries a tag derived from its address and size: its first and last
/// words (every byte, below 16 bytes), written right after the allocation (after the workload's
/// own writes, where it writes the block) and checked right before the free. Two blocks that
/// overlap, or a free list threaded through a live block, break one of them: the run stops with
/// a <see cref="BlockTagException"/>. Two words per block keep the check cheap next to the
/// allocation it guards, and the same for every contender.
/// </summary>
public static unsafe class BlockTag
{
    /// <summary>The pattern of the block at <paramref name="p"/> of <paramref name="size"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Pattern(void* p, nuint size)
    {
        ulong z = (ulong)p ^ ((ulong)size << 44) ^ 0x3C6EF372FE94F82BUL;
        z = (z ^ (z >> 31)) * 0x7FB5D329728EA185UL;
        return z ^ (z >> 29);
    }

    /// <summary>Writes the tag of a block of <paramref name="size"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(void* p, nuint size)
    {
        ulong t = Pattern(p, size);
        if (size >= 16)
        {
            *(ulong*)p = t;
            Unsafe.WriteUnaligned((byte*)p + size - 8, BitOperations.RotateLeft(t, 32));
        }
        else
        {
            for (nuint i = 0; i < size; i++) ((byte*)p)[i] = SmallByte(t, i);
        }
    }

    /// <summary>True when the block still carries its tag.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Holds(void* p, nuint size)
    {
        ulong t = Pattern(p, size);
        if (size >= 16)
            return *(ulong*)p == t && Unsafe.ReadUnaligned<ulong>((byte*)p + size - 8) == BitOperations.RotateLeft(t, 32);
        for (nuint i = 0; i < size; i++)
            if (((byte*)p)[i] != SmallByte(t, i)) return false;
        return true;
    }

    /// <summary>Throws <see cref="BlockTagException"/> unless the block still carries its tag.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(void* p, nuint size)
    {
        if (!Holds(p, size)) Fail(p, size);
    }

    /// <summary>Allocates <paramref name="size"/> bytes from <typeparamref name="T"/> and tags them; throws when the allocator returns null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Alloc<T>(nuint size) where T : struct, INativeAllocator
    {
        byte* p = (byte*)T.Alloc(size);
        if (p == null) NoMemory(size);
        Write(p, size);
        return p;
    }

    /// <summary>Checks the block's tag, then frees it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free<T>(void* p, nuint size) where T : struct, INativeAllocator
    {
        Check(p, size);
        T.Free(p);
    }

    /// <summary>Checks the tag, resizes the block (its contents kept) and tags it again at its new place and size.</summary>
    public static byte* Realloc<T>(void* p, nuint oldSize, nuint newSize) where T : struct, INativeAllocator
    {
        Check(p, oldSize);
        byte* q = (byte*)T.Realloc(p, newSize);
        if (q == null) NoMemory(newSize);
        Write(q, newSize);
        return q;
    }

    private static byte SmallByte(ulong t, nuint i) => (byte)((byte)(t >> (int)(8 * (i & 7))) ^ (byte)i);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fail(void* p, nuint size) =>
        throw new BlockTagException($"tag mismatch in the block at 0x{(ulong)p:x} of {size} bytes: it was written between its allocation and its free");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void NoMemory(nuint size) => throw new InvalidOperationException($"the allocator returned null for {size} bytes");
}
