using System.Runtime.CompilerServices;
using System.Buffers;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads;

/// <summary>
/// Alloc+free pairs in batches of <see cref="BatchSize"/>: allocate a batch, write a word into each
/// block (so the memory is really used), free the batch in allocation order. The figure is
/// nanoseconds per pair (one allocation plus one free).
/// </summary>
public static unsafe class Pairs
{
    /// <summary>Blocks held at once: enough to leave a pure pop-then-push-the-same-block loop.</summary>
    public const int BatchSize = 100;

    /// <summary>The block sizes of issue 3's pair benchmarks.</summary>
    public static readonly int[] Sizes = [16, 64, 256, 1024, 8192];

    /// <summary>Runs <paramref name="batches"/> batches through <typeparamref name="T"/>; returns the pairs done.</summary>
    public static long Run<T>(nuint size, int batches) where T : struct, INativeAllocator
    {
        RunBatches<T>(size, batches);
        return (long)batches * BatchSize;
    }

    /// <summary>
    /// The loop itself, kept apart (not inlined) so nothing but the loop is live in it: the
    /// x64 JIT has five callee-saved registers, and with the batch count also live to compute
    /// the result, a fast path inlined here that needs one of them for itself (Ebb's keeps the
    /// thread-static base) pushed the inner index to the stack, adding a store and a reload on
    /// every iteration.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunBatches<T>(nuint size, int batches) where T : struct, INativeAllocator
    {
        void** slots = stackalloc void*[BatchSize];
        for (int b = batches; b > 0; b--)
        {
            for (int i = 0; i < BatchSize; i++)
            {
                void* p = T.Alloc(size);
                *(nint*)p = i;
                slots[i] = p;
            }
            for (int i = 0; i < BatchSize; i++)
                T.Free(slots[i]);
        }
    }

    /// <summary>The same with <see cref="ArrayPool{T}.Shared"/>: Rent and Return are the pair.</summary>
    public static long RunArrayPool(int size, int batches, byte[][] slots)
    {
        var pool = ArrayPool<byte>.Shared;
        for (int b = 0; b < batches; b++)
        {
            for (int i = 0; i < BatchSize; i++)
            {
                byte[] a = pool.Rent(size);
                a[0] = (byte)i;
                slots[i] = a;
            }
            for (int i = 0; i < BatchSize; i++)
                pool.Return(slots[i]);
        }
        return (long)batches * BatchSize;
    }
}
