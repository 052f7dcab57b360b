using System.Diagnostics;

namespace Ebb.Arena;

/// <summary>
/// The last few thousand huge blocks freed (block start and usable size), so that a second
/// free of one is named a double free with its size: once freed, a huge block's mapping is
/// cached or unmapped and its chunk map entries cleared, so without this the pointer looks
/// like one Ebb never handed out. Only a pointer exactly at a freed block's start matches
/// (an interior one stays "not Ebb's"), so a foreign mapping that later lands in the range
/// is never taken for a freed block unless a pointer into it falls on an old block start.
/// A ring, oldest overwritten first; under the arena lock.
/// </summary>
internal static unsafe class FreedHuge
{
    /// <summary>Blocks remembered.</summary>
    public const int Capacity = 4096;

    /// <summary>The ring: each freed block's start and usable size.</summary>
    private unsafe struct Ring
    {
        public fixed ulong Starts[Capacity];
        public fixed ulong Sizes[Capacity];
    }

    private static Ring s_ring;
    private static int s_next, s_count;

    /// <summary>Remembers the huge block at <paramref name="start"/> of <paramref name="usable"/> bytes as freed.</summary>
    public static void RecordLocked(nuint start, nuint usable)
    {
        Debug.Assert(ArenaLock.IsHeld);
        s_ring.Starts[s_next] = start;
        s_ring.Sizes[s_next] = usable;
        s_next = (s_next + 1) % Capacity;
        if (s_count < Capacity) s_count++;
    }

    /// <summary>The usable size of the freed huge block starting at <paramref name="start"/>, or 0 when none is remembered. The newest match wins.</summary>
    public static nuint SizeOf(nuint start)
    {
        using (ArenaLock.Hold())
        {
            // Only an address nobody maps now may be called freed: a live chunk or huge block there is newer.
            if (ChunkMap.Get(start) != ChunkMap.None) return 0;
            for (int k = 1; k <= s_count; k++)
            {
                int i = (s_next - k + Capacity) % Capacity;
                if (s_ring.Starts[i] == start) return (nuint)s_ring.Sizes[i];
            }
            return 0;
        }
    }
}
