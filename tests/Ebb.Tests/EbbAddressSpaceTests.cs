namespace Ebb.Tests;

public unsafe class EbbAddressSpaceTests
{
    [Fact]
    public void MappingOf_TellsArenaChunksFromHugeMappings_AndOwnedCoversBoth()
    {
        void* small = EbbMemory.Alloc(100);
        void* huge = EbbMemory.Alloc(40 << 20);
        try
        {
            var s = EbbAddressSpace.MappingOf((ulong)small);
            Assert.NotNull(s);
            Assert.False(s.Value.IsHugeBlock);
            Assert.Equal(32UL << 20, s.Value.Length);
            Assert.InRange((ulong)small, s.Value.Start, s.Value.End - 1);

            var h = EbbAddressSpace.MappingOf((ulong)huge + (30UL << 20));
            Assert.NotNull(h);
            Assert.True(h.Value.IsHugeBlock);
            Assert.InRange((ulong)huge, h.Value.Start, h.Value.Start + 65536);
            Assert.True(h.Value.End >= (ulong)huge + (40UL << 20));
            Assert.Null(EbbAddressSpace.MappingOf(h.Value.End + (1UL << 40)));

            Assert.Equal([(h.Value.Start, h.Value.End)], EbbAddressSpace.Owned(h.Value.Start, h.Value.End));
            Assert.Equal([((ulong)small, (ulong)small + 1)], EbbAddressSpace.Owned((ulong)small, (ulong)small + 1));
            int local = 0;
            Assert.Empty(EbbAddressSpace.Owned((ulong)&local, (ulong)&local + 8));
        }
        finally
        {
            EbbMemory.Free(small);
            EbbMemory.Free(huge);
        }
    }
}
