using System.Runtime.InteropServices;

namespace Ebb.Benchmarks.Workloads;

/// <summary>
/// A single-producer single-consumer ring: the queue between the producer/consumer benchmark's two
/// threads, the same for every contender. Head and tail sit on their own cache lines so the two
/// threads share only the slots.
/// </summary>
public sealed class SpscRing<T>
{
    private readonly T[] slots;
    private readonly long mask;
    private RingIndices indices;

    /// <summary>A ring of <paramref name="capacity"/> slots (a power of two).</summary>
    public SpscRing(int capacity)
    {
        if (capacity <= 0 || (capacity & (capacity - 1)) != 0) throw new ArgumentException("capacity must be a power of two", nameof(capacity));
        slots = new T[capacity];
        mask = capacity - 1;
    }

    /// <summary>Adds an item, waiting while the ring is full. Producer thread only.</summary>
    public void Push(T item)
    {
        long tail = indices.Tail;
        if (tail - Volatile.Read(ref indices.Head) >= slots.Length)
        {
            var spin = new SpinWait();
            while (tail - Volatile.Read(ref indices.Head) >= slots.Length) spin.SpinOnce();
        }
        slots[tail & mask] = item;
        Volatile.Write(ref indices.Tail, tail + 1);
    }

    /// <summary>Takes the oldest item, waiting while the ring is empty. Consumer thread only.</summary>
    public T Pop()
    {
        long head = indices.Head;
        if (Volatile.Read(ref indices.Tail) == head)
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref indices.Tail) == head) spin.SpinOnce();
        }
        T item = slots[head & mask];
        slots[head & mask] = default!;
        Volatile.Write(ref indices.Head, head + 1);
        return item;
    }
}

/// <summary>The ring's two indices, each on its own cache line (outside the generic class: a generic type cannot have explicit layout).</summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct RingIndices
{
    /// <summary>Next slot the consumer reads.</summary>
    [FieldOffset(64)] public long Head;

    /// <summary>Next slot the producer writes.</summary>
    [FieldOffset(128)] public long Tail;
}
