using System.Buffers;

namespace Ebb;

/// <summary>
/// A <see cref="MemoryPool{T}"/> whose buffers are Ebb blocks: native memory, pinned by nature,
/// outside the GC heap (a pipe's segments neither grow it nor trigger collections) and given back
/// to the OS when freed, after Ebb's purge delay. Use it as
/// <c>new PipeOptions(pool: EbbMemoryPool.Shared)</c>. The pool keeps nothing itself: each
/// <see cref="IMemoryOwner{T}"/> it hands out owns one block and frees it on its first
/// <see cref="IDisposable.Dispose"/>; later calls do nothing. An owner that is never disposed
/// leaks its block, as a block from <see cref="EbbMemory.Alloc(nuint)"/> that is never freed does.
/// <para>
/// Each rent allocates one owner object (24 bytes below 128 KiB), which is why a pipe of 4 KiB
/// segments still sees a few Gen0 GCs (about 3 a GiB, 0.6 ms of pause each: docs/benchmarks.md).
/// Owners are deliberately not reused: <see cref="IDisposable.Dispose"/> carries nothing that tells
/// one lease of a reused owner from the next, so a second Dispose after the owner was rented
/// again would free the new renter's block, and a stale <see cref="Memory{T}"/> would read its
/// data instead of throwing. A fresh owner per rent makes both impossible.
/// </para>
/// </summary>
public sealed class EbbMemoryPool : MemoryPool<byte>
{
    /// <summary>The size of a buffer rented with no minimum (<c>Rent()</c> or <c>Rent(-1)</c>): a page, as .NET's own pool.</summary>
    public const int DefaultBufferSize = 4096;

    /// <summary>
    /// The pool to use: it has no state, so one instance serves the whole process (hides
    /// <see cref="MemoryPool{T}.Shared"/>, which is .NET's array pool).
    /// </summary>
    public static new EbbMemoryPool Shared { get; } = new();

    /// <summary>The largest buffer a <see cref="Memory{T}"/> can describe: native blocks have no array length limit below it.</summary>
    public override int MaxBufferSize => int.MaxValue;

    /// <summary>
    /// A buffer of exactly <paramref name="minBufferSize"/> bytes (<see cref="DefaultBufferSize"/>
    /// for -1), not zeroed. Exactly: a pipe asks for its segment size, and Ebb's size classes
    /// hold the powers of two whole, so asking the block's usable size would only cost a lookup.
    /// </summary>
    /// <param name="minBufferSize">The least number of bytes, or -1 for <see cref="DefaultBufferSize"/>.</param>
    /// <returns>The owner of the buffer; dispose it to free the block.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minBufferSize"/> is below -1.</exception>
    /// <exception cref="OutOfMemoryException">Ebb could not get the memory.</exception>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize == -1) minBufferSize = DefaultBufferSize;
        ArgumentOutOfRangeException.ThrowIfNegative(minBufferSize);
        return EbbMemoryManager.Allocate(minBufferSize);
    }

    /// <summary>Nothing to release: the pool holds no memory (outstanding owners stay valid until disposed).</summary>
    /// <param name="disposing">Unused.</param>
    protected override void Dispose(bool disposing)
    {
    }
}
