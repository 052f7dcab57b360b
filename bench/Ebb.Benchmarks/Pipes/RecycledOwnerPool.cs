using System.Buffers;

namespace Ebb.Benchmarks.Pipes;

/// <summary>
/// What reusing owner objects would buy, measured, not shipped: Ebb blocks behind owners taken
/// from a bounded stack (256) and pushed back on Dispose, so a pipe in steady state allocates no
/// managed object per segment. It is unsafe as a general pool, which is why EbbMemoryPool does not
/// do it: an owner disposed twice, the second time after it was rented again, frees the new
/// renter's block (IMemoryOwner.Dispose carries nothing that could tell the two leases apart),
/// and a stale Memory&lt;byte&gt; reads the new renter's data instead of throwing. A Pipe disposes
/// each owner once and drops it, so here it is only a measurement.
/// </summary>
internal sealed class RecycledOwnerPool : MemoryPool<byte>
{
    private const int Capacity = 256;
    private readonly Owner[] _free = new Owner[Capacity];
    private int _count;
    private readonly Lock _gate = new();

    /// <summary>Any length: the blocks are native.</summary>
    public override int MaxBufferSize => int.MaxValue;

    /// <summary>An owner from the stack (or a new one) holding a fresh Ebb block.</summary>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize < 0) minBufferSize = 4096;
        Owner? owner = null;
        lock (_gate)
            if (_count > 0) owner = _free[--_count];
        owner ??= new Owner(this);
        owner.Take(minBufferSize);
        return owner;
    }

    private void Return(Owner owner)
    {
        lock (_gate)
            if (_count < Capacity) _free[_count++] = owner;
    }

    /// <summary>Nothing held beyond the stack of owners.</summary>
    protected override void Dispose(bool disposing)
    {
    }

    private sealed unsafe class Owner(RecycledOwnerPool pool) : MemoryManager<byte>
    {
        private byte* _pointer;
        private int _length;

        public void Take(int length)
        {
            _pointer = (byte*)EbbMemory.Alloc((nuint)length);
            _length = length;
        }

        public override Span<byte> GetSpan() => new(_pointer, _length);

        public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
            byte* p = _pointer;
            _pointer = null;
            EbbMemory.Free(p);
            pool.Return(this);
        }
    }
}
