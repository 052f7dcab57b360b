using System.Runtime.InteropServices;

namespace Ebb.Checks;

/// <summary>The state of a checked block, kept in its header.</summary>
internal enum CheckedState : byte
{
    /// <summary>Allocated and not freed.</summary>
    Live = 1,
    /// <summary>Being freed by one thread (the state a free takes first, so a second free loses the race).</summary>
    Freeing = 2,
    /// <summary>Freed, poisoned with 0xDD, held back in the quarantine.</summary>
    Quarantined = 3,
    /// <summary>Left the quarantine; its memory is the allocator's again.</summary>
    Free = 4,
}

/// <summary>
/// The header of a checked block: the first 64 bytes of the allocator block that holds it,
/// before the left redzone, so checked mode keeps no managed object per allocation.
/// <code>
///   base        base+64              user               user+size          base+total
///   | header    | left redzone 0xFA  | the block 0xAA   | right redzone 0xFB |
/// </code>
/// The first word is the quarantine's link while the block is quarantined, and the
/// allocator's free-list link once the block is given back; the rest stays as it was until
/// the memory is handed out again, so a late second free still finds the state Free.
/// A header is recognised by <see cref="Key"/>: the block's address mixed with its heap's
/// random key, so an ordinary block's bytes, or another heap's header, do not pass.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
internal struct CheckedBlock
{
    /// <summary>The size of the header in bytes.</summary>
    public const int HeaderSize = 64;

    /// <summary>The next block in the quarantine (a thread's, or the heap's), oldest first.</summary>
    public nint Link;
    /// <summary>The user address XOR the heap's key: a header passes only for its own block and heap.</summary>
    public ulong Key;
    /// <summary>The size asked for.</summary>
    public nuint Size;
    /// <summary>The allocator block's length in bytes as used (header, redzones, block).</summary>
    public nuint Total;
    /// <summary>The allocation stack's id in the stack depot.</summary>
    public uint AllocStack;
    /// <summary>The free stack's id (once freed).</summary>
    public uint FreeStack;
    /// <summary>The managed thread id of the allocating thread.</summary>
    public int AllocThread;
    /// <summary>The managed thread id of the freeing thread (once freed).</summary>
    public int FreeThread;
    /// <summary>The user address's distance from the header: header, left redzone, alignment.</summary>
    public uint Left;
    /// <summary>The block's entry in the live index (-1: not indexed).</summary>
    public int Slot;
    /// <summary>A <see cref="CheckedState"/>.</summary>
    public byte State;
    /// <summary>Non-zero once an error about this block has been reported, so it is not reported again.</summary>
    public byte Reported;
    /// <summary>The EbbHeap that allocated the block (0: EbbMemory), so the heap's Dispose frees only its own.</summary>
    public uint Owner;
}
