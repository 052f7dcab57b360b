namespace Ebb.Checks;

/// <summary>
/// A small memory of blocks that left the quarantine, for the case where a block's own
/// header can no longer say it was freed: its memory went back to the operating system (a
/// huge block, a span given back) or was handed out again as something else. A second free
/// of such a block is then still named a double free, with both stacks. Direct-mapped by
/// address: a newer record replaces an older one in the same place, so it remembers about
/// the last few thousand blocks, never more memory than its fixed table. Under the heap's lock.
/// </summary>
internal sealed class FreedRecords
{
    private const int Length = 4096;

    /// <summary>What a double-free report needs about a freed block.</summary>
    public readonly record struct Record(nint User, nuint Size, uint AllocStack, int AllocThread, uint FreeStack, int FreeThread);

    private readonly Record[] _records = new Record[Length];

    /// <summary>Remembers a block that left the quarantine.</summary>
    public void Add(in Record r) => _records[Slot(r.User)] = r;

    /// <summary>The record of the block at <paramref name="user"/>, when it is still remembered.</summary>
    public bool TryGet(nint user, out Record r)
    {
        r = _records[Slot(user)];
        return r.User == user && user != 0;
    }

    // Blocks are at least 16-byte aligned: mix the bits above before masking.
    private static int Slot(nint user) => (int)(((ulong)user >> 4) * 0x9E3779B97F4A7C15ul >> 52);
}
