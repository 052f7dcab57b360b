namespace Ebb.Os;

/// <summary>Page protection bits for mmap and mprotect (PROT_* in sys/mman.h).</summary>
[Flags]
internal enum Prot
{
    /// <summary>No access: any touch faults (guard pages, reserved address space).</summary>
    None = 0,
    /// <summary>Pages may be read.</summary>
    Read = 1,
    /// <summary>Pages may be written.</summary>
    Write = 2,
    /// <summary>Pages may be executed.</summary>
    Exec = 4,
    /// <summary>Read and write, the usual protection of heap memory.</summary>
    ReadWrite = Read | Write,
}

/// <summary>Mapping flags for mmap (MAP_* in sys/mman.h, x86-64 values).</summary>
[Flags]
internal enum MapFlags
{
    /// <summary>Changes are visible to other processes mapping the same object.</summary>
    Shared = 0x01,
    /// <summary>Copy-on-write mapping private to this process.</summary>
    Private = 0x02,
    /// <summary>Place the mapping exactly at the address given (replacing what was there).</summary>
    Fixed = 0x10,
    /// <summary>Not backed by a file; pages start zeroed.</summary>
    Anonymous = 0x20,
    /// <summary>Do not reserve swap or count against overcommit: for large reservations.</summary>
    NoReserve = 0x4000,
    /// <summary>Prefault the pages now.</summary>
    Populate = 0x8000,
    /// <summary>Like Fixed, but fail with EEXIST instead of replacing an existing mapping.</summary>
    FixedNoReplace = 0x100000,
}

/// <summary>madvise advice values (MADV_* in sys/mman.h).</summary>
internal enum Advice
{
    /// <summary>No special treatment.</summary>
    Normal = 0,
    /// <summary>Drop the pages now: anonymous memory reads back as zeros, a private file mapping as the file.</summary>
    DontNeed = 4,
    /// <summary>The kernel may reclaim the pages lazily, under memory pressure; RSS falls only then.</summary>
    Free = 8,
    /// <summary>Free the pages and the backing store (shmem, tmpfs).</summary>
    Remove = 9,
    /// <summary>Exclude the range from a fork's child.</summary>
    DontFork = 10,
    /// <summary>Back the range with transparent huge pages where possible.</summary>
    HugePage = 14,
    /// <summary>Do not back the range with transparent huge pages.</summary>
    NoHugePage = 15,
}

/// <summary>mremap flags (MREMAP_* in sys/mman.h).</summary>
[Flags]
internal enum RemapFlags
{
    /// <summary>Do not move: grow or shrink in place or fail.</summary>
    None = 0,
    /// <summary>The kernel may move the mapping to a new address.</summary>
    MayMove = 1,
    /// <summary>Move to the exact new address given.</summary>
    Fixed = 2,
}
