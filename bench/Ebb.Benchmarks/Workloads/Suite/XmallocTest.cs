using System.Diagnostics;
using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// xmalloc-test (Lever and Boreham's producer/consumer test, as in mimalloc-bench:
/// <c>xmalloc-test -w N -t 5 -s 64</c>). <see cref="Writers"/> threads allocate batches of
/// <see cref="PerBatch"/> blocks of <see cref="ObjectSize"/> bytes (writing their first 64
/// bytes) and push each batch on a shared list (at most <see cref="QueueLimit"/> batches, under a
/// lock); as many releaser threads pop batches and free every block. Every block is freed by a
/// thread that did not allocate it: the remote-free path at full rate. Runs for a fixed time (5 s
/// in mimalloc-bench, 1 s × scale here); the figure is frees per second.
/// </summary>
public sealed unsafe class XmallocTest : ISuiteWorkload
{
    public const int Writers = 2;
    public const int ObjectSize = 64;
    public const int PerBatch = 4096;
    public const int QueueLimit = 100;
    public const double BaseSeconds = 1.0;

    public string Name => "xmalloc-test";
    public string Figure => "frees/s";
    public bool FixedDuration => true;

    public string Parameters(double scale) =>
        $"{Writers} allocating + {Writers} freeing threads, {BaseSeconds * scale:0.##} s, {ObjectSize} B blocks, " +
        $"batches of {PerBatch}, at most {QueueLimit} batches queued";

    private readonly object _gate = new();
    private readonly Stack<nint> _batches = new();
    private volatile bool _done;

    public SuiteResult Run<T>(double scale) where T : struct, INativeAllocator
    {
        _done = false;
        var group = new SuiteThreads();
        // One counter per releaser, 128 bytes apart: no false sharing between them.
        var freed = new long[Writers * 16];
        var threads = new List<Thread>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Writers; i++)
        {
            int id = i;
            threads.Add(group.Start($"xmalloc release {id}", () => Release<T>(ref freed[id * 16])));
            threads.Add(group.Start($"xmalloc alloc {id}", () => Allocate<T>(group)));
        }
        Thread.Sleep(TimeSpan.FromSeconds(BaseSeconds * scale));
        lock (_gate)
        {
            _done = true;
            Monitor.PulseAll(_gate);
        }
        foreach (var t in threads) t.Join();
        double seconds = clock.Elapsed.TotalSeconds;
        while (_batches.TryPop(out nint b)) FreeBatch<T>((ulong*)b);
        group.ThrowIfFailed();
        return new SuiteResult(seconds, freed.Sum() / seconds);
    }

    private void Allocate<T>(SuiteThreads group) where T : struct, INativeAllocator
    {
        while (!_done && !group.Failed)
        {
            ulong* batch = TaggedTable.Alloc<T>(PerBatch);
            for (int i = 0; i < PerBatch; i++)
            {
                byte* p = (byte*)T.Alloc(ObjectSize);
                if (p == null) throw new InvalidOperationException($"the allocator returned null for {ObjectSize} bytes");
                new Span<byte>(p, Math.Min(ObjectSize, 128)).Fill((byte)i);
                BlockTag.Write(p, ObjectSize);
                batch[i] = (ulong)p;
            }
            lock (_gate)
            {
                while (_batches.Count >= QueueLimit && !_done) Monitor.Wait(_gate);
                _batches.Push((nint)batch);
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void Release<T>(ref long freed) where T : struct, INativeAllocator
    {
        while (true)
        {
            nint b;
            lock (_gate)
            {
                while (_batches.Count == 0 && !_done) Monitor.Wait(_gate);
                if (_done) return;
                b = _batches.Pop();
                Monitor.PulseAll(_gate);
            }
            FreeBatch<T>((ulong*)b);
            freed += PerBatch;
        }
    }

    private static void FreeBatch<T>(ulong* batch) where T : struct, INativeAllocator
    {
        for (int i = 0; i < PerBatch; i++) BlockTag.Free<T>((void*)batch[i], ObjectSize);
        TaggedTable.Free<T>(batch, PerBatch);
    }
}
