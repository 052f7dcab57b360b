using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ebb.Benchmarks.Workloads;

/// <summary>
/// A single-producer single-consumer ring: the queue between the producer/consumer benchmark's two
/// threads, the same for every contender. Built so that what the benchmark times is the
/// allocators, not the queue:
/// <list type="bullet">
/// <item>Head and tail sit on their own cache lines, and each side keeps its own copy of the
/// other's index, reading the shared one only when its copy says full (or empty).</item>
/// <item>A side that has to wait resumes only when a batch of <see cref="Batch"/> slots (eight
/// cache lines) is free, or filled: a per-item handover keeps the two threads on the same slot
/// line and the index lines in lock step, several cache-line transfers per item on top of the
/// allocator's, and which side waited decided which lock step a run fell into.</item>
/// <item>Waits spin and yield but never sleep: SpinWait's default Thread.Sleep(1) made a waiting
/// side sleep a timer tick while the other filled or drained the ring in microseconds, so a run
/// that once waited long enough locked into about one ring per millisecond (~1 000 ns/item,
/// for every allocator alike).</item>
/// </list>
/// </summary>
public sealed class SpscRing<T>
{
    /// <summary>Slots a waiting side waits for before it resumes (at most a quarter of the ring).</summary>
    public const int Batch = 64;

    private readonly T[] _slots;
    private readonly long _mask;
    private readonly int _batch;
    private RingIndices _indices;

    /// <summary>A ring of <paramref name="capacity"/> slots (a power of two).</summary>
    public SpscRing(int capacity)
    {
        if (capacity <= 0 || (capacity & (capacity - 1)) != 0) throw new ArgumentException("capacity must be a power of two", nameof(capacity));
        _slots = new T[capacity];
        _mask = capacity - 1;
        _batch = Math.Max(1, Math.Min(Batch, capacity / 4));
    }

    /// <summary>Adds an item; when the ring is full, waits until a batch of slots is free. Producer thread only.</summary>
    public void Push(T item)
    {
        long tail = _indices.Tail;
        if (tail - _indices.HeadSeen >= _slots.Length)
        {
            _indices.HeadSeen = Volatile.Read(ref _indices.Head);
            if (tail - _indices.HeadSeen >= _slots.Length)
            {
                var spin = new SpinWait();
                while (tail - (_indices.HeadSeen = Volatile.Read(ref _indices.Head)) > _slots.Length - _batch) spin.SpinOnce(sleep1Threshold: -1);
            }
        }
        _slots[tail & _mask] = item;
        Volatile.Write(ref _indices.Tail, tail + 1);
    }

    /// <summary>
    /// Takes the oldest item; when the ring is empty, waits until a batch of items is there, or
    /// <paramref name="remaining"/> (the items still to come, this one included) if fewer.
    /// Consumer thread only.
    /// </summary>
    public T Pop(int remaining)
    {
        long head = _indices.Head;
        if (_indices.TailSeen == head)
        {
            _indices.TailSeen = Volatile.Read(ref _indices.Tail);
            if (_indices.TailSeen == head)
            {
                long want = Math.Clamp(remaining, 1, _batch);
                var spin = new SpinWait();
                while ((_indices.TailSeen = Volatile.Read(ref _indices.Tail)) - head < want) spin.SpinOnce(sleep1Threshold: -1);
            }
        }
        T item = _slots[head & _mask];
        // Only a reference needs clearing (so the GC can collect it); clearing a native pointer
        // would be one more write to the line the producer fills next.
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>()) _slots[head & _mask] = default!;
        Volatile.Write(ref _indices.Head, head + 1);
        return item;
    }
}

/// <summary>
/// The ring's indices, each on its own cache line (outside the generic class: a generic type
/// cannot have explicit layout): the two shared ones, and each side's copy of the other's.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 320)]
internal struct RingIndices
{
    /// <summary>Next slot the consumer reads (written by the consumer).</summary>
    [FieldOffset(64)] public long Head;

    /// <summary>Next slot the producer writes (written by the producer).</summary>
    [FieldOffset(128)] public long Tail;

    /// <summary>The producer's copy of <see cref="Head"/>.</summary>
    [FieldOffset(192)] public long HeadSeen;

    /// <summary>The consumer's copy of <see cref="Tail"/>.</summary>
    [FieldOffset(256)] public long TailSeen;
}
