using System.Buffers;

namespace Ebb;

/// <summary>
/// One Ebb block as a <see cref="Memory{T}"/> (what <see cref="EbbMemoryPool"/> hands out).
/// The block is native, so it never moves: <see cref="Pin"/> only returns its address.
/// Disposing frees it, once: a second <see cref="IDisposable.Dispose"/> does nothing, and
/// <see cref="MemoryManager{T}.Memory"/>, <see cref="GetSpan"/> and <see cref="Pin"/> after it throw
/// <see cref="ObjectDisposedException"/> (so does <c>Span</c> of a <see cref="Memory{T}"/> taken
/// earlier), instead of handing out freed memory.
/// </summary>
internal sealed unsafe class EbbMemoryManager : MemoryManager<byte>
{
    private byte* _pointer;
    private readonly int _length;
    private int _disposed;

    private EbbMemoryManager(byte* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    /// <summary>
    /// A new block of <paramref name="length"/> bytes: in a 24-byte <see cref="EbbPackedMemoryManager"/>
    /// when it fits (below 128 KiB, as a pipe's segments are), else in this 32-byte one.
    /// </summary>
    public static MemoryManager<byte> Allocate(int length)
    {
        if (length <= EbbPackedMemoryManager.MaxLength)
        {
            if (EbbPackedMemoryManager.TryAllocate(length, out void* block) is { } packed) return packed;
            EbbMemory.Free(block);
        }
        return new EbbMemoryManager((byte*)EbbMemory.Alloc((nuint)length), length);
    }

    /// <summary>Whether the block has been freed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The block as a span.</summary>
    /// <exception cref="ObjectDisposedException">The block has been freed.</exception>
    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return new Span<byte>(_pointer, _length);
    }

    /// <summary>The address of element <paramref name="elementIndex"/>; the block never moves, so nothing is pinned.</summary>
    /// <exception cref="ObjectDisposedException">The block has been freed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="elementIndex"/> is outside the block.</exception>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        return new MemoryHandle(_pointer + elementIndex);
    }

    /// <summary>Nothing to undo: <see cref="Pin"/> pins nothing.</summary>
    public override void Unpin()
    {
    }

    /// <summary>Frees the block on the first call; later calls do nothing.</summary>
    /// <param name="disposing">Whether called from <see cref="IDisposable.Dispose"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        byte* p = _pointer;
        _pointer = null;
        EbbMemory.Free(p);
    }
}
