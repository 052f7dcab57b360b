using System.Buffers;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads;

/// <summary>
/// A buffer grown by Realloc from 16 bytes to 64 MiB by half its size at a time (about 40 calls),
/// as a growing list or stream does; each step writes one byte into every new page, as an
/// appending writer would. The first byte is checked at the end (Realloc must keep the contents).
/// </summary>
public static unsafe class ReallocGrowth
{
    /// <summary>The final size.</summary>
    public const int FinalSize = 64 << 20;

    private const int Page = 4096;

    /// <summary>Grows one buffer to <see cref="FinalSize"/> and frees it.</summary>
    public static void Run<T>() where T : struct, INativeAllocator
    {
        nuint size = 16;
        byte* p = (byte*)T.Alloc(size);
        p[0] = 0x5A;
        while (size < FinalSize)
        {
            nuint next = Math.Min(size + size / 2 + 16, FinalSize);
            p = (byte*)T.Realloc(p, next);
            for (nuint at = size; at < next; at += Page) p[at] = 1;
            p[next - 1] = 1;
            size = next;
        }
        if (p[0] != 0x5A) throw new InvalidOperationException("Realloc lost the contents");
        T.Free(p);
    }

    /// <summary>The ArrayPool equivalent of Realloc: rent a bigger array, copy, return the old one.</summary>
    public static void RunArrayPool()
    {
        var pool = ArrayPool<byte>.Shared;
        int size = 16;
        byte[] a = pool.Rent(size);
        a[0] = 0x5A;
        while (size < FinalSize)
        {
            int next = Math.Min(size + size / 2 + 16, FinalSize);
            byte[] b = a;
            if (next > a.Length)
            {
                b = pool.Rent(next);
                a.AsSpan(0, size).CopyTo(b);
                pool.Return(a);
            }
            for (int at = size; at < next; at += Page) b[at] = 1;
            b[next - 1] = 1;
            a = b;
            size = next;
        }
        if (a[0] != 0x5A) throw new InvalidOperationException("lost the contents");
        pool.Return(a);
    }
}
