using System.Buffers;

namespace Ebb.Tests.Pool;

/// <summary>A pool that hands out the inner pool's buffers and counts the owners rented and still outstanding.</summary>
internal sealed class CountingPool(MemoryPool<byte> inner) : MemoryPool<byte>
{
    private long _rented;
    private long _outstanding;

    public long Rented => Interlocked.Read(ref _rented);
    public long Outstanding => Interlocked.Read(ref _outstanding);

    public override int MaxBufferSize => inner.MaxBufferSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        Interlocked.Increment(ref _rented);
        Interlocked.Increment(ref _outstanding);
        return new Owner(inner.Rent(minBufferSize), this);
    }

    protected override void Dispose(bool disposing) { }

    private sealed class Owner(IMemoryOwner<byte> owner, CountingPool pool) : IMemoryOwner<byte>
    {
        private int _disposed;
        public Memory<byte> Memory => owner.Memory;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            owner.Dispose();
            Interlocked.Decrement(ref pool._outstanding);
        }
    }
}
