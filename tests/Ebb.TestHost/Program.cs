using System.Globalization;
using Ebb;
using Ebb.Os;

// Scenarios for the allocator tests that need a process of their own. Each prints
// `key=value` lines the test parses, and exits 0 when the scenario ran to its end
// (the test decides whether the figures pass).
return args.Length == 1 ? Scenarios.Run(args[0]) : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: Ebb.TestHost rss-trim|rss-delay|oom|address-space|idle|oom-trim|thread-death|thread-churn|brk|sampled-alignment|dispose-race|aligned-rss|check-overflow|heap-overflow|heap-dispose|heap-apis|uaf-read|leak|sampled-realloc");
    return 2;
}

internal static unsafe class Scenarios
{
    public static int Run(string name)
    {
        switch (name)
        {
            case "rss-trim": return Rss(trim: true);
            case "rss-delay": return Rss(trim: false);
            case "oom": return OutOfMemory();
            case "thread-death": return ThreadDeath();
            case "thread-churn": return ThreadChurn();
            case "brk": return Brk();
            case "sampled-alignment": return SampledAlignment();
            case "oom-trim": return OutOfMemoryThenTrim();
            case "dispose-race": return DisposeRace();
            case "aligned-rss": return AlignedRss();
            case "address-space": return AddressSpace();
            case "idle": return Idle();
            case "huge-reuse": return HugeReuse();
            default:
                if (CheckScenarios.Run(name) is int code) return code;
                Console.Error.WriteLine($"Ebb.TestHost: unknown scenario '{name}'");
                return 2;
        }
    }

    private static long RssAnonKiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(8).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
        throw new InvalidOperationException("no RssAnon in /proc/self/status");
    }

    private static void Print(string key, long value) => Console.WriteLine($"{key}={value}");

    /// <summary>A .NET process that never touches Ebb: `ready`, then waits until stdin closes.</summary>
    private static int Idle()
    {
        Console.WriteLine("ready");
        Console.Out.Flush();
        Console.In.ReadToEnd();
        return 0;
    }

    /// <summary>
    /// For `ebb map PID`: small, large and huge blocks held, then the ranges Ebb says it holds
    /// (region=START-END KIND, hex), `ready`, and the blocks kept until stdin closes.
    /// </summary>
    private static int AddressSpace()
    {
        var blocks = new List<nint>();
        foreach (nuint size in new nuint[] { 64, 4096, 256 << 10, 8 << 20, 12 << 20 })
        {
            byte* p = (byte*)EbbMemory.Alloc(size);
            new Span<byte>(p, (int)Math.Min(size, 1 << 20)).Fill(1);
            blocks.Add((nint)p);
        }
        foreach (var r in EbbAddressSpace.Regions()) Console.WriteLine($"region={r.Start:x}-{r.End:x} {r.Kind}");
        // Ready once the purge thread's start-up has run, so a test that looks for what it
        // loads (or does not) sees its result, not a start-up still to come.
        var wait = System.Diagnostics.Stopwatch.StartNew();
        while (!Ebb.DotNetHost.Startup.BackgroundStartRan && wait.ElapsedMilliseconds < 30_000) Thread.Sleep(5);
        Console.WriteLine(Ebb.DotNetHost.Startup.BackgroundStartRan ? "background-start=ran" : "background-start=not-run");
        Console.WriteLine("ready");
        Console.Out.Flush();
        Console.In.ReadToEnd();
        foreach (nint p in blocks) EbbMemory.Free((void*)p);
        return 0;
    }

    /// <summary>256 MiB of small blocks, written, then freed; RSS back down after Trim or after the purge delay.</summary>
    private static int Rss(bool trim)
    {
        const long total = 256L << 20;
        var sizes = new nuint[] { 16, 48, 64, 100, 256, 512, 1000 };
        // Warm up the runtime and the allocator so the start figure is steady.
        EbbMemory.Free(EbbMemory.Alloc(64));
        _ = EbbMemory.GetStats().ToString();
        GC.Collect();
        long start = RssAnonKiB();
        // The pointers live in an Ebb block too, so the figures are the allocator's alone (no GC heap).
        const int maxBlocks = 8 << 20;
        nint* blocks = (nint*)EbbMemory.Alloc(maxBlocks, (nuint)sizeof(nint));
        long bytes = 0;
        int n = 0;
        while (bytes < total && n < maxBlocks)
        {
            nuint size = sizes[n % sizes.Length];
            byte* p = (byte*)EbbMemory.Alloc(size);
            new Span<byte>(p, (int)size).Fill(0x5A);
            blocks[n++] = (nint)p;
            bytes += (long)size;
        }
        long peak = RssAnonKiB();
        for (int i = 0; i < n; i++) EbbMemory.Free((void*)blocks[i]);
        EbbMemory.Free(blocks);
        long afterFree = RssAnonKiB();
        long after;
        if (trim)
        {
            EbbMemory.Trim();
            after = RssAnonKiB();
        }
        else
        {
            // No call into Ebb: the purge thread must do it. Wait up to 3 s.
            var until = Environment.TickCount64 + 3000;
            do
            {
                Thread.Sleep(50);
                after = RssAnonKiB();
            } while (after - start > 16 * 1024 && Environment.TickCount64 < until);
        }
        var stats = EbbMemory.GetStats();
        Print("start_kib", start);
        Print("peak_kib", peak);
        Print("after_free_kib", afterFree);
        Print("after_kib", after);
        Print("madvise_calls", OsCounters.Calls(OsCall.Madvise));
        Print("purged_bytes", stats.PurgedBytes);
        return 0;
    }

    /// <summary>Run under EBB_GUARD=sample:1: blocks of every size from 0 to 100 bytes, sampled ones included, are 16-byte aligned.</summary>
    private static int SampledAlignment()
    {
        var blocks = new List<nint>();
        int sampled = 0, misaligned = 0, sampledOdd = 0;
        for (int round = 0; round < 20 && sampled < 64; round++)
        {
            for (nuint size = 0; size <= 100; size++)
            {
                void* p = EbbMemory.Alloc(size);
                if (((nuint)p & 15) != 0) misaligned++;
                if (Ebb.Checks.Checker.InSampledPool(p))
                {
                    sampled++;
                    if (size % 16 != 0) sampledOdd++;
                }
                blocks.Add((nint)p);
            }
            foreach (var p in blocks) EbbMemory.Free((void*)p);
            blocks.Clear();
            Thread.Sleep(20); // the guard thread closes the freed slots and readies others
        }
        Print("sampled", sampled);
        Print("sampled_not_multiple_of_16", sampledOdd);
        Print("misaligned", misaligned);
        return 0;
    }

    /// <summary>Run under a small ulimit -v: TryAlloc gives null, Alloc throws, and the heap goes on working.</summary>
    private static int OutOfMemory()
    {
        var held = new List<nint>();
        int tries = 0;
        while (tries++ < 100_000)
        {
            void* p = EbbMemory.TryAlloc(16 << 20);
            if (p == null) break;
            ((byte*)p)[0] = 1;
            held.Add((nint)p);
        }
        Print("huge_blocks_before_null", held.Count);
        Print("try_alloc_gave_null", tries < 100_000 ? 1 : 0);
        int threw = 0;
        try { EbbMemory.Alloc(16 << 20); }
        catch (OutOfMemoryException) { threw = 1; }
        Print("alloc_threw", threw);
        // Small blocks until the arena cannot grow either.
        var small = new List<nint>();
        while (small.Count < 50_000_000)
        {
            void* p = EbbMemory.TryAlloc(1000);
            if (p == null) break;
            small.Add((nint)p);
        }
        Print("small_blocks_before_null", small.Count);
        foreach (var p in held) EbbMemory.Free((void*)p);
        foreach (var p in small) EbbMemory.Free((void*)p);
        EbbMemory.Trim();
        // The heap goes on working.
        int ok = 1;
        for (int i = 0; i < 1000; i++)
        {
            byte* p = (byte*)EbbMemory.Alloc((nuint)(i % 500 + 1));
            p[0] = (byte)i;
            if (p[0] != (byte)i) ok = 0;
            EbbMemory.Free(p);
        }
        void* big = EbbMemory.Alloc(16 << 20);
        EbbMemory.Free(big);
        // Without the flat page map every free takes the slow path: it must still refuse a bad pointer.
        byte* block = (byte*)EbbMemory.Alloc(64);
        int refused = 0;
        try { EbbMemory.Free(block + 16); }
        catch (EbbMemoryException e) when (e.Kind == EbbErrorKind.InvalidFree) { refused = 1; }
        EbbMemory.Free(block);
        EbbMemory.Validate();
        Print("works_after", ok);
        Print("interior_free_refused", refused);
        // 16 GiB of address space does not fit under this ulimit: the page map falls back.
        Print("flat_page_map", Ebb.Arena.PageMap.Flat ? 1 : 0);
        return 0;
    }

    /// <summary>Threads allocate and die holding blocks; the blocks are freed later here; their pages must be swept back.</summary>
    private static int ThreadDeath()
    {
        const int threads = 8, perThread = 20_000;
        var blocks = new nint[threads][];
        var ts = new List<Thread>();
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            var th = new Thread(() =>
            {
                var mine = new nint[perThread];
                for (int i = 0; i < perThread; i++)
                {
                    int* p = (int*)EbbMemory.Alloc((nuint)(16 + (i % 32) * 8));
                    p[0] = id;
                    p[1] = i;
                    mine[i] = (nint)p;
                }
                blocks[id] = mine;
            });
            th.Start();
            ts.Add(th);
        }
        ts.ForEach(t => t.Join());
        ts.Clear();
        // No GC: the thread-exit hook hands the dead heaps to the purge thread, which gives them
        // up after the purge delay (no new thread came to take them over).
        EbbStats abandoned;
        var deadline = Environment.TickCount64 + 5000;
        do
        {
            Thread.Sleep(20);
            abandoned = EbbMemory.GetStats();
        } while (abandoned.AbandonedPages == 0 && Environment.TickCount64 < deadline);
        Print("abandoned_pages", abandoned.AbandonedPages);
        Print("in_use_blocks_dead", abandoned.InUseBlocks);
        int bad = 0;
        for (int t = 0; t < threads; t++)
            for (int i = 0; i < perThread; i++)
            {
                int* p = (int*)blocks[t][i];
                if (p[0] != t || p[1] != i) bad++;
                EbbMemory.Free(p);
            }
        Print("corrupt_blocks", bad);
        // The purge thread sweeps abandoned pages on its beat (about a second).
        var until = Environment.TickCount64 + 5000;
        EbbStats s;
        do
        {
            Thread.Sleep(100);
            s = EbbMemory.GetStats();
        } while (s.AbandonedPages > 0 && Environment.TickCount64 < until);
        Print("abandoned_pages_after", s.AbandonedPages);
        Print("in_use_blocks_after", s.InUseBlocks);
        EbbMemory.Validate();
        return 0;
    }

    /// <summary>
    /// Threads that come and go, two at a time, with no GC at all (a no-GC region: no finalizer can
    /// run): each allocates about 2 MiB in blocks of 16 B–8 KiB, tags them, frees most, frees the
    /// blocks the previous thread left live (every such free is a remote free into a dead thread's
    /// page) and leaves 256 of its own for the next; each also allocates from one shared EbbHeap.
    /// Committed memory after 100 and after 1000 threads; tags intact; Validate.
    /// </summary>
    private static int ThreadChurn()
    {
        const int totalThreads = 1000, leave = 256;
        bool noGc = GC.TryStartNoGCRegion(128L << 20);
        Print("no_gc_region", noGc ? 1 : 0);
        int gcBefore = GC.CollectionCount(0);
        using var shared = new EbbHeap();
        var handoff = new System.Collections.Concurrent.ConcurrentQueue<nint[]>();
        int bad = 0;
        long committed100 = 0;
        for (int started = 0; started < totalThreads; started += 2)
        {
            var pair = new Thread[2];
            for (int k = 0; k < 2; k++)
            {
                int id = started + k;
                pair[k] = new Thread(() =>
                {
                    var rng = new Random(id);
                    if (handoff.TryDequeue(out var theirs))
                        foreach (nint b in theirs)
                        {
                            if (*(long*)b != b) Interlocked.Increment(ref bad);
                            EbbMemory.Free((void*)b);
                        }
                    var mine = new nint[leave];
                    long bytes = 0;
                    int kept = 0;
                    nint* batch = stackalloc nint[64];
                    while (bytes < (2 << 20))
                    {
                        for (int i = 0; i < 64; i++)
                        {
                            nuint size = (nuint)(16 << rng.Next(0, 10));
                            long* p = (long*)EbbMemory.Alloc(size);
                            *p = (nint)p;
                            batch[i] = (nint)p;
                            bytes += (long)size;
                        }
                        for (int i = 0; i < 64; i++)
                        {
                            if (kept < leave && i % 16 == 0) { mine[kept++] = batch[i]; continue; }
                            if (*(long*)batch[i] != batch[i]) Interlocked.Increment(ref bad);
                            EbbMemory.Free((void*)batch[i]);
                        }
                        void* h = shared.Alloc((nuint)(32 + rng.Next(0, 2000)));
                        shared.Free(h);
                    }
                    handoff.Enqueue(mine[..kept]);
                });
                pair[k].Start();
            }
            foreach (var t in pair) t.Join();
            if (started + 2 == 100) committed100 = EbbMemory.GetStats().CommittedBytes;
        }
        long committed1000 = EbbMemory.GetStats().CommittedBytes;
        Print("hooked", Ebb.Heap.DeadHeaps.Hooked ? 1 : 0);
        Print("committed_100", committed100);
        Print("committed_1000", committed1000);
        Print("gc_count", GC.CollectionCount(0) - gcBefore);
        if (noGc && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        // The blocks the last threads left are still live and can be freed from here.
        while (handoff.TryDequeue(out var rest))
            foreach (nint b in rest)
            {
                if (*(long*)b != b) bad++;
                EbbMemory.Free((void*)b);
            }
        Print("corrupt_blocks", bad);
        EbbMemory.Validate();
        Print("validated", 1);
        return 0;
    }

    /// <summary>EBB_PAGE_SOURCE=brk: the break moves up; a live block on top pins it; freeing everything lets it come down.</summary>
    private static int Brk()
    {
        nint brk0 = OsMemory.CurrentBreak;
        var low = new List<nint>();
        for (int i = 0; i < 200_000; i++) low.Add((nint)EbbMemory.Alloc(200)); // ~40 MiB: more than one chunk
        nint brk1 = OsMemory.CurrentBreak;
        Print("break_growth", brk1 - brk0);
        Print("block_below_break", low.TrueForAll(p => p >= brk0 && p < brk1) ? 1 : 0);
        void* top = EbbMemory.Alloc(200); // in the top chunk
        foreach (var p in low) EbbMemory.Free((void*)p);
        long madvBefore = OsCounters.Calls(OsCall.Madvise);
        EbbMemory.Trim();
        nint withTopLive = OsMemory.CurrentBreak;
        Print("break_after_trim_with_top_live", withTopLive - brk0);
        Print("madvise_calls_for_lower", OsCounters.Calls(OsCall.Madvise) - madvBefore);
        EbbMemory.Free(top);
        EbbMemory.Trim();
        nint allFree = OsMemory.CurrentBreak;
        Print("break_after_trim_all_free", allFree - brk0);
        // The break did not come down and does not end where Ebb's chunks end: glibc's own heap
        // (which this process's JIT and console use) grew above the top chunk, which pins it.
        Print("break_moved_by_others", allFree == withTopLive && allFree != brk1 ? 1 : 0);
        EbbMemory.Validate();
        return 0;
    }

    private static long VmSizeKiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmSize:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(7).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
        throw new InvalidOperationException("no VmSize in /proc/self/status");
    }

    /// <summary>Run under ulimit -v: 64 MiB blocks until OutOfMemoryException, all freed, Trim, the same again; the address space must come back.</summary>
    private static int OutOfMemoryThenTrim()
    {
        // Pointers kept in a preallocated managed array, so the GC heap does not grow between the rounds.
        var held = new nint[4096];
        Print("warm_up", VmSizeKiB());
        GC.Collect();
        // Before Ebb's first use: every byte Ebb reserves from here on must come back.
        long start = VmSizeKiB();
        Print("start_vmsize_kib", start);
        if (Environment.GetEnvironmentVariable("EBB_TEST_SHOW_MAPS") == "1")
            foreach (var line in File.ReadLines("/proc/self/maps")) Console.Error.WriteLine(line);
        for (int i = 0; i < 100; i++) EbbMemory.Free(EbbMemory.Alloc((nuint)(i * 3000 + 1)));
        for (int round = 1; round <= 2; round++)
        {
            int n = 0;
            try
            {
                while (n < held.Length)
                {
                    byte* p = (byte*)EbbMemory.Alloc(64 << 20);
                    p[0] = 1;
                    held[n++] = (nint)p;
                }
            }
            catch (OutOfMemoryException)
            {
            }
            Print($"blocks_{round}", n);
            Print($"peak_vmsize_kib_{round}", VmSizeKiB());
            for (int i = 0; i < n; i++) EbbMemory.Free((void*)held[i]);
            EbbMemory.Trim();
            Print($"after_vmsize_kib_{round}", VmSizeKiB());
            Print($"reserved_after_{round}", EbbMemory.GetStats().ReservedBytes);
            if (Environment.GetEnvironmentVariable("EBB_TEST_SHOW_MAPS") == "1")
                foreach (var line in File.ReadLines("/proc/self/maps")) Console.Error.WriteLine(line);
        }
        // Small and large blocks still work after their chunks went back.
        for (int i = 0; i < 100; i++) EbbMemory.Free(EbbMemory.Alloc((nuint)(i * 3000 + 1)));
        EbbMemory.Validate();
        return 0;
    }

    /// <summary>
    /// EbbHeap.Dispose on one thread while others free that heap's blocks (1 in 100 huge, the
    /// ones Dispose unmaps): each free succeeds or throws EbbMemoryException, the process never faults.
    /// </summary>
    private static int DisposeRace()
    {
        const int perRound = 1000;
        int rounds = 0, freed = 0, refused = 0, wrongKind = 0;
        var rng = new Random(12345);
        var until = Environment.TickCount64 + 4000;
        while (Environment.TickCount64 < until && rounds < 300)
        {
            rounds++;
            var heap = new EbbHeap();
            var blocks = new nint[perRound];
            var huge = new List<nint>();
            for (int i = 0; i < blocks.Length; i++)
            {
                nuint size = (i % 100) switch
                {
                    0 => (nuint)rng.Next(5 << 20, 9 << 20),
                    1 or 2 => (nuint)rng.Next(200_000, 2 << 20),
                    _ => (nuint)rng.Next(1, 3000),
                };
                blocks[i] = (nint)heap.Alloc(size);
                if (size > (4 << 20)) huge.Add(blocks[i]);
            }
            rng.Shuffle(blocks);
            int disposed = 0;
            void Count(Action free)
            {
                try
                {
                    free();
                    Interlocked.Increment(ref freed);
                }
                catch (EbbMemoryException e)
                {
                    Interlocked.Increment(ref refused);
                    if (e.Kind is not (EbbErrorKind.DoubleFree or EbbErrorKind.InvalidFree)) Interlocked.Increment(ref wrongKind);
                }
            }
            using var go = new Barrier(3);
            // One thread frees every block once; the other keeps asking the huge ones' size while
            // Dispose unmaps them, so its lookups land in the moment a header goes.
            var all = new Thread(() =>
            {
                go.SignalAndWait();
                foreach (nint p in blocks) Count(() => EbbMemory.Free((void*)p));
            });
            var hugeOnly = new Thread(() =>
            {
                go.SignalAndWait();
                var left = new List<nint>(huge);
                while (left.Count > 0)
                {
                    for (int i = left.Count - 1; i >= 0; i--)
                    {
                        try { EbbMemory.UsableSize((void*)left[i]); }
                        catch (EbbMemoryException e)
                        {
                            // Gone: asked no more, so the loop stays on the blocks still there.
                            if (e.Kind is not (EbbErrorKind.DoubleFree or EbbErrorKind.InvalidFree)) Interlocked.Increment(ref wrongKind);
                            left.RemoveAt(i);
                        }
                    }
                    if (Volatile.Read(ref disposed) != 0) break;
                }
            });
            all.Start();
            hugeOnly.Start();
            go.SignalAndWait();
            Thread.SpinWait(rng.Next(0, 2000));
            heap.Dispose();
            Volatile.Write(ref disposed, 1);
            all.Join();
            hugeOnly.Join();
        }
        EbbMemory.Trim();
        EbbMemory.Validate();
        Print("rounds", rounds);
        Print("freed", freed);
        Print("refused", refused);
        Print("wrong_kind", wrongKind);
        return 0;
    }

    /// <summary>Blocks aligned to 256 MiB and 1 GiB, live and then freed: the slack the alignment leaves must not become resident.</summary>
    private static int AlignedRss()
    {
        EbbMemory.Free(EbbMemory.AlignedAlloc(16, 4096));
        long start = RssAnonKiB(), peak = start;
        foreach (int shift in new[] { 28, 30 })
            foreach (nuint size in new nuint[] { 1, 3000 })
            {
                byte* p = (byte*)EbbMemory.AlignedAlloc(size, (nuint)1 << shift);
                p[0] = 1;
                p[size - 1] = 2;
                peak = Math.Max(peak, RssAnonKiB());
                EbbMemory.Free(p);
                peak = Math.Max(peak, RssAnonKiB());
            }
        Print("rss_growth_kib", peak - start);
        return 0;
    }

    /// <summary>
    /// A freed huge block's mapping waits dirty for the purge delay: allocated again at once, it is
    /// the same mapping with its pages still resident (no fault-in), zeroed only when asked; after
    /// the delay, with no call into Ebb, its pages go back.
    /// </summary>
    private static int HugeReuse()
    {
        const int size = 8 << 20;
        EbbMemory.Free(EbbMemory.Alloc(64));
        long start = RssAnonKiB();
        byte* a = (byte*)EbbMemory.Alloc(size);
        new Span<byte>(a, size).Fill(0x5A);
        long filled = RssAnonKiB();
        EbbMemory.Free(a);
        long afterFree = RssAnonKiB();
        byte* b = (byte*)EbbMemory.AllocZeroed(size);
        long zeroSeen = 0;
        for (int i = 0; i < size; i += 4096) if (b[i] == 0 && b[i + 4095] == 0) zeroSeen++;
        EbbMemory.Free(b);
        byte* c = (byte*)EbbMemory.Alloc(size);
        long resident = RssAnonKiB();
        EbbMemory.Free(c);
        long after = RssAnonKiB();
        var until = Environment.TickCount64 + 3000;
        while (after - start > 2048 && Environment.TickCount64 < until)
        {
            Thread.Sleep(20);
            after = RssAnonKiB();
        }
        Print("start_kib", start);
        Print("filled_kib", filled);
        Print("after_free_kib", afterFree);
        Print("same_mapping", a == b && b == c ? 1 : 0);
        Print("zero_pages", zeroSeen);
        Print("pages", size / 4096);
        Print("reused_resident_kib", resident);
        Print("after_delay_kib", after);
        Print("pending_purge_end", EbbMemory.GetStats().PendingPurgeBytes);
        return 0;
    }
}
