using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebb.Arena;
using Ebb.Heap;

namespace Ebb.Tests.Allocator;

/// <summary>
/// The page descriptor's explicit layout, as Page.cs states it: no two fields overlap, all fit in
/// the descriptor, and each cache line holds the fields of the writer it is meant for (the
/// allocation's free-list head alone in the first; what the owner's free fast path reads and
/// writes in the second; what other threads write in the third). A field moved by mistake would
/// cost a cache line on every free without any test failing otherwise.
/// </summary>
public unsafe class PageLayoutTests
{
    private static readonly FieldInfo[] s_fields = typeof(Page).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);

    private static int OffsetOf(string name) =>
        s_fields.Single(f => f.Name == name).GetCustomAttribute<FieldOffsetAttribute>()!.Value;

    private static int SizeOf(FieldInfo f) =>
        f.FieldType.IsPointer || f.FieldType == typeof(nuint) || f.FieldType == typeof(nint) ? sizeof(nint) : Marshal.SizeOf(f.FieldType.IsEnum ? Enum.GetUnderlyingType(f.FieldType) : f.FieldType);

    [Fact]
    public void FieldsDoNotOverlapAndFitTheDescriptor()
    {
        Assert.Equal(Layout.PageDescriptorSize, sizeof(Page));
        var spans = s_fields.Select(f => (f.Name, Start: f.GetCustomAttribute<FieldOffsetAttribute>()!.Value, Size: SizeOf(f)))
            .OrderBy(s => s.Start).ToList();
        Assert.True(spans.Count >= 20, "too few fields found: the reflection no longer sees them");
        for (int i = 0; i < spans.Count; i++)
        {
            Assert.True(spans[i].Start % Math.Min(spans[i].Size, 8) == 0, $"{spans[i].Name} is not aligned to its size");
            Assert.True(spans[i].Start + spans[i].Size <= Layout.PageDescriptorSize, $"{spans[i].Name} runs past the descriptor");
            if (i > 0)
                Assert.True(spans[i - 1].Start + spans[i - 1].Size <= spans[i].Start, $"{spans[i - 1].Name} overlaps {spans[i].Name}");
        }
    }

    [Fact]
    public void EachCacheLineHoldsItsWritersFields()
    {
        Assert.Equal(0, OffsetOf(nameof(Page.Free)));
        Assert.All(s_fields.Where(f => f.Name != nameof(Page.Free)), f => Assert.True(OffsetOf(f.Name) >= 64, $"{f.Name} shares the allocation's line"));
        foreach (string hot in new[] { nameof(Page.LocalFree), nameof(Page.LocalHeap), nameof(Page.Start), nameof(Page.DivMagic), nameof(Page.DivLimit), nameof(Page.Used) })
            Assert.InRange(OffsetOf(hot), 64, 127);
        Assert.InRange(OffsetOf(nameof(Page.ThreadFree)), 128, 191);
    }

    [Fact]
    public void HeapDirectSlotsComeFirst()
    {
        // The alloc fast path indexes the heap pointer itself: ((Page**)h)[(size + 15) >> 4].
        Ebb.Heap.Heap h = default;
        Assert.Equal(0, (int)((byte*)Unsafe.AsPointer(ref h.Direct[0]) - (byte*)Unsafe.AsPointer(ref h)));
        // One slot per 16 bytes up to DirectMaxSize, then the overflow slot.
        Assert.Equal(Ebb.Heap.Heap.OverflowSlot, (int)(Ebb.Heap.Heap.DirectMaxSize / 16) + 1);
        Assert.Equal(Ebb.Heap.Heap.DirectSlots, Ebb.Heap.Heap.OverflowSlot + 1);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(16, 1)]
    [InlineData(17, 2)]
    [InlineData(1024, 64)]
    [InlineData(1025, Ebb.Heap.Heap.OverflowSlot)]
    [InlineData(65536, Ebb.Heap.Heap.OverflowSlot)]
    public void DirectIndex_IsTheSizesSlot_OrTheOverflowSlotAbove1KiB(long size, int slot)
    {
        Assert.Equal((nuint)slot, Ebb.Heap.HeapAlloc.DirectIndex((nuint)size));
    }

    [Fact]
    public void DirectIndex_SizesThatWrapWhenRounded_TakeTheOverflowSlot()
    {
        // (size + 15) wraps for the largest sizes: they must not land in a small slot.
        Assert.Equal((nuint)Ebb.Heap.Heap.OverflowSlot, Ebb.Heap.HeapAlloc.DirectIndex(nuint.MaxValue));
        Assert.Equal((nuint)Ebb.Heap.Heap.OverflowSlot, Ebb.Heap.HeapAlloc.DirectIndex(nuint.MaxValue - 14));
    }
}
