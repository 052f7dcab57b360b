using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Fill(nint p, nuint length, byte value)
    {
        byte* b = (byte*)p;
        if (length >= 32 && length <= 64 && Vector256.IsHardwareAccelerated)
        {
            // A redzone: two stores, the second ending at the last byte (no call).
            var v = Vector256.Create(value);
            v.Store(b);
            v.Store(b + length - 32);
            return;
        }
        FillAnyLength(b, length, value);
    }

    private static void FillAnyLength(byte* b, nuint length, byte value)
    {
        if (length >= 16 && length <= 32)
        {
            var v = Vector128.Create(value);
            v.Store(b);
            v.Store(b + length - 16);
        }
        else if (length != 0) NativeMemory.Fill(b, length, value);
    }

    /// <summary>
    /// Whether the <paramref name="length"/> bytes at <paramref name="p"/> all still hold
    /// <paramref name="value"/>: the common answer of every check, so it is the fast path
    /// (whole vectors, the last one overlapping the one before; no call for a redzone).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsIntact(nint p, nuint length, byte value)
    {
        byte* b = (byte*)p;
        if (length >= 32 && length <= 64 && Vector256.IsHardwareAccelerated)
        {
            // A redzone (32 to 47 bytes): two loads, the second ending at the last byte.
            var v = Vector256.Create(value);
            return ((Vector256.Load(b) ^ v) | (Vector256.Load(b + length - 32) ^ v)) == Vector256<byte>.Zero;
        }
        return IsIntactAnyLength(b, length, value);
    }

    private static bool IsIntactAnyLength(byte* b, nuint length, byte value)
    {
        if (length < 16)
        {
            for (nuint i = 0; i < length; i++) if (b[i] != value) return false;
            return true;
        }
        nuint at = 0;
        if (length >= 64 && Vector256.IsHardwareAccelerated)
        {
            var v32 = Vector256.Create(value);
            var diff32 = Vector256<byte>.Zero;
            for (; at + 32 <= length; at += 32) diff32 |= Vector256.Load(b + at) ^ v32;
            diff32 |= Vector256.Load(b + length - 32) ^ v32;
            return diff32 == Vector256<byte>.Zero;
        }
        var v = Vector128.Create(value);
        var diff = Vector128<byte>.Zero;
        for (; at + 16 <= length; at += 16) diff |= Vector128.Load(b + at) ^ v;
        diff |= Vector128.Load(b + length - 16) ^ v;
        return diff == Vector128<byte>.Zero;
    }

    /// <summary>
    /// Finds the bytes of a range that no longer hold <paramref name="value"/>: the first and
    /// last changed offsets, or false when the range is intact.
    /// </summary>
    public static bool FindChanged(nint p, nuint length, byte value, out nuint first, out nuint last)
    {
        first = last = 0;
        if (IsIntact(p, length, value)) return false;
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
