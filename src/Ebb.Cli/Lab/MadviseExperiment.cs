using Ebb.Cli.Interop;
using System.Text;

namespace Ebb.Cli.Lab;

/// <summary>What <c>ebb lab madvise</c> demonstrates, measured. Page counts are exact (pagemap); kB figures are the kernel's.</summary>
/// <param name="Size">Bytes of the anonymous mapping.</param>
/// <param name="Address">Where it was mapped.</param>
/// <param name="ResidentMapped">Its resident pages right after mmap (none: nothing touched yet).</param>
/// <param name="ResidentTouched">Its resident pages after writing every page.</param>
/// <param name="VmRssTouchedKb">The process's VmRSS then.</param>
/// <param name="ResidentAfterDontNeed">Its resident pages after MADV_DONTNEED.</param>
/// <param name="VmRssAfterDontNeedKb">VmRSS then.</param>
/// <param name="ZeroAfterDontNeed">The pages read back as zeros after MADV_DONTNEED (one in 16 is read).</param>
/// <param name="FileText">The first bytes of the private file mapping as mapped.</param>
/// <param name="FileTextChanged">The same bytes after adding 1 to every byte of the page.</param>
/// <param name="FileOnDiskAfterChange">The file's bytes on disk then (unchanged: the mapping is private).</param>
/// <param name="FileTextAfterDontNeed">The mapping's bytes after MADV_DONTNEED: the file's again.</param>
/// <param name="FileAddress">Where the file was mapped.</param>
/// <param name="FreeSupported">The kernel accepted MADV_FREE (Linux 4.5+).</param>
/// <param name="ResidentBeforeFree">Resident pages of a second, touched mapping of the same size.</param>
/// <param name="ResidentAfterFree">Its resident pages after MADV_FREE (unchanged until memory runs short).</param>
/// <param name="LazyFreeKb">smaps LazyFree of its mapping after MADV_FREE.</param>
/// <param name="VmRssAfterFreeKb">VmRSS after MADV_FREE.</param>
/// <param name="ResidentAfterFreeThenDontNeed">Its resident pages after MADV_DONTNEED on top.</param>
/// <param name="VmRssAfterFreeThenDontNeedKb">VmRSS then.</param>
public sealed record MadviseFacts(
    long Size, ulong Address, long ResidentMapped, long ResidentTouched, ulong VmRssTouchedKb,
    long ResidentAfterDontNeed, ulong VmRssAfterDontNeedKb, bool ZeroAfterDontNeed,
    string FileText, string FileTextChanged, string FileOnDiskAfterChange, string FileTextAfterDontNeed, ulong FileAddress,
    bool FreeSupported, long ResidentBeforeFree, long ResidentAfterFree, ulong LazyFreeKb, ulong VmRssAfterFreeKb,
    long ResidentAfterFreeThenDontNeed, ulong VmRssAfterFreeThenDontNeedKb)
{
    /// <summary>Pages in the mapping.</summary>
    public long Pages => Size / Environment.SystemPageSize;
}

/// <summary>
/// madvise: MADV_DONTNEED drops RSS at once (and resets a private file mapping to the file),
/// MADV_FREE only marks pages as reclaimable, so RSS stays until memory runs short.
/// </summary>
public static unsafe class MadviseExperiment
{
    /// <summary>The size of the anonymous mappings (64 MiB).</summary>
    public const long Size = 64L << 20;

    /// <summary>How many bytes of the file mapping are shown.</summary>
    public const int Shown = 10;

    /// <summary>Runs the experiment in this process; <paramref name="progress"/> hears how far it is (0 to 1).</summary>
    public static MadviseFacts Measure(Action<double>? progress = null)
    {
        int page = Environment.SystemPageSize;

        // Part 1: 64 MiB touched, then MADV_DONTNEED.
        nint a = Libc.MapAnonymous((nuint)Size);
        long mapped = Resident(a);
        Touch(a, 1);
        progress?.Invoke(0.2);
        long touched = Resident(a);
        ulong rssTouched = SelfMaps.VmRssKb();
        Libc.Advise(a, (nuint)Size, Libc.MADV_DONTNEED);
        long afterDontNeed = Resident(a);
        ulong rssAfterDontNeed = SelfMaps.VmRssKb();
        // Reading a dropped page faults in the shared zero page; 1 page in 16 is proof enough
        // and spares thousands of faults (slow under virtualization).
        bool zero = true;
        for (long off = 0; off < Size; off += 16L * page) zero &= *(byte*)(a + (nint)off) == 0;
        Libc.Unmap(a, (nuint)Size);
        progress?.Invoke(0.4);

        // Part 2: a private file mapping, changed, then MADV_DONTNEED: the file's bytes come back.
        var (text, changed, onDisk, reset, fileAddress) = FileMapping(page);
        progress?.Invoke(0.5);

        // Part 3: MADV_FREE against MADV_DONTNEED.
        nint b = Libc.MapAnonymous((nuint)Size);
        Touch(b, 2);
        progress?.Invoke(0.7);
        long beforeFree = Resident(b);
        bool freeOk = Libc.TryAdvise(b, (nuint)Size, Libc.MADV_FREE);
        long afterFree = Resident(b);
        ulong lazy = SelfMaps.SmapsContaining((ulong)b)?["LazyFree"] ?? 0;
        ulong rssAfterFree = SelfMaps.VmRssKb();
        Libc.Advise(b, (nuint)Size, Libc.MADV_DONTNEED);
        long afterBoth = Resident(b);
        ulong rssAfterBoth = SelfMaps.VmRssKb();
        Libc.Unmap(b, (nuint)Size);
        progress?.Invoke(1);

        return new MadviseFacts(Size, (ulong)a, mapped, touched, rssTouched, afterDontNeed, rssAfterDontNeed, zero,
            text, changed, onDisk, reset, fileAddress, freeOk, beforeFree, afterFree, lazy, rssAfterFree, afterBoth, rssAfterBoth);
    }

    private static long Resident(nint p) => SelfMaps.ResidentPages((ulong)p, (ulong)Size);

    private static void Touch(nint p, byte value)
    {
        for (long off = 0; off < Size; off += Environment.SystemPageSize) *(byte*)(p + (nint)off) = value;
    }

    // The man-pages example (madvise_dontneed.c): a page of 'a's, mapped private, each byte + 1.
    private static (string Text, string Changed, string OnDisk, string Reset, ulong Address) FileMapping(int page)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ebb-lab-madvise-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}");
        try
        {
            File.WriteAllBytes(path, Enumerable.Repeat((byte)'a', page).ToArray());
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            nint m = Libc.Map((nuint)page, Libc.PROT_READWRITE, Libc.MAP_PRIVATE, (int)file.DangerousGetHandle());
            try
            {
                byte* bytes = (byte*)m;
                string text = Read(bytes);
                for (int i = 0; i < page; i++) bytes[i]++;
                string changed = Read(bytes);
                var disk = new byte[Shown];
                RandomAccess.Read(file, disk, 0);
                Libc.Advise(m, (nuint)page, Libc.MADV_DONTNEED);
                return (text, changed, Encoding.ASCII.GetString(disk), Read(bytes), (ulong)m);
            }
            finally
            {
                Libc.Unmap(m, (nuint)page);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Read(byte* bytes) => Encoding.ASCII.GetString(bytes, Shown);
}
