using Ebb.Checks;
using Ebb.Os;

namespace Ebb.Tests.Checks;

// EBB_GUARD=sample:N's pool, without its guard thread: Validate() runs the thread's pass
// (check and close the freed slots, reopen the oldest closed ones) at a known moment. The
// parts that fault are covered by the child-process tests in Ebb.Cli.Tests.
public unsafe class SampledPoolTests
{
    private static readonly nuint s_page = (nuint)OsMemory.PageSize;

    // 4 slots: one is kept ready (a quarter of the pool), the others hold freed blocks.
    private static SampledPool Pool(int slots = 4) =>
        new(new CheckOptions { Mode = CheckMode.GuardSample, SampleRate = 1, GuardSlots = slots, Stacks = false }, guardThread: false);

    private static int SlotOf(SampledPool pool, void* p) => (int)(((nuint)p - (nuint)pool.PoolStart) / s_page / 2);

    [Fact]
    public void Blocks_AreRightAligned_SixteenByteAligned_InAReadySlot_WithTheSlackFilled()
    {
        var pool = Pool();
        Assert.Equal(1, pool.ReadyCount);
        byte* a = (byte*)pool.TryAlloc(13, 0, false);
        Assert.True(pool.InPool(a));
        // As far right as 16-byte alignment allows: 3 bytes of slack before the guard page.
        Assert.Equal((nuint)0, (nuint)a % 16);
        Assert.Equal((nuint)0, ((nuint)a + 16) % s_page);
        for (int i = 0; i < 13; i++) Assert.Equal(Poison.Junk, a[i]);
        for (int i = 13; i < 16; i++) Assert.Equal(Poison.Right, a[i]);
        Assert.Equal(Poison.Left, a[-1]);
        Assert.Equal(Poison.Left, *(byte*)((nuint)a & ~(s_page - 1)));
        Assert.Equal((nuint)13, pool.UsableSize(a));
        pool.Free(a);
    }

    [Fact]
    public void ASampledAllocation_RecordsItsStack_WithoutRenderingIt()
    {
        // Rendering (and opening PDBs to symbolize) waits until a report needs the text.
        var pool = new SampledPool(new CheckOptions { Mode = CheckMode.GuardSample, SampleRate = 1, GuardSlots = 4, Stacks = true }, guardThread: false);
        void* a = pool.TryAlloc(32, 0, false);
        uint id = pool.AllocStackOf(a);
        Assert.NotEqual(StackDepot.None, id);
        Assert.False(StackDepot.Shared.HasNativeText(id));
        Assert.Contains(nameof(ASampledAllocation_RecordsItsStack_WithoutRenderingIt), new string((sbyte*)StackDepot.Shared.FramesUtf8(id)));
        Assert.True(StackDepot.Shared.HasNativeText(id));
        pool.Free(a);
    }

    [Fact]
    public void AnOverflowIntoTheSlack_IsFoundAtFree()
    {
        var pool = Pool();
        byte* a = (byte*)pool.TryAlloc(13, 0, false);
        a[13] = 1;
        var e = Assert.Throws<EbbMemoryException>(() => pool.Free(a));
        Assert.Equal(EbbErrorKind.HeapBufferOverflow, e.Kind);
        Assert.Contains("1 byte written 0 bytes after the 13-byte block", e.Message);
        Assert.EndsWith("found at free", e.Message.Split('\n')[0]);
    }

    [Fact]
    public void NoReadySlot_MeansNotSampled_UntilThePassReopensOne()
    {
        var pool = Pool();
        void* a = pool.TryAlloc(100, 0, true);
        Assert.Equal(0, ((byte*)a)[0]);
        Assert.True(pool.TryAlloc(8, 0, false) == null);
        Assert.Equal(1, pool.Missed);
        pool.Free(a);
        Assert.Equal(0, pool.ReadyCount); // freeing closes, never reopens: that is the pass's job
        pool.Validate();
        Assert.Equal(1, pool.ReadyCount);
        void* b = pool.TryAlloc(8, 0, false);
        Assert.True(pool.InPool(b));
        Assert.Equal(2, pool.Taken);
        pool.Free(b);
    }

    [Fact]
    public void FreedSlots_AreReopenedOldestFirst_SoAFreedBlockStaysClosedLongest()
    {
        var pool = Pool(slots: 4);
        byte* first = (byte*)pool.TryAlloc(16, 0, false);
        int firstSlot = SlotOf(pool, first);
        pool.Free(first);
        pool.Validate();
        // The other three slots (closed longer: never used) come back before the first one's.
        var seen = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            byte* p = (byte*)pool.TryAlloc(16, 0, false);
            seen.Add(SlotOf(pool, p));
            pool.Free(p);
            pool.Validate();
        }
        Assert.DoesNotContain(firstSlot, seen);
        Assert.Equal(3, seen.Distinct().Count());
        byte* again = (byte*)pool.TryAlloc(16, 0, false);
        Assert.Equal(firstSlot, SlotOf(pool, again));
        pool.Free(again);
    }

    [Fact]
    public void DoubleFree_IsCaught_BeforeAndAfterTheSlotIsClosed()
    {
        var pool = Pool();
        byte* p = (byte*)pool.TryAlloc(13, 0, false);
        pool.Free(p);
        var e = Assert.Throws<EbbMemoryException>(() => pool.Free(p));
        Assert.Equal(EbbErrorKind.DoubleFree, e.Kind);
        Assert.StartsWith($"ebb: ERROR: double-free: free of 0x{(nuint)p:x}, the 13-byte block already freed", e.Message);
        Assert.Contains("freed by thread ", e.Message);
        pool.Validate();
        Assert.Equal(EbbErrorKind.DoubleFree, Assert.Throws<EbbMemoryException>(() => pool.Free(p)).Kind);
        Assert.Equal(EbbErrorKind.DoubleFree, Assert.Throws<EbbMemoryException>(() => pool.Realloc(p, 20, 0)).Kind);
    }

    [Fact]
    public void InteriorAndGuardPagePointers_AreInvalidFrees()
    {
        var pool = Pool();
        byte* p = (byte*)pool.TryAlloc(64, 0, false);
        var interior = Assert.Throws<EbbMemoryException>(() => pool.Free(p + 8));
        Assert.Equal(EbbErrorKind.InvalidFree, interior.Kind);
        Assert.Contains("8 bytes inside the 64-byte block", interior.Message);
        Assert.Equal(EbbErrorKind.InvalidFree, Assert.Throws<EbbMemoryException>(() => pool.Free((void*)pool.PoolStart)).Kind);
        pool.Free(p);
    }

    [Fact]
    public void ZeroByteBlock_SitsAtItsSlotsEnd_AndFreesCleanly()
    {
        var pool = Pool();
        void* p = pool.TryAlloc(0, 0, false);
        Assert.Equal((nuint)0, (nuint)p % s_page);
        Assert.True(pool.InPool(p));
        pool.Free(p);
        pool.Validate();
        Assert.Equal(EbbErrorKind.DoubleFree, Assert.Throws<EbbMemoryException>(() => pool.Free(p)).Kind);
    }

    [Fact]
    public void UnderflowNextToTheBlock_IsCaughtAtFree()
    {
        var pool = Pool();
        byte* p = (byte*)pool.TryAlloc(100, 0, false);
        p[-1] = 0;
        var e = Assert.Throws<EbbMemoryException>(() => pool.Free(p));
        Assert.Equal(EbbErrorKind.HeapBufferUnderflow, e.Kind);
        Assert.StartsWith($"ebb: ERROR: heap-buffer-underflow: 1 byte written 1 byte before the 100-byte block at 0x{(nuint)p:x}, found at free", e.Message);
    }

    [Fact]
    public void UnderflowFarFromTheBlock_IsCaughtAtFree()
    {
        var pool = Pool();
        byte* p = (byte*)pool.TryAlloc(100, 0, false);
        p[-200] = 0;
        var e = Assert.Throws<EbbMemoryException>(() => pool.Free(p));
        Assert.Equal(EbbErrorKind.HeapBufferUnderflow, e.Kind);
        Assert.StartsWith("ebb: ERROR: heap-buffer-underflow: 1 byte written 200 bytes before the 100-byte block", e.Message);
        Assert.EndsWith("found at free", e.Message.Split('\n')[0]);
    }

    [Fact]
    public void UnderflowOfALiveBlock_IsFoundByValidate()
    {
        var pool = Pool();
        byte* p = (byte*)pool.TryAlloc(100, 0, false);
        p[-300] = 0;
        var e = Assert.Throws<EbbMemoryException>(pool.Validate);
        Assert.Equal(EbbErrorKind.HeapBufferUnderflow, e.Kind);
        Assert.StartsWith("ebb: ERROR: heap-buffer-underflow: 1 byte written 300 bytes before the 100-byte block", e.Message);
    }

    [Fact]
    public void OverflowIntoTheAlignmentSlack_IsCaughtAtFree()
    {
        var pool = Pool();
        byte* p = (byte*)pool.TryAlloc(13, 64, false);
        Assert.Equal((nuint)0, (nuint)p % 64);
        p[13] = 0;
        var e = Assert.Throws<EbbMemoryException>(() => pool.Free(p));
        Assert.Equal(EbbErrorKind.HeapBufferOverflow, e.Kind);
        Assert.Contains("0 bytes after the 13-byte block", e.Message);
    }

    // The protection of the page at p, from /proc/self/maps ("rw-p", "---p").
    private static string Protection(void* p)
    {
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var range = line.Split(' ')[0].Split('-');
            ulong lo = Convert.ToUInt64(range[0], 16), hi = Convert.ToUInt64(range[1], 16);
            if ((ulong)p >= lo && (ulong)p < hi) return line.Split(' ')[1];
        }
        return "unmapped";
    }

    [Fact]
    public void FreedSlot_IsInaccessible_WhenFreeReturns_WithNoPass()
    {
        var pool = Pool();
        byte* p = (byte*)pool.TryAlloc(13, 0, false);
        Assert.Equal("rw-p", Protection(p));
        pool.Free(p);
        Assert.Equal("---p", Protection(p));
        Assert.Equal(1, pool.GuardThreadWork.SlotsClosed);
        // A double free of the closed block is still named, and the pool goes on.
        Assert.Equal(EbbErrorKind.DoubleFree, Assert.Throws<EbbMemoryException>(() => pool.Free(p)).Kind);
        pool.Validate();
        Assert.Equal(1, pool.ReadyCount);
    }

    // The guard thread itself: no Validate here. It refills the ready set on its own (the
    // wait is only a bound for a loaded machine, not a speed check).
    [Fact]
    public void GuardThread_RefillsTheReadySlots()
    {
        var pool = new SampledPool(new CheckOptions { Mode = CheckMode.GuardSample, SampleRate = 1, GuardSlots = 8, Stacks = false },
            guardThread: true);
        try
        {
            byte* p = (byte*)pool.TryAlloc(13, 0, false);
            byte* q = (byte*)pool.TryAlloc(13, 0, false);
            pool.Free(p);
            pool.Free(q);
            Assert.Equal(2, pool.GuardThreadWork.SlotsClosed);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (pool.ReadyCount < 2 && DateTime.UtcNow < deadline) Thread.Sleep(5);
            Assert.Equal(2, pool.ReadyCount);
        }
        finally
        {
            pool.StopGuardThread();
        }
    }
}
