namespace Ebb.Tests.Allocator;

/// <summary>
/// A huge block grown by Realloc until mremap has to move it: the header must be read before the
/// move, not at the old address afterwards (the benchmark's realloc growth crashed there).
/// </summary>
public unsafe class HugeReallocMoveTests
{
    [Fact]
    public void GrowingByHalves_To64MiB_KeepsContents_WhenTheBlockMoves()
    {
        // A neighbour right after the block makes an in-place mremap impossible at some step.
        var neighbours = new List<nint>();
        var marks = new List<(nuint At, byte Value)>();
        nuint size = 16;
        byte* p = (byte*)EbbMemory.Alloc(size);
        p[0] = 0x5A;
        nint firstHuge = 0;
        bool moved = false;
        while (size < 64 << 20)
        {
            nuint next = Math.Min(size + size / 2 + 16, (nuint)(64 << 20));
            byte* q = (byte*)EbbMemory.Realloc(p, next);
            Assert.True(q != null);
            if (next >= 8 << 20)
            {
                if (firstHuge == 0) firstHuge = (nint)q;
                else if ((nint)q != firstHuge) moved = true;
                neighbours.Add((nint)EbbMemory.Alloc(8 << 20));
            }
            Assert.Equal(0x5A, q[0]);
            foreach (var (at, value) in marks) Assert.Equal(value, q[at]);
            for (nuint at = size; at < next; at += 4096) q[at] = 1;
            marks.Add((next - 1, (byte)marks.Count));
            q[next - 1] = (byte)(marks.Count - 1);
            p = q;
            size = next;
        }
        foreach (var (at, value) in marks) Assert.Equal(value, p[at]);
        EbbMemory.Validate();
        EbbMemory.Free(p);
        foreach (var n in neighbours) EbbMemory.Free((void*)n);
        EbbMemory.Validate();
        // Not asserted (the kernel decides where mappings go), but this is the case the test is for.
        _ = moved;
    }
}
