using Ebb.Arena;
using Ebb.Heap;

namespace Ebb.Tests.Allocator;

public class SizeClassesTests
{
    [Fact]
    public void EverySizeGetsTheSmallestClassThatFits()
    {
        for (nuint s = 0; s <= Layout.MaxSmallSize; s++)
        {
            int bin = SizeClasses.BinOf(s);
            Assert.InRange(bin, 0, SizeClasses.Count - 1);
            Assert.True(SizeClasses.BlockSize(bin) >= s, $"size {s} bin {bin}");
            if (bin > 0) Assert.True(SizeClasses.BlockSize(bin - 1) < Math.Max(s, 1), $"size {s} bin {bin} not the smallest");
        }
        Assert.Equal(SizeClasses.Count - 1, SizeClasses.BinOf(Layout.MaxSmallSize));
    }

    [Fact]
    public void ClassesAreSixteenByteStepsThenFourPerDoublingWithUnderTwentyPercentWaste()
    {
        for (int bin = 0; bin < SizeClasses.Count; bin++)
        {
            uint bs = SizeClasses.BlockSize(bin);
            Assert.Equal(0u, bs % 16);
            if (bin < 8) Assert.Equal((uint)(bin + 1) * 16, bs);
            else
            {
                uint prev = SizeClasses.BlockSize(bin - 1);
                Assert.True((bs - prev - 1) * 100 / bs < 20, $"bin {bin}: {prev} -> {bs}");
            }
        }
        Assert.Equal(160u, SizeClasses.BlockSize(8));
        Assert.Equal(256u, SizeClasses.BlockSize(11));
        Assert.Equal(131072u, SizeClasses.BlockSize(SizeClasses.Count - 1));
    }

    [Fact]
    public void PowerOfTwoClassesAreNaturallyAligned()
    {
        for (int bin = 0; bin < SizeClasses.Count; bin++)
        {
            uint bs = SizeClasses.BlockSize(bin);
            if ((bs & (bs - 1)) == 0) Assert.Equal(Math.Min(bs, (uint)Layout.SliceSize), (uint)SizeClasses.NaturalAlignment(bin));
            Assert.True(SizeClasses.NaturalAlignment(bin) >= 16);
        }
    }

    [Fact]
    public void PagesHoldABatchUpTo8KiB_AndStaySmallAbove()
    {
        Assert.Equal(8192u, SizeClasses.MaxBatchPageBlockSize); // the pair benchmark's largest size
        for (int bin = 0; bin < SizeClasses.Count; bin++)
        {
            uint bs = SizeClasses.BlockSize(bin);
            nuint span = (nuint)SizeClasses.SlicesPerPage(bin) << Layout.SliceShift;
            nuint blocks = span / bs;
            if (bs <= SizeClasses.MaxBatchPageBlockSize) Assert.True(blocks >= 128, $"{bs} B: {blocks} blocks a page");
            else
            {
                // Small pages empty often, so a class does not keep its past peak resident.
                Assert.True(blocks >= SizeClasses.MinBlocksPerBigPage, $"{bs} B: {blocks} blocks a page");
                Assert.True(span == Layout.SliceSize || blocks < 2 * SizeClasses.MinBlocksPerBigPage, $"{bs} B: a page of {span} bytes, {blocks} blocks");
            }
        }
    }
}
