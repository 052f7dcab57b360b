using System.Diagnostics;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// rptest (rpmalloc's benchmark by Mattias Jansson, as in mimalloc-bench: <c>rptest N 0 1 2 500
/// 1000 100 8 16000</c>: random sizes with a linear drop-off from <see cref="MinSize"/> to
/// <see cref="MaxSize"/> bytes, a cross-thread hand-over every <see cref="CrossRate"/> loops,
/// <see cref="Slots"/> live slots per thread, about <see cref="OpCount"/> operations a loop).
/// Each loop a thread frees what other threads handed it, frees 25-80 of its slots (a stride
/// through the table), allocates 31-99 blocks into slots (freeing what a slot held), writing one
/// byte per 4 KiB page, and every second loop allocates a further batch of as many blocks and
/// hands it to the next thread, which frees them: memory allocated on one thread and freed on
/// another, mixed sizes up to 16 KB. Two passes, each ending with the thread freeing its slots.
/// Fixed work; the figure is operations (allocations and frees) per second. mimalloc-bench's
/// 500 loops take a few milliseconds here, so the port runs 10000 × scale loops a pass, and
/// leaves out the original's one-second sleeps between phases.
/// </summary>
public sealed unsafe class RpTest : ISuiteWorkload
{
    public const int Threads = 2;
    public const int MinSize = 8;
    public const int MaxSize = 16000;
    public const int CrossRate = 2;
    public const int BaseLoops = 10000;
    public const int Slots = 1000;
    public const int OpCount = 100;
    public const int Passes = 2;
    private const int SizeCount = 2000;
    private const int AllocStride = 7, FreeStride = 11;

    public string Name => "rptest";
    public string Figure => "operations/s";
    public bool FixedDuration => false;

    public string Parameters(double scale) =>
        $"{Threads} threads, sizes {MinSize}-{MaxSize} B (linear drop-off), hand-over every {CrossRate} loops, " +
        $"{LoopsAt(scale)} loops × {Passes} passes, {Slots} slots, {OpCount} operations a loop";

    private static int LoopsAt(double scale) => Math.Max(1, (int)Math.Round(BaseLoops * scale));

    /// <summary>A thread's inbox: a lock-free stack of batches (tables of block, size pairs) handed to it.</summary>
    private sealed class Inbox
    {
        public nint Head;
    }

    private int[] _sizes = [];
    private Inbox[] _inboxes = [];
    /// <summary>Threads done with their passes (they hand nothing over after that).</summary>
    private int _finished;
    private long _operations;

    public SuiteResult Run<T>(double scale) where T : struct, INativeAllocator
    {
        var r = new SuiteRandom(0x5eed);
        _sizes = new int[SizeCount];
        // Linear drop-off: the density falls linearly from MinSize to zero at MaxSize.
        for (int i = 0; i < SizeCount; i++)
            _sizes[i] = MinSize + (int)((MaxSize - MinSize) * (1 - Math.Sqrt(r.NextDouble())));
        _inboxes = [.. Enumerable.Range(0, Threads).Select(_ => new Inbox())];
        _finished = 0;
        _operations = 0;
        int loops = LoopsAt(scale);
        var clock = Stopwatch.StartNew();
        SuiteThreads.Run(Threads, "rptest", id => Worker<T>(id, loops));
        double seconds = clock.Elapsed.TotalSeconds;
        foreach (var inbox in _inboxes) Drain<T>(inbox);
        return new SuiteResult(seconds, _operations / seconds);
    }

    private void Worker<T>(int id, int loops) where T : struct, INativeAllocator
    {
        long ops = 0;
        try
        {
            ops = RunPasses<T>(id, loops);
        }
        finally
        {
            Interlocked.Increment(ref _finished);
        }
        // Stay until every thread is done handing over, freeing what arrives.
        Inbox mine = _inboxes[id];
        while (Volatile.Read(ref _finished) < Threads)
        {
            ops += Drain<T>(mine);
            Thread.Yield();
        }
        ops += Drain<T>(mine);
        Interlocked.Add(ref _operations, ops);
    }

    private long RunPasses<T>(int id, int loops) where T : struct, INativeAllocator
    {
        var r = new SuiteRandom((ulong)id * 7919 + 1);
        long ops = 0;
        ulong* slots = TaggedTable.Alloc<T>(2 * Slots);
        int allocIdx = 0, freeIdx = 0, sizeIdx = (id + 1) * 37 % SizeCount;
        Inbox mine = _inboxes[id];
        int next = (id + 1) % Threads;
        for (int pass = 0; pass < Passes; pass++)
        {
            for (int loop = 0; loop < loops; loop++)
            {
                ops += Drain<T>(mine);
                int frees = (int)(0.8 * OpCount * (31 + r.Below(69)) / 100);
                int allocs = OpCount * (31 + r.Below(69)) / 100;
                for (int i = 0; i < frees; i++)
                {
                    if (slots[2 * freeIdx] != 0)
                    {
                        BlockTag.Free<T>((void*)slots[2 * freeIdx], (nuint)slots[2 * freeIdx + 1]);
                        slots[2 * freeIdx] = 0;
                        ops++;
                    }
                    freeIdx = (freeIdx + FreeStride) % Slots;
                }
                for (int i = 0; i < allocs; i++)
                {
                    if (slots[2 * allocIdx] != 0)
                    {
                        BlockTag.Free<T>((void*)slots[2 * allocIdx], (nuint)slots[2 * allocIdx + 1]);
                        ops++;
                    }
                    int size = _sizes[sizeIdx];
                    sizeIdx = (sizeIdx + 1) % SizeCount;
                    slots[2 * allocIdx] = (ulong)New<T>(size);
                    slots[2 * allocIdx + 1] = (ulong)size;
                    ops++;
                    allocIdx = (allocIdx + AllocStride) % Slots;
                }
                if (Threads > 1 && loop % CrossRate == 0)
                {
                    // A batch: [next batch, count, block, size, block, size, ...].
                    ulong* batch = TaggedTable.Alloc<T>((nuint)(2 + 2 * allocs));
                    batch[1] = (ulong)allocs;
                    for (int i = 0; i < allocs; i++)
                    {
                        int size = _sizes[sizeIdx];
                        sizeIdx = (sizeIdx + 1) % SizeCount;
                        batch[2 + 2 * i] = (ulong)New<T>(size);
                        batch[3 + 2 * i] = (ulong)size;
                    }
                    ops += allocs + 1;
                    Push(_inboxes[next], batch);
                }
            }
            for (int i = 0; i < Slots; i++)
                if (slots[2 * i] != 0)
                {
                    BlockTag.Free<T>((void*)slots[2 * i], (nuint)slots[2 * i + 1]);
                    slots[2 * i] = 0;
                    ops++;
                }
        }
        TaggedTable.Free<T>(slots, 2 * Slots);
        return ops;
    }

    private static byte* New<T>(int size) where T : struct, INativeAllocator
    {
        byte* p = (byte*)T.Alloc((nuint)size);
        if (p == null) throw new InvalidOperationException($"the allocator returned null for {size} bytes");
        for (int page = 4096; page < size; page += 4096) p[page] = 1;
        BlockTag.Write(p, (nuint)size);
        return p;
    }

    private static void Push(Inbox inbox, ulong* batch)
    {
        nint head;
        do
        {
            head = Volatile.Read(ref inbox.Head);
            batch[0] = (ulong)head;
        } while (Interlocked.CompareExchange(ref inbox.Head, (nint)batch, head) != head);
    }

    private static long Drain<T>(Inbox inbox) where T : struct, INativeAllocator
    {
        long ops = 0;
        var batch = (ulong*)Interlocked.Exchange(ref inbox.Head, 0);
        while (batch != null)
        {
            var next = (ulong*)batch[0];
            int count = (int)batch[1];
            for (int i = 0; i < count; i++) BlockTag.Free<T>((void*)batch[2 + 2 * i], (nuint)batch[3 + 2 * i]);
            TaggedTable.Free<T>(batch, (nuint)(2 + 2 * count));
            ops += count + 1;
            batch = next;
        }
        return ops;
    }
}
