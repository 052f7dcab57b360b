using System.Runtime.InteropServices;

namespace Ebb.Checks;

/// <summary>
/// The fill patterns of libebb.so's checked and guarded modes: writing one (libc's memset) and
/// finding where a written one was changed (a word at a time until the first difference).
/// </summary>
internal static unsafe class Pattern
{
    /// <summary>Fills <paramref name="n"/> bytes at <paramref name="p"/> with <paramref name="v"/>.</summary>
    public static void Fill(byte* p, nuint n, byte v) => NativeMemory.Fill(p, n, v);

    /// <summary>
    /// Whether any of the <paramref name="n"/> bytes at <paramref name="p"/> differs from
    /// <paramref name="v"/>; the offsets of the first and last that do (-1 when none).
    /// </summary>
    public static bool Changed(byte* p, nuint n, byte v, out long first, out long last)
    {
        ulong w = v * 0x0101010101010101ul;
        first = -1;
        last = -1;
        nuint i = 0;
        for (; i + 8 <= n; i += 8)
            if (*(ulong*)(p + i) != w) break;
        for (; i < n; i++)
        {
            if (p[i] == v) continue;
            if (first < 0) first = (long)i;
            last = (long)i;
        }
        return first >= 0;
    }
}
