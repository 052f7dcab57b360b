using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Ebb.Proc;

/// <summary>
/// /proc/PID/pagemap: one 64-bit entry per virtual page. Bit 63 says the page is present in
/// RAM, bit 62 that it is swapped out. Unprivileged readers see the frame numbers zeroed but
/// the flags intact, which is all that counting resident pages of a range needs: a figure
/// exact to the page, where smaps only gives the RSS of a whole (possibly merged) mapping.
/// </summary>
public static class Pagemap
{
    private const int EntrySize = 8;
    private const ulong PresentBit = 1UL << 63;

    /// <summary>How many pages of [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) are resident.</summary>
    /// <param name="pid">A process id or <c>self</c>.</param>
    /// <param name="start">First address (rounded down to a page).</param>
    /// <param name="length">Bytes (the range is widened to whole pages).</param>
    /// <param name="root">The procfs root.</param>
    /// <exception cref="ProcReadException">The file cannot be opened or read.</exception>
    public static long CountResident(string pid, ulong start, ulong length, string root = ProcPaths.DefaultRoot)
    {
        ulong page = (ulong)Environment.SystemPageSize;
        ulong first = start / page;
        ulong last = (start + length + page - 1) / page;
        string path = ProcPaths.For(root, pid, "pagemap");
        using SafeFileHandle handle = ProcFile.Open(path);
        var buffer = new byte[64 * 1024];
        long present = 0;
        for (ulong p = first; p < last;)
        {
            int want = (int)Math.Min((ulong)buffer.Length / EntrySize, last - p) * EntrySize;
            int got = ProcFile.Read(handle, path, buffer.AsSpan(0, want), (long)(p * EntrySize));
            if (got < EntrySize) throw new ProcReadException(ProcReadErrorKind.Truncated, path, "short read");
            for (int i = 0; i + EntrySize <= got; i += EntrySize)
                if ((BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(i)) & PresentBit) != 0) present++;
            p += (ulong)(got / EntrySize);
        }
        return present;
    }
}
