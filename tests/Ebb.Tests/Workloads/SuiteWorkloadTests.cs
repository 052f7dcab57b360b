using Ebb.Benchmarks.Contenders;
using Ebb.Benchmarks.Workloads.Suite;
using Ebb.Tests.Allocator;

namespace Ebb.Tests.Workloads;

/// <summary>
/// The multi-threaded suite's workloads (their sources are compiled into this project) at a
/// small scale, against Ebb in this process: every block they allocate is freed, every tag
/// survives, the heap validates, and Ebb's in-use bytes come back to where they were. And the
/// tags do catch a write into a live block, so a passing run means something.
/// </summary>
// Serial: the in-use figure is process-wide, which other tests move.
[Collection(nameof(AllocatorSerial))]
public unsafe class SuiteWorkloadTests
{
    /// <summary>Scale per workload: each run a fraction of a second.</summary>
    private static readonly Dictionary<string, double> s_scales = new()
    {
        ["larson"] = 0.1,
        ["xmalloc-test"] = 0.1,
        ["mstress"] = 0.1,
        ["mstress-200"] = 0.02,
        ["rptest"] = 0.02,
        ["alloc-test1"] = 0.02,
        ["alloc-testN"] = 0.02,
        ["cache-scratch1"] = 0.02,
        ["cache-scratchN"] = 0.02,
        ["cache-thrash1"] = 0.02,
        ["cache-thrashN"] = 0.02,
        ["glibc-simple"] = 0.02,
        ["glibc-thread"] = 0.1,
    };

    /// <summary>Ebb's in-use bytes may end this far above the start (blocks of the test runner's own threads come and go).</summary>
    private const long InUseSlack = 256 << 10;

    public static TheoryData<string> Names() => [.. SuiteWorkloads.All.Select(w => w.Name)];

    [Fact]
    public void EveryWorkloadHasATestScale() =>
        Assert.Equal(SuiteWorkloads.All.Select(w => w.Name).Order(), s_scales.Keys.Order());

    [Theory]
    [MemberData(nameof(Names))]
    public void RunsOnEbb_FreesEveryBlock_AndLeavesTheHeapValid(string name) => RunAndCheck(name);

    private static void RunAndCheck(string name)
    {
        var workload = SuiteWorkloads.Get(name);
        long inUseBefore = EbbMemory.GetStats().InUseBytes;
        CountingEbb.Reset();

        var result = workload.Run<CountingEbb>(s_scales[name]);

        Assert.True(result.Seconds > 0 && result.Figure > 0, $"{name}: {result}");
        Assert.True(CountingEbb.Allocations >= 100, $"{name} made only {CountingEbb.Allocations} allocations");
        Assert.Equal(CountingEbb.Allocations, CountingEbb.Frees);
        EbbMemory.Validate();
        long inUseAfter = InUseAfterTrim(inUseBefore);
        Assert.True(inUseAfter - inUseBefore <= InUseSlack,
            $"{name}: Ebb's in-use bytes went from {inUseBefore:N0} to {inUseAfter:N0}");
    }

    /// <summary>
    /// Ebb's in-use bytes once what the workload freed is collected: blocks freed onto other
    /// threads' pages count until their page is collected, and a dead thread's heap is handed
    /// over by its exit hook, which can run a moment after the join returned. Trim gives up the
    /// dead heaps and collects their pages; a few tries cover the hook's lag.
    /// </summary>
    private static long InUseAfterTrim(long target)
    {
        long deadline = Environment.TickCount64 + 3000, inUse;
        while (true)
        {
            EbbMemory.Trim();
            inUse = EbbMemory.GetStats().InUseBytes;
            if (inUse - target <= InUseSlack || Environment.TickCount64 > deadline) return inUse;
            Thread.Sleep(20);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1000)]
    public void ATagCatchesAWriteAtEitherEndOfTheBlock(int size)
    {
        foreach (int at in new[] { 0, size - 1 })
        {
            byte* p = BlockTag.Alloc<EbbAllocator>((nuint)size);
            Assert.True(BlockTag.Holds(p, (nuint)size));
            p[at] ^= 0x40;
            var e = Assert.Throws<BlockTagException>(() => BlockTag.Free<EbbAllocator>(p, (nuint)size));
            Assert.Contains($"{size} bytes", e.Message);
            p[at] ^= 0x40;
            BlockTag.Free<EbbAllocator>(p, (nuint)size);
        }
        // The same bytes at another address or size are not the tag.
        byte* a = BlockTag.Alloc<EbbAllocator>((nuint)size);
        byte* b = (byte*)EbbMemory.Alloc((nuint)size);
        Buffer.MemoryCopy(a, b, size, size);
        Assert.False(BlockTag.Holds(b, (nuint)size));
        EbbMemory.Free(b);
        BlockTag.Free<EbbAllocator>(a, (nuint)size);
        EbbMemory.Validate();
    }

    [Fact]
    public void AWorkloadStopsWithATagMismatchWhenALiveBlockIsOverwritten()
    {
        ScribblingEbb.Reset();
        Assert.Throws<BlockTagException>(() => new AllocTest(1).Run<ScribblingEbb>(0.02));
        Assert.True(ScribblingEbb.Scribbles > 0);
        EbbMemory.Validate();
    }

    [Fact]
    public void MstressOwnPatternCatchesAWriteIntoABlockInFlight()
    {
        ScribblingEbb.Reset();
        Assert.Throws<BlockTagException>(() => new MStress(25).Run<ScribblingEbb>(0.1));
        Assert.True(ScribblingEbb.Scribbles > 0);
    }

    /// <summary>EbbMemory, counting allocations and frees.</summary>
    private struct CountingEbb : INativeAllocator
    {
        private static long s_allocations, s_frees;

        public static long Allocations => Volatile.Read(ref s_allocations);
        public static long Frees => Volatile.Read(ref s_frees);

        public static void Reset()
        {
            s_allocations = 0;
            s_frees = 0;
        }

        public static void* Alloc(nuint size)
        {
            Interlocked.Increment(ref s_allocations);
            return EbbMemory.Alloc(size);
        }

        public static void Free(void* ptr)
        {
            if (ptr != null) Interlocked.Increment(ref s_frees);
            EbbMemory.Free(ptr);
        }

        public static void* Realloc(void* ptr, nuint size)
        {
            if (ptr == null) Interlocked.Increment(ref s_allocations);
            return EbbMemory.Realloc(ptr, size);
        }

        public static void Trim() => EbbMemory.Trim();
    }

    /// <summary>
    /// EbbMemory, except that every 1000th block is marked and the next allocation flips the
    /// last byte of the marked block if it is still live (under a lock, so never a freed one):
    /// what an allocator that handed out overlapping memory would do to its owner.
    /// </summary>
    private struct ScribblingEbb : INativeAllocator
    {
        private static readonly object s_gate = new();
        private static long s_calls;
        private static byte* s_victim;
        private static nuint s_victimSize;
        private static int s_scribbles;

        public static int Scribbles => Volatile.Read(ref s_scribbles);

        public static void Reset()
        {
            lock (s_gate)
            {
                s_calls = 0;
                s_victim = null;
                s_scribbles = 0;
            }
        }

        public static void* Alloc(nuint size)
        {
            void* p = EbbMemory.Alloc(size);
            lock (s_gate)
            {
                if (s_victim != null)
                {
                    s_victim[s_victimSize - 1] ^= 0x5A;
                    s_victim = null;
                    s_scribbles++;
                }
                else if (++s_calls % 1000 == 0)
                {
                    s_victim = (byte*)p;
                    s_victimSize = size;
                }
            }
            return p;
        }

        public static void Free(void* ptr)
        {
            lock (s_gate)
                if (ptr == s_victim) s_victim = null;
            EbbMemory.Free(ptr);
        }

        public static void* Realloc(void* ptr, nuint size)
        {
            lock (s_gate)
                if (ptr == s_victim) s_victim = null;
            return EbbMemory.Realloc(ptr, size);
        }

        public static void Trim() => EbbMemory.Trim();
    }
}
