using FsCheck;
using FsCheck.Fluent;

namespace Ebb.Tests.Allocator;

/// <summary>
/// Random sequences of Alloc/AllocZeroed/Realloc/AlignedAlloc/Free against a model of what
/// each live block must hold: contents, zeroing, alignment and UsableSize checked after
/// every step, every live block checked at the end, the heap validated.
/// </summary>
public unsafe class ModelPropertyTests
{
    public enum OpKind { Alloc, AllocZeroed, Realloc, AlignedAlloc, Free }

    public sealed record Op(OpKind Kind, int Slot, int Size, int AlignShift);

    private sealed class Live
    {
        public nint Ptr;
        public int Size;
        public byte Fill;
        public nuint Alignment;
    }

    private static Gen<int> Sizes() => Gen.Frequency(
        (60, Gen.Choose(0, 1100)),
        (25, Gen.Choose(1100, 140_000)),
        (10, Gen.Choose(140_000, 4 << 20)),
        (5, Gen.Choose(4 << 20, 9 << 20)));

    private static Gen<Op> Ops() =>
        from kind in Gen.Frequency((30, Gen.Constant(OpKind.Alloc)), (15, Gen.Constant(OpKind.AllocZeroed)),
            (20, Gen.Constant(OpKind.Realloc)), (10, Gen.Constant(OpKind.AlignedAlloc)), (25, Gen.Constant(OpKind.Free)))
        from slot in Gen.Choose(0, 15)
        from size in Sizes()
        from shift in Gen.Choose(4, 16)
        select new Op(kind, slot, size, shift);

    [Fact]
    public void RandomSequencesKeepEveryBlockIntact()
    {
        var arb = Gen.ListOf(Ops(), 60).ToArbitrary();
        var config = Config.QuickThrowOnFailure.WithMaxTest(60);
        Check.One(config, Prop.ForAll(arb, ops => { RunSequence(ops); return true; }));
    }

    private static void Check1(Live b)
    {
        byte* p = (byte*)b.Ptr;
        Assert.True((ulong)p % 16 == 0, "block not 16-byte aligned");
        if (b.Alignment > 16) Assert.True((ulong)p % b.Alignment == 0, $"block not {b.Alignment}-byte aligned");
        Assert.True(EbbMemory.UsableSize(p) >= (nuint)b.Size, "usable size below the size asked for");
        int bad = new ReadOnlySpan<byte>(p, b.Size).IndexOfAnyExcept(b.Fill);
        Assert.True(bad < 0, $"byte {bad} of a {b.Size}-byte block changed");
    }

    private static void RunSequence(IEnumerable<Op> ops)
    {
        var slots = new Live?[16];
        byte fill = 1;
        try
        {
            foreach (var op in ops)
            {
                ref Live? s = ref slots[op.Slot];
                fill = (byte)(fill % 250 + 1);
                switch (op.Kind)
                {
                    case OpKind.Alloc:
                    case OpKind.AllocZeroed:
                    case OpKind.AlignedAlloc:
                        if (s != null) { EbbMemory.Free((void*)s.Ptr); s = null; }
                        nuint align = op.Kind == OpKind.AlignedAlloc ? (nuint)1 << op.AlignShift : 16;
                        byte* p = op.Kind switch
                        {
                            OpKind.Alloc => (byte*)EbbMemory.Alloc((nuint)op.Size),
                            OpKind.AllocZeroed => (byte*)EbbMemory.AllocZeroed((nuint)op.Size),
                            _ => (byte*)EbbMemory.AlignedAlloc((nuint)op.Size, align),
                        };
                        if (op.Kind == OpKind.AllocZeroed)
                            Assert.True(new ReadOnlySpan<byte>(p, op.Size).IndexOfAnyExcept((byte)0) < 0, "AllocZeroed gave a non-zero byte");
                        new Span<byte>(p, op.Size).Fill(fill);
                        s = new Live { Ptr = (nint)p, Size = op.Size, Fill = fill, Alignment = align };
                        break;
                    case OpKind.Realloc:
                        if (s == null)
                        {
                            byte* q = (byte*)EbbMemory.Realloc(null, (nuint)op.Size);
                            new Span<byte>(q, op.Size).Fill(fill);
                            s = new Live { Ptr = (nint)q, Size = op.Size, Fill = fill, Alignment = 16 };
                            break;
                        }
                        byte* r = s.Alignment > 16
                            ? (byte*)EbbMemory.AlignedRealloc((void*)s.Ptr, (nuint)op.Size, s.Alignment)
                            : (byte*)EbbMemory.Realloc((void*)s.Ptr, (nuint)op.Size);
                        int kept = Math.Min(s.Size, op.Size);
                        Assert.True(new ReadOnlySpan<byte>(r, kept).IndexOfAnyExcept(s.Fill) < 0, "Realloc lost contents");
                        new Span<byte>(r, op.Size).Fill(fill);
                        s.Ptr = (nint)r;
                        s.Size = op.Size;
                        s.Fill = fill;
                        break;
                    case OpKind.Free:
                        if (s != null) { Check1(s); EbbMemory.Free((void*)s.Ptr); s = null; }
                        break;
                }
                if (s != null) Check1(s);
            }
            foreach (var b in slots) if (b != null) Check1(b);
            EbbMemory.Validate();
        }
        finally
        {
            foreach (var b in slots) if (b != null) EbbMemory.Free((void*)b.Ptr);
        }
    }
}
