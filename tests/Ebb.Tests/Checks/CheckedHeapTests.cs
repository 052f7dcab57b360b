using System.Runtime.CompilerServices;
using Ebb.Checks;

namespace Ebb.Tests.Checks;

// In-process tests of checked mode on a heap instance of their own (the process's mode is
// chosen from the environment at start-up; the child-process tests cover that path).
public unsafe class CheckedHeapTests
{
    private static CheckedHeap NewHeap(long quarantine = 1 << 20) =>
        new(new CheckOptions { Mode = CheckMode.Checked, QuarantineBytes = quarantine });

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte* AllocateThirteen(CheckedHeap heap) => (byte*)heap.Alloc(13, 16, false);

    [Fact]
    public void OneByteOverflow_OfThirteenByteBlock_IsCaughtAtFree_WithOffsetAndAllocator()
    {
        var heap = NewHeap();
        byte* p = AllocateThirteen(heap);
        p[13] = 1;
        var e = Assert.Throws<EbbMemoryException>(() => heap.Free(p));
        Assert.Equal(EbbErrorKind.HeapBufferOverflow, e.Kind);
        Assert.Equal((nuint)13, e.BlockSize);
        Assert.Equal((nint)(p + 13), e.Address);
        string first = e.Message.Split('\n')[0];
        Assert.Equal($"ebb: ERROR: heap-buffer-overflow: 1 byte written 0 bytes after the 13-byte block at 0x{(nuint)p:x}, found at free", first);
        Assert.Contains("allocated by thread", e.Message);
        Assert.Contains(nameof(AllocateThirteen), e.AllocationStack);
    }

    [Fact]
    public void Underflow_IsCaught_WithDistanceBefore()
    {
        var heap = NewHeap();
        byte* p = (byte*)heap.Alloc(32, 16, false);
        p[-3] = 0; p[-2] = 0;
        var e = Assert.Throws<EbbMemoryException>(() => heap.Free(p));
        Assert.Equal(EbbErrorKind.HeapBufferUnderflow, e.Kind);
        Assert.StartsWith($"ebb: ERROR: heap-buffer-underflow: 2 bytes written 2 bytes before the 32-byte block at 0x{(nuint)p:x}", e.Message);
    }

    [Fact]
    public void WritesInsideTheBlock_AreFine_AndNewBlocksAreJunkOrZero()
    {
        var heap = NewHeap();
        byte* p = (byte*)heap.Alloc(13, 16, false);
        for (int i = 0; i < 13; i++) Assert.Equal(0xAA, p[i]);
        for (int i = 0; i < 13; i++) p[i] = 7;
        Assert.Equal((nuint)13, heap.UsableSize(p));
        heap.Free(p);
        byte* z = (byte*)heap.Alloc(100, 16, true);
        for (int i = 0; i < 100; i++) Assert.Equal(0, z[i]);
        heap.Free(z);
        heap.Validate();
    }

    [Fact]
    public void DoubleFree_IsCaught_WithBothStacks_AlsoAfterTheQuarantine()
    {
        var heap = NewHeap(quarantine: 0);
        byte* p = AllocateThirteen(heap);
        heap.Free(p);
        var e = Assert.Throws<EbbMemoryException>(() => heap.Free(p));
        Assert.Equal(EbbErrorKind.DoubleFree, e.Kind);
        Assert.Contains("freed by thread", e.Message);
        Assert.Contains(nameof(AllocateThirteen), e.AllocationStack);
        Assert.NotNull(e.FreeStack);
    }

    [Fact]
    public void ReallocOfFreedBlock_IsCaught()
    {
        var heap = NewHeap();
        byte* p = (byte*)heap.Alloc(8, 16, false);
        heap.Free(p);
        var e = Assert.Throws<EbbMemoryException>(() => heap.Realloc(p, 64, 16));
        Assert.Equal(EbbErrorKind.DoubleFree, e.Kind);
        Assert.StartsWith("ebb: ERROR: double-free: realloc of", e.Message);
    }

    [Fact]
    public void InteriorAndForeignPointers_AreInvalidFrees()
    {
        var heap = NewHeap();
        byte* p = (byte*)heap.Alloc(64, 16, false);
        var e = Assert.Throws<EbbMemoryException>(() => heap.Free(p + 8));
        Assert.Equal(EbbErrorKind.InvalidFree, e.Kind);
        Assert.Contains($"8 bytes inside the 64-byte block at 0x{(nuint)p:x}", e.Message);
        long onStack = 0;
        nint local = (nint)(&onStack);
        var f = Assert.Throws<EbbMemoryException>(() => heap.Free((void*)local));
        Assert.Equal(EbbErrorKind.InvalidFree, f.Kind);
        heap.Free(p);
    }

    [Fact]
    public void WriteAfterFree_IsCaughtByValidate_Once()
    {
        var heap = NewHeap(quarantine: 4096);
        byte* p = (byte*)heap.Alloc(40, 16, false);
        heap.Free(p);
        p[5] = 1;
        var e = Assert.Throws<EbbMemoryException>(heap.Validate);
        Assert.Equal(EbbErrorKind.HeapUseAfterFree, e.Kind);
        Assert.StartsWith($"ebb: ERROR: heap-use-after-free: 1 byte written 5 bytes inside the freed 40-byte block at 0x{(nuint)p:x}, found by Validate()", e.Message);
        Assert.Contains("freed by thread", e.Message);
        heap.Validate(); // reported once, not again
    }

    [Fact]
    public void WriteAfterFree_IsCaughtWhenTheBlockLeavesQuarantine()
    {
        var heap = NewHeap(quarantine: 4096);
        byte* p = (byte*)heap.Alloc(40, 16, false);
        heap.Free(p);
        p[0] = 1; p[2] = 1;
        EbbMemoryException? late = null;
        for (int i = 0; i < 200 && late is null; i++)
        {
            void* q = heap.Alloc(64, 16, false);
            try { heap.Free(q); } catch (EbbMemoryException x) { late = x; }
        }
        Assert.NotNull(late);
        Assert.Equal(EbbErrorKind.HeapUseAfterFree, late!.Kind);
        Assert.StartsWith($"ebb: ERROR: heap-use-after-free: 3 bytes written 0 bytes inside the freed 40-byte block at 0x{(nuint)p:x}, found when it left quarantine", late.Message);
        heap.Validate();
    }

    [Fact]
    public void Quarantine_ReleasesOldestFirst_WhateverTheBlockSizes()
    {
        // 1 MiB: about 900 blocks of 1000 bytes, then about 7,000 of 1 byte.
        var heap = NewHeap(quarantine: 1 << 20);
        var written = new List<nint>();
        var found = new List<nint>();
        for (int i = 0; i < 30_000; i++)
        {
            nuint size = i < 5_000 ? 1000u : 1u;
            byte* q = (byte*)heap.Alloc(size, 16, false);
            try { heap.Free(q); } catch (EbbMemoryException x) { found.Add(x.Address); }
            // Far enough apart (over 200 KiB of frees) to leave in different hand-overs.
            if (i % 1_500 == 700 && i < 22_000)
            {
                q[0] = 1;
                written.Add((nint)q);
            }
        }
        // Every write after free found, once, in the order the blocks were freed.
        Assert.Equal(written, found);
    }

    [Fact]
    public void Realloc_KeepsContents_AndChecksTheOldBlock()
    {
        var heap = NewHeap();
        byte* p = (byte*)heap.Alloc(10, 16, false);
        for (int i = 0; i < 10; i++) p[i] = (byte)i;
        byte* q = (byte*)heap.Realloc(p, 1000, 16);
        for (int i = 0; i < 10; i++) Assert.Equal(i, q[i]);
        q[1000] = 9;
        var e = Assert.Throws<EbbMemoryException>(() => heap.Realloc(q, 10, 16));
        Assert.Equal(EbbErrorKind.HeapBufferOverflow, e.Kind);
        Assert.Contains("found at realloc", e.Message);
    }

    [Fact]
    public void AlignedBlocks_AreAligned()
    {
        var heap = NewHeap();
        foreach (nuint a in new nuint[] { 16, 32, 64, 256, 4096 })
        {
            void* p = heap.Alloc(24, a, false);
            Assert.Equal((nuint)0, (nuint)p % a);
            heap.Free(p);
        }
        heap.Validate();
    }

    [Fact]
    public void OrdinaryEbbBlocks_PassThroughToTheAllocator()
    {
        var heap = NewHeap();
        byte* o = (byte*)Ebb.Checks.Backend.Alloc(64);
        Assert.True(heap.UsableSize(o) >= 64);
        o = (byte*)heap.Realloc(o, 10, 0);
        Assert.Equal((nuint)10, heap.UsableSize(o)); // realloc made it a checked block
        heap.Free(o);
        byte* q = (byte*)Ebb.Checks.Backend.Alloc(64);
        heap.Free(q);
        heap.Validate();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LeakSome(CheckedHeap heap)
    {
        for (int i = 0; i < 2; i++) heap.Alloc(100, 16, false);
    }

    [Fact]
    public void LeakReport_GroupsBySite_LargestFirst()
    {
        var heap = NewHeap();
        LeakSome(heap);
        void* small = heap.Alloc(7, 16, false);
        var w = new StringWriter();
        Assert.True(heap.ReportLeaks(w));
        var lines = w.ToString().Split('\n');
        Assert.Equal("ebb: ERROR: memory-leak: 207 bytes in 3 blocks", lines[0].TrimEnd());
        Assert.Equal("200 bytes in 2 blocks allocated at:", lines[1].TrimEnd());
        Assert.Contains(nameof(LeakSome), lines[2]);
        Assert.Contains("7 bytes in 1 block allocated at:", w.ToString());
        heap.Free(small);
    }

    [Fact]
    public void BlocksFreedOnAnotherThread_AreCheckedThere_AndAConcurrentDoubleFreeIsCaughtOnce()
    {
        var heap = NewHeap(quarantine: 1 << 16);
        const int Count = 200;
        var blocks = new nint[Count];
        for (int i = 0; i < Count; i++) blocks[i] = (nint)heap.Alloc((nuint)(i % 50), 16, false);
        ((byte*)blocks[7])[7] = 1; // a 7-byte block: one byte past its end
        int doubles = 0, overflows = 0;
        var threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < Count; i++)
            {
                try { heap.Free((void*)blocks[i]); }
                catch (EbbMemoryException e) when (e.Kind == EbbErrorKind.DoubleFree) { Interlocked.Increment(ref doubles); }
                catch (EbbMemoryException e) when (e.Kind == EbbErrorKind.HeapBufferOverflow) { Interlocked.Increment(ref overflows); }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        // Every block freed once and refused once; the overflowing one refused by both (it stays live).
        Assert.Equal(Count - 1, doubles);
        Assert.Equal(2, overflows);
        heap.Validate();
    }

    [Fact]
    public void ManyBlocks_AllAccountedFor_InTheLeakReport_AndValidate()
    {
        var heap = NewHeap();
        var live = new List<nint>();
        for (int i = 0; i < 1000; i++)
        {
            live.Add((nint)heap.Alloc(10, i % 3 == 0 ? 64u : 16u, false));
            if (i % 2 == 1) { heap.Free((void*)live[^2]); live.RemoveAt(live.Count - 2); }
        }
        Assert.True(heap.ReportLeaks(new StringWriter()));
        heap.Leaks(out nuint bytes, out int count);
        Assert.Equal(500, count);
        Assert.Equal((nuint)5000, bytes);
        ((byte*)live[123])[-1] = 0;
        var e = Assert.Throws<EbbMemoryException>(heap.Validate);
        Assert.Equal(EbbErrorKind.HeapBufferUnderflow, e.Kind);
        Assert.Equal(live[123], e.Address + 1);
        foreach (var p in live) if (p != live[123]) heap.Free((void*)p);
        heap.Leaks(out _, out count);
        Assert.Equal(0, count); // the reported block is left out
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint FreeOnAThreadThatEnds(CheckedHeap heap)
    {
        nint p = 0;
        var t = new Thread(() =>
        {
            p = (nint)heap.Alloc(40, 16, false);
            heap.Free((void*)p);
        });
        t.Start();
        t.Join();
        return p;
    }

    [Fact]
    public void AThreadsQuarantine_OutlivesTheThread_AndStillLeavesInOrder()
    {
        var heap = NewHeap(quarantine: 1 << 20);
        byte* p = (byte*)FreeOnAThreadThatEnds(heap);
        p[1] = 1;
        // The ended thread's quarantine is handed to the heap when its cache is collected;
        // then this thread's frees push it out, and the write after free is found.
        EbbMemoryException? late = null;
        for (int round = 0; round < 20 && late is null; round++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            for (int i = 0; i < 2000 && late is null; i++)
            {
                void* q = heap.Alloc(1000, 16, false);
                try { heap.Free(q); } catch (EbbMemoryException x) { late = x; }
            }
        }
        Assert.NotNull(late);
        Assert.Equal(EbbErrorKind.HeapUseAfterFree, late!.Kind);
        Assert.Equal((nint)(p + 1), late.Address);
    }

    [Fact]
    public void WithoutStacks_ReportsSayStacksWereNotCaptured_AndLeaksFormOneGroup()
    {
        var heap = new CheckedHeap(new CheckOptions { Mode = CheckMode.Checked, QuarantineBytes = 1 << 20, Stacks = false });
        byte* p = AllocateThirteen(heap);
        heap.Free(p);
        var e = Assert.Throws<EbbMemoryException>(() => heap.Free(p));
        Assert.Equal(EbbErrorKind.DoubleFree, e.Kind);
        Assert.Contains("(stacks not captured: EBB_STACKS=0)", e.AllocationStack);
        Assert.Contains("(stacks not captured: EBB_STACKS=0)", e.FreeStack);
        Assert.DoesNotContain(nameof(AllocateThirteen), e.Message);
        LeakSome(heap);
        heap.Alloc(7, 16, false);
        var w = new StringWriter();
        Assert.True(heap.ReportLeaks(w));
        var lines = w.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("ebb: ERROR: memory-leak: 207 bytes in 3 blocks", lines[0]);
        Assert.Equal("207 bytes in 3 blocks allocated at:", lines[1]);
        Assert.Equal("    (stacks not captured: EBB_STACKS=0)", lines[2]);
    }
}
