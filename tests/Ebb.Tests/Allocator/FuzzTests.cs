using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using Ebb.Checks;
using Xunit.Abstractions;

namespace Ebb.Tests.Allocator;

/// <summary>
/// Random sequences of Alloc, Free, Realloc, AlignedAlloc, UsableSize and EbbHeap calls on a few
/// threads, with wrong pointers mixed in (foreign, stack, interior, freed huge and large blocks, a
/// disposed heap's blocks). Every live block holds a tag byte and is checked before it goes; every
/// wrong call must throw <see cref="EbbMemoryException"/> of the right kind. Seeded: the seed is in
/// every failure (EBB_FUZZ_SEED replays one); EBB_FUZZ_SECONDS runs longer than the CI default.
/// </summary>
[Collection(nameof(AllocatorSerial))]
public unsafe class FuzzTests(ITestOutputHelper output)
{
    private enum Op { Foreign, Stack, Interior, FreedHugeOrLarge, DisposedHeap, ImmediateDoubleFree, SmallDoubleFreeLater, Count }

    private sealed record Live(nint P, nuint Size, byte Tag, EbbHeap? Heap);

    [Fact]
    public void RandomOperationsWithWrongPointersMixedIn()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("EBB_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s)
            ? s : Random.Shared.Next();
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("EBB_FUZZ_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            ? d : 3;
        // The expected kinds are release mode's; the checked modes name some of these errors differently.
        if (Checker.s_enabled) return;
        int threads = 2 + new Random(seed).Next(3);
        var counts = new long[(int)Op.Count];
        long operations = 0;
        var handoff = new ConcurrentQueue<Live>();
        // Calls that free memory twice on purpose run alone: another thread could otherwise be
        // handed the freed span or mapping meanwhile, and the stale free would free its block.
        var exclusive = new ReaderWriterLockSlim();
        long until = Environment.TickCount64 + (long)(seconds * 1000);
        try
        {
            Threads.Run(threads, t =>
            {
                var worker = new Worker(new Random(seed * 31 + t), handoff, exclusive, counts);
                while (Environment.TickCount64 < until) worker.Step();
                Interlocked.Add(ref operations, worker.Steps);
                worker.FreeAll();
                EbbMemory.Validate();
            });
            while (handoff.TryDequeue(out var b)) { Check(b); EbbMemory.Free((void*)b.P); }
            EbbMemory.Validate();
            for (int op = 0; op < (int)Op.Count; op++)
            {
                Assert.True(counts[op] > 0, $"no {(Op)op} call was made");
            }
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"fuzz seed {seed} ({threads} threads; EBB_FUZZ_SEED={seed} replays it): {e}");
        }
        output.WriteLine($"seed {seed}, {threads} threads, {operations} operations, wrong calls: " +
            string.Join(", ", Enumerable.Range(0, (int)Op.Count - 1).Select(i => $"{(Op)i} {counts[i]}")));
    }

    private static void Fill(nint p, nuint size, byte tag)
    {
        if (size <= 65536) new Span<byte>((void*)p, (int)size).Fill(tag);
        else
        {
            new Span<byte>((void*)p, 4096).Fill(tag);
            new Span<byte>((byte*)p + size - 4096, 4096).Fill(tag);
        }
    }

    private static void Check(Live b)
    {
        bool ok = b.Size <= 65536
            ? new Span<byte>((void*)b.P, (int)b.Size).IndexOfAnyExcept(b.Tag) < 0
            : new Span<byte>((void*)b.P, 4096).IndexOfAnyExcept(b.Tag) < 0 && new Span<byte>((byte*)b.P + b.Size - 4096, 4096).IndexOfAnyExcept(b.Tag) < 0;
        Assert.True(ok, $"the {b.Size}-byte block at 0x{b.P:x} lost its tag {b.Tag}");
    }

    private static void ExpectError(EbbErrorKind kind, Action call)
    {
        var e = Assert.Throws<EbbMemoryException>(call);
        Assert.True(e.Kind == kind, $"expected {kind}, got {e.Kind}: {e.Message}");
    }

    private sealed class Worker(Random rng, ConcurrentQueue<Live> handoff, ReaderWriterLockSlim exclusive, long[] counts)
    {
        private readonly List<Live> _live = [];
        private EbbHeap? _heap;
        private byte _nextTag = 1;
        public long Steps;

        private byte Tag() => _nextTag = (byte)(_nextTag % 250 + 1);

        private nuint Size() => rng.Next(100) switch
        {
            < 70 => (nuint)rng.Next(1, 2048),
            < 90 => (nuint)rng.Next(2048, 128 * 1024 + 1),
            < 99 => (nuint)rng.Next(128 * 1024 + 1, 4 << 20),
            _ => (nuint)rng.Next((4 << 20) + 1, 12 << 20),
        };

        private void Add(void* p, nuint size, EbbHeap? owner)
        {
            var b = new Live((nint)p, size, Tag(), owner);
            Fill(b.P, size, b.Tag);
            _live.Add(b);
        }

        private Live Take(int i)
        {
            var b = _live[i];
            _live[i] = _live[^1];
            _live.RemoveAt(_live.Count - 1);
            Check(b);
            return b;
        }

        public void Step()
        {
            Steps++;
            int r = rng.Next(1000);
            if (r < 15) { exclusive.EnterWriteLock(); try { Exclusive(); } finally { exclusive.ExitWriteLock(); } return; }
            exclusive.EnterReadLock();
            try { Shared(r); } finally { exclusive.ExitReadLock(); }
        }

        private void Shared(int r)
        {
            // At most a few hundred blocks live a thread, so the run's memory stays bounded however long it goes.
            if (_live.Count == 0 || (r < 280 && _live.Count < 400)) { nuint n = Size(); Add(EbbMemory.Alloc(n), n, null); return; }
            if (r < 560) { var b = Take(rng.Next(_live.Count)); EbbMemory.Free((void*)b.P); return; }
            if (r < 620)
            {
                int i = rng.Next(_live.Count);
                var b = Take(i);
                nuint n = Size();
                void* q = b.Heap != null ? b.Heap.Realloc((void*)b.P, n) : EbbMemory.Realloc((void*)b.P, n);
                // The first 4 KiB are filled whatever the size (all of a small block): those must have moved along.
                var kept = new Live((nint)q, Math.Min(Math.Min(n, b.Size), 4096), b.Tag, b.Heap);
                Check(kept);
                Add(q, n, b.Heap);
                return;
            }
            if (r < 680)
            {
                nuint alignment = (nuint)1 << rng.Next(4, rng.Next(10) == 0 ? 27 : 17);
                nuint n = Size();
                void* p = EbbMemory.AlignedAlloc(n, alignment);
                Assert.True(((nuint)p & (alignment - 1)) == 0, $"0x{(nuint)p:x} is not {alignment}-aligned");
                Add(p, n, null);
                return;
            }
            if (r < 720) { var b = _live[rng.Next(_live.Count)]; Assert.True(EbbMemory.UsableSize((void*)b.P) >= b.Size); return; }
            if (r < 780)
            {
                _heap ??= new EbbHeap();
                nuint n = Size();
                Add(_heap.Alloc(n), n, _heap);
                return;
            }
            if (r < 790 && _heap != null)
            {
                // Its blocks go with it: checked first, then no longer tracked.
                foreach (var b in _live.Where(b => b.Heap == _heap)) Check(b);
                _live.RemoveAll(b => b.Heap == _heap);
                _heap.Dispose();
                _heap = null;
                return;
            }
            if (r < 830)
            {
                int i = rng.Next(_live.Count);
                if (_live[i].Heap != null) return;
                handoff.Enqueue(Take(i));
                return;
            }
            if (r < 870)
            {
                if (handoff.TryDequeue(out var b)) { Check(b); if (rng.Next(2) == 0) EbbMemory.Free((void*)b.P); else _live.Add(b); }
                return;
            }
            WrongPointer(r);
        }

        private void WrongPointer(int r)
        {
            switch (r % 3)
            {
                case 0:
                {
                    void* n = NativeMemory.Alloc((nuint)rng.Next(16, 4096));
                    try
                    {
                        ExpectError(EbbErrorKind.InvalidFree, () => EbbMemory.Free(n));
                        ExpectError(EbbErrorKind.InvalidFree, () => EbbMemory.Realloc(n, 10));
                        ExpectError(EbbErrorKind.InvalidFree, () => EbbMemory.UsableSize(n));
                    }
                    finally { NativeMemory.Free(n); }
                    Interlocked.Increment(ref counts[(int)Op.Foreign]);
                    break;
                }
                case 1:
                {
                    long local = 7;
                    void* p = &local;
                    ExpectError(EbbErrorKind.InvalidFree, () => EbbMemory.Free(p));
                    Interlocked.Increment(ref counts[(int)Op.Stack]);
                    break;
                }
                default:
                {
                    if (_live.Count == 0) return;
                    var b = _live[rng.Next(_live.Count)];
                    if (b.Size < 2) return;
                    byte* inside = (byte*)b.P + 1 + rng.Next((int)Math.Min(b.Size - 1, int.MaxValue));
                    ExpectError(EbbErrorKind.InvalidFree, () => EbbMemory.Free(inside));
                    ExpectError(EbbErrorKind.InvalidFree, () => EbbMemory.Realloc(inside, 10));
                    Check(b);
                    Interlocked.Increment(ref counts[(int)Op.Interior]);
                    break;
                }
            }
        }

        // Alone (no other thread allocates): frees of freed memory.
        private void Exclusive()
        {
            switch (rng.Next(4))
            {
                case 0:
                {
                    nuint n = rng.Next(2) == 0 ? (nuint)rng.Next(128 * 1024 + 1, 4 << 20) : (nuint)rng.Next((4 << 20) + 1, 80 << 20);
                    void* p = EbbMemory.Alloc(n);
                    EbbMemory.Free(p);
                    ExpectError(EbbErrorKind.DoubleFree, () => EbbMemory.Free(p));
                    ExpectError(EbbErrorKind.DoubleFree, () => EbbMemory.UsableSize(p));
                    Interlocked.Increment(ref counts[(int)Op.FreedHugeOrLarge]);
                    break;
                }
                case 1:
                {
                    var other = new EbbHeap();
                    var blocks = Enumerable.Range(0, rng.Next(1, 6)).Select(_ => (nint)other.Alloc(Size())).ToList();
                    other.Dispose();
                    foreach (nint p in blocks) ExpectError(EbbErrorKind.DoubleFree, () => EbbMemory.Free((void*)p));
                    Interlocked.Increment(ref counts[(int)Op.DisposedHeap]);
                    break;
                }
                case 2:
                {
                    void* p = EbbMemory.Alloc((nuint)rng.Next(1, 128 * 1024 + 1));
                    EbbMemory.Free(p);
                    ExpectError(EbbErrorKind.DoubleFree, () => EbbMemory.Free(p));
                    Interlocked.Increment(ref counts[(int)Op.ImmediateDoubleFree]);
                    break;
                }
                default:
                {
                    nuint n = (nuint)rng.Next(1, 128 * 1024 + 1);
                    void* p = EbbMemory.Alloc(n), q = EbbMemory.Alloc(n);
                    EbbMemory.Free(p);
                    EbbMemory.Free(q);
                    ExpectError(EbbErrorKind.DoubleFree, () => EbbMemory.Free(p));
                    Interlocked.Increment(ref counts[(int)Op.SmallDoubleFreeLater]);
                    break;
                }
            }
        }

        public void FreeAll()
        {
            while (_live.Count > 0)
            {
                var b = Take(_live.Count - 1);
                if (b.Heap == null) EbbMemory.Free((void*)b.P);
            }
            _heap?.Dispose();
            _heap = null;
        }
    }
}
