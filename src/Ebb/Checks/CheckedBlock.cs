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
/// The first word is left to the allocator, whose free list takes it once the block is given
/// back; the rest stays as it was until the memory is handed out again, so a late second
/// free still finds the state Free. A header is recognised by <see cref="Key"/>: the block's
/// address mixed with its heap's random key, so an ordinary block's bytes, or another heap's
/// header, do not pass. Neighbouring fields also have a combined name (<see cref="Stacks"/>,
/// <see cref="Threads"/>, <see cref="LeftAndSlot"/>, <see cref="StateAndReported"/>), so a new
/// header is written in seven stores.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct CheckedBlock
{
    /// <summary>The size of the header in bytes.</summary>
    public const int HeaderSize = 64;

    /// <summary>Not used by the checks: the allocator's free-list link once the block is given back.</summary>
    [FieldOffset(0)] public nint AllocatorLink;
    /// <summary>The user address XOR the heap's key: a header passes only for its own block and heap.</summary>
    [FieldOffset(8)] public ulong Key;
    /// <summary>The size asked for.</summary>
    [FieldOffset(16)] public nuint Size;
    /// <summary>The allocator block's length in bytes as used (header, redzones, block).</summary>
    [FieldOffset(24)] public nuint Total;
    /// <summary>The allocation stack's id in the stack depot.</summary>
    [FieldOffset(32)] public uint AllocStack;
    /// <summary>The free stack's id (once freed).</summary>
    [FieldOffset(36)] public uint FreeStack;
    /// <summary><see cref="AllocStack"/> and <see cref="FreeStack"/> as one word (little-endian: the allocation stack low).</summary>
    [FieldOffset(32)] public ulong Stacks;
    /// <summary>The managed thread id of the allocating thread.</summary>
    [FieldOffset(40)] public int AllocThread;
    /// <summary>The managed thread id of the freeing thread (once freed).</summary>
    [FieldOffset(44)] public int FreeThread;
    /// <summary><see cref="AllocThread"/> and <see cref="FreeThread"/> as one word (the allocating thread low).</summary>
    [FieldOffset(40)] public ulong Threads;
    /// <summary>The user address's distance from the header: header, left redzone, alignment.</summary>
    [FieldOffset(48)] public uint Left;
    /// <summary>The block's entry in the live index (-1: not indexed).</summary>
    [FieldOffset(52)] public int Slot;
    /// <summary><see cref="Left"/> and <see cref="Slot"/> as one word (Left low).</summary>
    [FieldOffset(48)] public ulong LeftAndSlot;
    /// <summary>A <see cref="CheckedState"/>.</summary>
    [FieldOffset(56)] public byte State;
    /// <summary>Non-zero once an error about this block has been reported, so it is not reported again.</summary>
    [FieldOffset(57)] public byte Reported;
    /// <summary><see cref="State"/> and <see cref="Reported"/> as one store (State low).</summary>
    [FieldOffset(56)] public ushort StateAndReported;
}
