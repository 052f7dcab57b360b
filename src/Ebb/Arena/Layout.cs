namespace Ebb.Arena;

/// <summary>
/// The fixed geometry of Ebb's address space. Everything the fast path computes with a
/// mask or a shift is a constant here, so the JIT folds it into the instruction.
/// </summary>
internal static class Layout
{
    /// <summary>A slice, the unit the arena hands out: 64 KiB.</summary>
    public const int SliceShift = 16;
    public const nuint SliceSize = (nuint)1 << SliceShift;

    /// <summary>A chunk: 32 MiB, aligned to its size, so <c>ptr &amp; ~ChunkMask</c> is its header.</summary>
    public const int ChunkShift = 25;
    public const nuint ChunkSize = (nuint)1 << ChunkShift;
    public const nuint ChunkMask = ChunkSize - 1;
    public const int SlicesPerChunk = 1 << (ChunkShift - SliceShift); // 512
    public const int SliceIndexMask = SlicesPerChunk - 1;

    /// <summary>Where, inside a chunk header, the slice map (<c>Page*</c> per slice) and the page descriptors begin.</summary>
    public const int SliceMapOffset = 4096;
    public const int PagesOffset = 8192;
    public const int PageDescriptorSize = 192;

    /// <summary>Slices taken by the chunk header: 8 KiB of fields and slice map plus 512 × 192-byte page descriptors.</summary>
    public const int HeaderSlices = (PagesOffset + SlicesPerChunk * PageDescriptorSize + (int)SliceSize - 1) >> SliceShift; // 2

    /// <summary>User space on x86-64 is below 2^47; the chunk map covers exactly that.</summary>
    public const int AddressBits = 47;
    public const nuint ChunkMapEntries = (nuint)1 << (AddressBits - ChunkShift);

    /// <summary>Sizes up to this many bytes come from size-class pages (blocks of one size).</summary>
    public const nuint MaxSmallSize = 128 * 1024;

    /// <summary>Sizes above this are mapped directly (huge); between MaxSmallSize and this, a span of slices (large).</summary>
    public const nuint HugeThreshold = 4 * 1024 * 1024;

    /// <summary>Address space reserved at a time for chunks (the "region"): 8 chunks, 256 MiB, no RSS until touched.</summary>
    public const int ChunksPerRegion = 8;

    /// <summary>Bytes of the first page of a huge mapping that hold its header.</summary>
    public const nuint HugeHeaderSize = 4096;

    public static nuint AlignUp(nuint value, nuint alignment) => (value + alignment - 1) & ~(alignment - 1);
}
