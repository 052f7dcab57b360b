using System.Runtime.InteropServices;

namespace Ebb.Checks;

/// <summary>
/// The fill bytes of the checks, chosen as ASan and the debug CRTs choose them: odd,
/// unlikely as real data, different per meaning so a hex dump says what it is.
/// </summary>
internal static unsafe class Poison
{
    /// <summary>New blocks (not zeroed): reads of uninitialised memory show 0xAAAA….</summary>
    public const byte Junk = 0xAA;
    /// <summary>Freed blocks in quarantine: a write after free changes it.</summary>
    public const byte Freed = 0xDD;
    /// <summary>The redzone before a block (and the left slack of a guarded block).</summary>
    public const byte Left = 0xFA;
    /// <summary>The redzone after a block (and the right slack of a guarded block).</summary>
    public const byte Right = 0xFB;

    /// <summary>Fills <paramref name="length"/> bytes at <paramref name="p"/> with <paramref name="value"/>.</summary>
    public static void Fill(nint p, nuint length, byte value)
    {
        if (length != 0) NativeMemory.Fill((void*)p, length, value);
    }

    /// <summary>
    /// Finds the bytes of a range that no longer hold <paramref name="value"/>: the first and
    /// last changed offsets, or false when the range is intact.
    /// </summary>
    public static bool FindChanged(nint p, nuint length, byte value, out nuint first, out nuint last)
    {
        first = last = 0;
        bool found = false;
        // Spans hold at most 2^31 bytes: walk a huge block in chunks.
        const nuint Chunk = 1u << 30;
        for (nuint at = 0; at < length; at += Chunk)
        {
            int n = (int)Math.Min(Chunk, length - at);
            var span = new ReadOnlySpan<byte>((void*)(p + (nint)at), n);
            int f = span.IndexOfAnyExcept(value);
            if (f < 0) continue;
            if (!found) first = at + (nuint)f;
            found = true;
            last = at + (nuint)span.LastIndexOfAnyExcept(value);
        }
        return found;
    }
}
