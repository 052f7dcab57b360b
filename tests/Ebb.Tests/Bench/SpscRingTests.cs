using System.Runtime.CompilerServices;
using Ebb.Benchmarks.Workloads;

namespace Ebb.Tests.Bench;

/// <summary>
/// The producer/consumer benchmark's ring (its source is compiled into this project): a waiting
/// side resumes only after a batch, and the consumer's last items come fewer than a batch, so
/// what could go wrong is a lost, reordered or duplicated item, or a wait that never ends.
/// </summary>
public class SpscRingTests
{
    // Only to turn a hang into a failure; nothing is timed.
    private static readonly TimeSpan s_hang = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData(1024, 50_000)]
    [InlineData(1024, 63)]
    [InlineData(1024, 1)]
    [InlineData(4, 10_001)]
    [InlineData(256, 100_003)]
    public void EveryItemArrivesOnceInOrder(int capacity, int count)
    {
        var ring = new SpscRing<long>(capacity);
        // Twice through the same ring, as the benchmark reuses its ring between calls.
        for (int pass = 0; pass < 2; pass++)
        {
            int n = count + pass * 7;
            Exception? failure = null;
            var consumer = new Thread(() =>
            {
                try
                {
                    for (int i = 0; i < n; i++)
                    {
                        long v = ring.Pop(n - i);
                        if (v != i) throw new InvalidOperationException($"item {i} arrived as {v}");
                        if (i % 1000 == 999) Thread.Yield();   // a consumer that falls behind: the producer meets a full ring
                    }
                }
                catch (Exception e) { failure = e; }
            }) { IsBackground = true };
            var producer = new Thread(() =>
            {
                for (int i = 0; i < n; i++) ring.Push(i);
            }) { IsBackground = true };
            consumer.Start();
            producer.Start();
            Assert.True(producer.Join(s_hang) && consumer.Join(s_hang), $"ring of {capacity} stuck moving {n} items");
            Assert.Null(failure);
        }
    }

    [Fact]
    public void RejectsACapacityNotAPowerOfTwo()
    {
        Assert.Throws<ArgumentException>(() => new SpscRing<long>(1000));
    }

    [Fact]
    public void APoppedReferenceIsNotKeptAlive()
    {
        var ring = new SpscRing<object>(16);
        var weak = PushAndPop(ring);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(weak.IsAlive, "the ring still holds an item it handed out");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference PushAndPop(SpscRing<object> ring)
    {
        var item = new byte[100];
        ring.Push(item);
        Assert.Same(item, ring.Pop(1));
        return new WeakReference(item);
    }
}
