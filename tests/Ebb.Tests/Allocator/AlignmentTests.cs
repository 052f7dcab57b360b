using System.Diagnostics;
using Xunit.Abstractions;

namespace Ebb.Tests.Allocator;

// Alone: blocks aligned to up to 1 GiB take gigabytes of address space while they live.
[Collection(nameof(AllocatorSerial))]
public unsafe class AlignmentTests(ITestOutputHelper output)
{
    private static readonly nuint[] s_sizes = [1, 24, 3000, 150_000, 5 << 20];

    // Run in every mode (EBB_CHECK=1, EBB_GUARD=all, EBB_GUARD=sample:N set for the test run): in
    // checked and guarded-all mode each 1 GiB-aligned block used to fill its gigabyte of slack.
    [Fact]
    public void EveryPowerOfTwoAlignmentUpToOneGibibyteIsHonoured()
    {
        var sw = Stopwatch.StartNew();
        int blocks = 0;
        var live = new List<(nint P, nuint Size)>();
        for (int shift = 4; shift <= 30; shift++)
        {
            nuint alignment = (nuint)1 << shift;
            foreach (nuint size in s_sizes)
            {
                byte* p = (byte*)EbbMemory.AlignedAlloc(size, alignment);
                Assert.True(((nuint)p & (alignment - 1)) == 0, $"{size} bytes at alignment {alignment}: 0x{(nuint)p:x}");
                Assert.True(EbbMemory.UsableSize(p) >= size, $"{size} bytes at alignment {alignment}: usable {EbbMemory.UsableSize(p)}");
                p[0] = 0x11;
                p[size - 1] = 0x22;
                live.Add(((nint)p, size));
                blocks++;
            }
        }
        foreach (var (p, size) in live)
        {
            // A 1-byte block's first byte is its last.
            Assert.Equal(size == 1 ? 0x22 : 0x11, ((byte*)p)[0]);
            Assert.Equal(0x22, ((byte*)p)[size - 1]);
            EbbMemory.AlignedFree((void*)p);
        }
        EbbMemory.Validate();
        // The time is reported, never asserted: this machine is shared.
        output.WriteLine($"{blocks} aligned blocks, 16 B to 1 GiB: {sw.Elapsed.TotalMilliseconds:F0} ms");
    }
}
