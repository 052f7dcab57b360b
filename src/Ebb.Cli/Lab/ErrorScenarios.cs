using System.Runtime.CompilerServices;

namespace Ebb.Cli.Lab;

/// <summary>
/// The classic heap mistakes, each as a method that makes it with <see cref="EbbMemory"/>,
/// plus two self-checks (a clean program and a multi-threaded stress) that must produce no
/// report in any mode. <c>ebb lab errors</c> runs each in a child process under the mode
/// that catches it. The methods are not inlined, so the reports name them as the allocator.
/// </summary>
internal static unsafe class ErrorScenarios
{
    /// <summary>One scenario: the mistake, the environment that catches it, what catches it, and the code.</summary>
    internal sealed record Scenario(string Name, string Mistake, string Mode, string CaughtBy, Action Run, bool Classic = true)
    {
        /// <summary>The environment variables of <see cref="Mode"/> (<c>NAME=VALUE</c> pairs separated by spaces).</summary>
        public IEnumerable<(string Name, string Value)> Environment =>
            Mode.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2)).Select(kv => (kv[0], kv[1]));
    }

    /// <summary>The classic list, in its usual order, then the self-checks.</summary>
    internal static readonly Scenario[] s_all =
    [
        new("no-alloc", "forgetting to allocate: writing through a pointer never set", "",
            "the runtime: the access hits the unmapped first page and becomes a NullReferenceException", NoAlloc),
        new("overflow", "allocating too little: writing 1 byte past a 13-byte block", "EBB_CHECK=1",
            "checked mode: the redzone after the block is changed, found at free", Overflow),
        new("overflow-guard", "the same overflow, under guard pages", "EBB_GUARD=all",
            "guarded mode: the block ends at an inaccessible page; the write faults at that instruction", Overflow),
        new("underflow", "writing 1 byte before a block", "EBB_CHECK=1",
            "checked mode: the redzone before the block is changed, found at free", Underflow),
        new("uninit", "not initializing: reading a block before writing it", "EBB_CHECK=1",
            "checked mode: new blocks are filled with 0xAA, so the read shows junk instead of a plausible zero", Uninitialized),
        new("leak", "forgetting to free", "EBB_CHECK=1 EBB_LEAKS=1",
            "checked mode's live table: the leak report at exit (the exit code is left alone)", Leak),
        new("use-after-free", "freeing too early: writing to a block after freeing it", "EBB_GUARD=all",
            "guarded mode: freed pages are made inaccessible; the write faults at that instruction", UseAfterFree),
        new("use-after-free-closed", "the same write after free, once the freed slot is closed", "EBB_GUARD=sample:1",
            "sampled mode: the guard thread closes a freed slot within milliseconds (Validate() does it at once); the write then faults at that instruction",
            UseAfterFreeOnceClosed, Classic: false),
        new("use-after-free-checked", "the same write after free, in checked mode", "EBB_CHECK=1",
            "checked mode: the freed block waits in quarantine filled with 0xDD; Validate() finds the change", UseAfterFreeThenValidate),
        new("double-free", "freeing twice", "EBB_CHECK=1",
            "checked mode's block states: the second free finds the block already freed", DoubleFree),
        new("invalid-free", "freeing a pointer into the middle of a block", "",
            "release mode: the allocator refuses a pointer that is not the start of a block it handed out", InvalidFree),
        new("read-overflow", "reading 1 byte past a block", "EBB_GUARD=all", "guarded mode", ReadOverflow, Classic: false),
        new("overflow-16", "writing 1 byte past a 16-byte block", "EBB_GUARD=sample:1",
            "sampled mode: a 16-byte block ends at its slot's guard page (smaller ones end 1–15 bytes before it, 16-byte aligned, and are checked at free); the write faults at that instruction",
            Overflow16, Classic: false),
        new("realloc-freed", "reallocating a freed block", "EBB_CHECK=1", "checked mode", ReallocFreed, Classic: false),
        new("clean", "a correct program", "", "nothing to catch", Clean, Classic: false),
        new("stress", "a correct multi-threaded program", "", "nothing to catch", Stress, Classic: false),
    ];

    /// <summary>The scenario called <paramref name="name"/>, or null.</summary>
    internal static Scenario? Find(string name) => s_all.FirstOrDefault(s => s.Name == name);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void NoAlloc()
    {
        byte* p = Unset();
        p[8] = 42;
    }

    // A pointer that was never given a block: null, as an uninitialised field would be.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte* Unset() => null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Overflow()
    {
        byte* p = (byte*)EbbMemory.Alloc(13);
        for (int i = 0; i <= 13; i++) p[i] = (byte)'x'; // <= : one byte too many
        EbbMemory.Free(p);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Overflow16()
    {
        byte* p = (byte*)EbbMemory.Alloc(16);
        for (int i = 0; i <= 16; i++) p[i] = (byte)'x'; // <= : one byte too many
        EbbMemory.Free(p);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ReadOverflow()
    {
        byte* p = (byte*)EbbMemory.Alloc(13);
        int sum = 0;
        for (int i = 0; i <= 13; i++) sum += p[i];
        Console.WriteLine(sum);
        EbbMemory.Free(p);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Underflow()
    {
        byte* p = (byte*)EbbMemory.Alloc(32);
        p[-1] = 0;
        EbbMemory.Free(p);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Uninitialized()
    {
        int* counter = (int*)EbbMemory.Alloc(sizeof(int));
        Console.WriteLine($"a new int block reads 0x{*counter:x8} before anything was written to it");
        EbbMemory.Free(counter);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Leak()
    {
        for (int i = 0; i < 3; i++) EbbMemory.Alloc(100);
        EbbMemory.Alloc(24);
        Console.WriteLine("allocated 3 x 100 bytes and 24 bytes, freed nothing, exiting normally");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UseAfterFree()
    {
        byte* p = (byte*)EbbMemory.Alloc(13);
        EbbMemory.Free(p);
        p[3] = 1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UseAfterFreeOnceClosed()
    {
        byte* p = (byte*)EbbMemory.Alloc(13);
        EbbMemory.Free(p);
        EbbMemory.Validate();
        p[3] = 1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UseAfterFreeThenValidate()
    {
        byte* p = (byte*)EbbMemory.Alloc(13);
        EbbMemory.Free(p);
        p[3] = 1;
        EbbMemory.Validate();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DoubleFree()
    {
        byte* p = (byte*)EbbMemory.Alloc(13);
        EbbMemory.Free(p);
        EbbMemory.Free(p);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void InvalidFree()
    {
        byte* p = (byte*)EbbMemory.Alloc(64);
        EbbMemory.Free(p + 8);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ReallocFreed()
    {
        byte* p = (byte*)EbbMemory.Alloc(13);
        EbbMemory.Free(p);
        EbbMemory.Realloc(p, 100);
    }

    // Every public allocation call, used correctly: must print no report in any mode.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Clean()
    {
        var blocks = new List<nint>();
        foreach (nuint size in new nuint[] { 0, 1, 13, 16, 100, 4096, 5000, 70_000 })
        {
            byte* p = (byte*)EbbMemory.Alloc(size);
            new Span<byte>(p, (int)size).Fill(1);
            blocks.Add((nint)p);
            byte* z = (byte*)EbbMemory.AllocZeroed(size);
            if (new Span<byte>(z, (int)size).IndexOfAnyExcept((byte)0) >= 0) throw new InvalidOperationException("AllocZeroed gave non-zero bytes");
            blocks.Add((nint)z);
        }
        byte* a = (byte*)EbbMemory.AlignedAlloc(24, 64);
        if ((nuint)a % 64 != 0) throw new InvalidOperationException("AlignedAlloc broke its alignment");
        a[23] = 1;
        EbbMemory.AlignedFree(a);
        byte* r = (byte*)EbbMemory.Alloc(10);
        for (int i = 0; i < 10; i++) r[i] = (byte)i;
        r = (byte*)EbbMemory.Realloc(r, 10_000);
        for (int i = 0; i < 10; i++) if (r[i] != i) throw new InvalidOperationException("Realloc lost contents");
        r = (byte*)EbbMemory.Realloc(r, 5);
        if (EbbMemory.UsableSize(r) < 5) throw new InvalidOperationException("UsableSize too small");
        EbbMemory.Free(r);
        EbbMemory.Free(null);
        // A block from an EbbHeap (never checked) may be freed with EbbMemory.Free in any mode,
        // and a block from EbbMemory (checked or guarded in those modes) handed to the heap's
        // Free, Realloc and UsableSize: they are the same calls.
        using (var heap = new EbbHeap())
        {
            byte* h = (byte*)heap.Alloc(100);
            h[99] = 1;
            EbbMemory.Free(h);
            byte* m = (byte*)EbbMemory.Alloc(13);
            m[12] = 7;
            if (heap.UsableSize(m) < 13) throw new InvalidOperationException("EbbHeap.UsableSize too small");
            m = (byte*)heap.Realloc(m, 3000);
            if (m[12] != 7) throw new InvalidOperationException("EbbHeap.Realloc lost contents");
            heap.Free(m);
            byte* g = (byte*)heap.Alloc(50);
            g = (byte*)EbbMemory.Realloc(g, 5000);
            heap.AlignedFree(g);
        }
        foreach (var p in blocks) EbbMemory.Free((void*)p);
        EbbMemory.Validate();
        Console.WriteLine("clean: done");
    }

    // A reduced version of the allocator's stress test: threads allocating, writing a pattern,
    // reallocating, and freeing each other's blocks; contents verified before every free.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Stress()
    {
        const int Threads = 4, Ops = 20_000;
        var handoff = new System.Collections.Concurrent.ConcurrentQueue<(nint P, int Size, byte Tag)>();
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var rng = new Random(t + 1);
            var mine = new List<(nint P, int Size, byte Tag)>();
            for (int i = 0; i < Ops; i++)
            {
                int op = rng.Next(10);
                if (op < 5 || mine.Count == 0)
                {
                    int size = rng.Next(4) == 0 ? rng.Next(1, 20_000) : rng.Next(1, 300);
                    byte tag = (byte)rng.Next(1, 255);
                    byte* p = (byte*)EbbMemory.Alloc((nuint)size);
                    new Span<byte>(p, size).Fill(tag);
                    mine.Add(((nint)p, size, tag));
                }
                else
                {
                    int k = rng.Next(mine.Count);
                    var b = mine[k];
                    mine[k] = mine[^1];
                    mine.RemoveAt(mine.Count - 1);
                    Verify(b);
                    if (op == 5)
                    {
                        int size = rng.Next(1, 2000);
                        byte* q = (byte*)EbbMemory.Realloc((void*)b.P, (nuint)size);
                        int kept = Math.Min(size, b.Size);
                        if (new Span<byte>(q, kept).IndexOfAnyExcept(b.Tag) >= 0) throw new InvalidOperationException("realloc lost contents");
                        new Span<byte>(q, size).Fill(b.Tag);
                        mine.Add(((nint)q, size, b.Tag));
                    }
                    else if (op < 8) handoff.Enqueue(b); // freed by whichever thread dequeues it
                    else EbbMemory.Free((void*)b.P);
                }
                if (handoff.TryDequeue(out var other)) { Verify(other); EbbMemory.Free((void*)other.P); }
            }
            foreach (var b in mine) { Verify(b); EbbMemory.Free((void*)b.P); }
        })).ToList();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        while (handoff.TryDequeue(out var b)) { Verify(b); EbbMemory.Free((void*)b.P); }

        // Threads that die holding blocks (their heaps are abandoned), then an EbbHeap used and
        // disposed beside them: its Dispose must give back its own blocks and nothing else.
        var orphans = new System.Collections.Concurrent.ConcurrentQueue<(nint P, int Size, byte Tag)>();
        var dying = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            var rng = new Random(100 + t);
            for (int i = 0; i < Ops / 2; i++)
            {
                int size = rng.Next(1, 3000);
                byte tag = (byte)rng.Next(1, 255);
                byte* p = (byte*)EbbMemory.Alloc((nuint)size);
                new Span<byte>(p, size).Fill(tag);
                if (i % 3 == 0) orphans.Enqueue(((nint)p, size, tag)); else EbbMemory.Free(p);
            }
        })).ToList();
        foreach (var d in dying) d.Start();
        foreach (var d in dying) d.Join();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using (var heap = new EbbHeap())
        {
            var rng = new Random(7);
            for (int i = 0; i < Ops; i++)
            {
                int size = rng.Next(1, 3000);
                byte* p = (byte*)heap.Alloc((nuint)size);
                new Span<byte>(p, size).Fill(0xEE);
                if (i % 10 != 0) EbbMemory.Free(p); // the rest go with Dispose
            }
        }
        while (orphans.TryDequeue(out var b)) { Verify(b); EbbMemory.Free((void*)b.P); }
        EbbMemory.Validate();
        Console.WriteLine($"stress: {Threads} threads x {Ops} operations, 2 threads dead holding blocks, an EbbHeap disposed; contents verified");

        static void Verify((nint P, int Size, byte Tag) b)
        {
            if (new Span<byte>((void*)b.P, b.Size).IndexOfAnyExcept(b.Tag) >= 0)
                throw new InvalidOperationException("a block's contents changed under it");
        }
    }
}
