namespace Ebb.Os;

/// <summary>Names the allocator gives its mappings (shown as <c>[anon:NAME]</c> where the kernel supports it).</summary>
internal enum MappingName
{
    /// <summary>Chunk regions and huge blocks: "ebb".</summary>
    Regions,
    /// <summary>The flat page map: "ebb-pagemap".</summary>
    PageTable,
    /// <summary>The chunk map: "ebb-chunkmap".</summary>
    ChunkTable,
    /// <summary>Heap descriptors and other metadata: "ebb-meta".</summary>
    Descriptors,
}

/// <summary>
/// The memory system calls, thin and counted: every call lands in <see cref="OsCounters"/>.
/// The core's forms never throw (a failure is a sentinel and the errno); the .NET host adds
/// throwing forms for its own callers (DotNetHost/OsMemory.cs).
/// </summary>
internal static unsafe partial class OsMemory
{
    private const nint MapFailed = -1;
    private const int EINVAL = 22;
    private static int s_vmaNamesUnsupported;

    /// <summary>The size of a page in bytes (x86-64 Linux: 4096 always; huge pages are opt-in per mapping).</summary>
    public const int PageSize = 4096;

    /// <summary>Rounds <paramref name="size"/> up to a whole number of pages.</summary>
    public static nuint RoundUpToPage(nuint size) => (size + (nuint)PageSize - 1) & ~((nuint)PageSize - 1);

    /// <summary>Whether the process runs under an address-space limit (RLIMIT_AS, <c>ulimit -v</c>).</summary>
    public static bool AddressSpaceLimited
    {
        get
        {
            ulong* limits = stackalloc ulong[2];
            return Native.getrlimit(Native.RLIMIT_AS, limits) == 0 && limits[0] != Native.RlimInfinity;
        }
    }

    /// <summary>mmap(2) that returns 0 and the errno instead of throwing.</summary>
    public static nint TryMap(nint address, nuint length, Prot prot, MapFlags flags, int fd, long offset, out int errno)
    {
        nint p = Native.mmap(address, length, (int)prot, (int)flags, fd, offset);
        bool failed = p == MapFailed;
        errno = failed ? Native.LastError : 0;
        OsCounters.Count(OsCall.Mmap, (long)length, failed, errno);
        return failed ? 0 : p;
    }

    /// <summary>munmap(2); false when the kernel refused (only for a range that was never a mapping of ours).</summary>
    public static bool TryUnmap(nint address, nuint length)
    {
        bool failed = Native.munmap(address, length) != 0;
        OsCounters.Count(OsCall.Munmap, (long)length, failed, failed ? Native.LastError : 0);
        return !failed;
    }

    /// <summary>mprotect(2) that returns false instead of throwing (ENOMEM where commit is strictly accounted).</summary>
    public static bool TryProtect(nint address, nuint length, Prot prot)
    {
        bool failed = Native.mprotect(address, length, (int)prot) != 0;
        OsCounters.Count(OsCall.Mprotect, (long)length, failed, failed ? Native.LastError : 0);
        return !failed;
    }

    /// <summary>madvise(2) that returns false instead of throwing (MADV_FREE is missing on old kernels).</summary>
    public static bool TryAdvise(nint address, nuint length, Advice advice)
    {
        bool failed = Native.madvise(address, length, (int)advice) != 0;
        OsCounters.Count(OsCall.Madvise, (long)length, failed, failed ? Native.LastError : 0);
        return !failed;
    }

    /// <summary>mremap(2) that returns 0 and the errno instead of throwing.</summary>
    public static nint TryRemap(nint address, nuint oldLength, nuint newLength, RemapFlags flags, nint newAddress, out int errno)
    {
        nint p = Native.mremap(address, oldLength, newLength, (int)flags, newAddress);
        bool failed = p == MapFailed;
        errno = failed ? Native.LastError : 0;
        OsCounters.Count(OsCall.Mremap, (long)newLength, failed, errno);
        return failed ? 0 : p;
    }

    /// <summary>
    /// brk(2), the system call itself (not libc's wrapper): sets the program break and
    /// returns the break now in force. The kernel returns the old break when it refuses,
    /// so a result below <paramref name="address"/> means the request failed.
    /// </summary>
    public static nint Brk(nint address)
    {
        nint before = address == 0 ? 0 : (nint)Native.syscall1(Native.SYS_brk, 0);
        nint now = (nint)Native.syscall1(Native.SYS_brk, address);
        bool failed = address != 0 && now != address;
        long moved = (long)now - before;
        OsCounters.Count(OsCall.Brk, address == 0 ? 0 : (moved < 0 ? -moved : moved), failed, failed ? 12 : 0);
        return now;
    }

    /// <summary>The current program break (<c>brk(0)</c>), counted as a brk call.</summary>
    public static nint CurrentBreak => Brk(0);

    /// <summary>sbrk(3) from libc: moves the break by <paramref name="increment"/> and returns the old break, or -1 and the errno.</summary>
    public static nint TrySbrk(nint increment, out int errno)
    {
        nint old = Native.sbrk(increment);
        bool failed = old == MapFailed;
        errno = failed ? Native.LastError : 0;
        OsCounters.Count(OsCall.Sbrk, increment < 0 ? -(long)increment : increment, failed, errno);
        return old;
    }

    /// <summary>
    /// Names an anonymous mapping (shown as <c>[anon:NAME]</c> in /proc/PID/maps) through
    /// <c>prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME)</c>. Kernels built without
    /// CONFIG_ANON_VMA_NAME answer EINVAL: then this returns false, once and for all, silently.
    /// </summary>
    internal static bool TryNameMapping(nint address, nuint length, MappingName name)
    {
        byte* text = stackalloc byte[16];
        WriteName(name, text);
        return TryNameMapping(address, length, text);
    }

    /// <summary>As the other form, with the name as a NUL-terminated UTF-8 string.</summary>
    internal static bool TryNameMapping(nint address, nuint length, byte* name)
    {
        if (Volatile.Read(ref s_vmaNamesUnsupported) != 0) return false;
        int rc = Native.prctl(Native.PR_SET_VMA, Native.PR_SET_VMA_ANON_NAME, (nuint)address, length, (nuint)name);
        bool failed = rc != 0;
        int errno = failed ? Native.LastError : 0;
        OsCounters.Count(OsCall.Prctl, (long)length, failed, errno);
        if (errno == EINVAL) Volatile.Write(ref s_vmaNamesUnsupported, 1);
        return !failed;
    }

    /// <summary>Writes the mapping's name as a NUL-terminated ASCII string (at most 15 characters).</summary>
    private static void WriteName(MappingName name, byte* to)
    {
        int n = 0;
        to[n++] = (byte)'e'; to[n++] = (byte)'b'; to[n++] = (byte)'b';
        ulong suffix = name switch
        {
            // The suffix's characters, low byte first.
            MappingName.PageTable => 0x70616d65676170_2d,   // "-pagemap"
            MappingName.ChunkTable => 0,
            MappingName.Descriptors => 0x6174656d2d,             // "-meta"
            _ => 0,
        };
        if (name == MappingName.ChunkTable)
        {
            // "-chunkmap" is nine characters: one more than a ulong holds.
            to[n++] = (byte)'-';
            suffix = 0x70616d6b6e756863;                  // "chunkmap"
        }
        for (; suffix != 0; suffix >>= 8) to[n++] = (byte)suffix;
        to[n] = 0;
    }
}
