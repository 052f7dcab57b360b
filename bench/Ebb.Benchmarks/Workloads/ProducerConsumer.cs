using System.Buffers;
using System.Diagnostics;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads;

/// <summary>
/// One thread allocates (sizes 16–256 bytes in turn) and passes each block through a ring to a
/// second thread, which checks the word written into it and frees it: every free is a remote free.
/// The figure is nanoseconds per block, wall clock, both threads running.
/// </summary>
public static unsafe class ProducerConsumer
{
    private static readonly nuint[] s_sizes = [16, 32, 48, 64, 96, 128, 192, 256];

    /// <summary>Moves <paramref name="count"/> blocks from <paramref name="producer"/> to <paramref name="consumer"/>; returns the elapsed time.</summary>
    public static TimeSpan Run<T>(int count, Worker producer, Worker consumer, SpscRing<nint> ring) where T : struct, INativeAllocator
    {
        var sw = Stopwatch.StartNew();
        consumer.Start(() => Consume<T>(count, ring));
        producer.Start(() => Produce<T>(count, ring));
        producer.Wait();
        consumer.Wait();
        return sw.Elapsed;
    }

    private static void Produce<T>(int count, SpscRing<nint> ring) where T : struct, INativeAllocator
    {
        for (int i = 0; i < count; i++)
        {
            void* p = T.Alloc(s_sizes[i & 7]);
            *(int*)p = i;
            ring.Push((nint)p);
        }
    }

    private static void Consume<T>(int count, SpscRing<nint> ring) where T : struct, INativeAllocator
    {
        for (int i = 0; i < count; i++)
        {
            void* p = (void*)ring.Pop(count - i);
            if (*(int*)p != i) throw new InvalidOperationException($"block {i} arrived holding {*(int*)p}");
            T.Free(p);
        }
    }

    /// <summary>The same with <see cref="ArrayPool{T}.Shared"/>: Rent on one thread, Return on the other.</summary>
    public static TimeSpan RunArrayPool(int count, Worker producer, Worker consumer, SpscRing<byte[]> ring)
    {
        var sw = Stopwatch.StartNew();
        consumer.Start(() =>
        {
            var pool = ArrayPool<byte>.Shared;
            for (int i = 0; i < count; i++)
            {
                byte[] a = ring.Pop(count - i);
                if (a[0] != (byte)i) throw new InvalidOperationException($"array {i} arrived holding {a[0]}");
                pool.Return(a);
            }
        });
        producer.Start(() =>
        {
            var pool = ArrayPool<byte>.Shared;
            for (int i = 0; i < count; i++)
            {
                byte[] a = pool.Rent((int)s_sizes[i & 7]);
                a[0] = (byte)i;
                ring.Push(a);
            }
        });
        producer.Wait();
        consumer.Wait();
        return sw.Elapsed;
    }
}
