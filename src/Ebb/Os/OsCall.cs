namespace Ebb.Os;

/// <summary>The kinds of system call the Os layer makes and counts.</summary>
public enum OsCall
{
    /// <summary>mmap(2): address space taken from the OS.</summary>
    Mmap,
    /// <summary>munmap(2): address space given back.</summary>
    Munmap,
    /// <summary>mprotect(2): protection changed (guard pages, commit on a reservation).</summary>
    Mprotect,
    /// <summary>madvise(2): pages purged or hinted.</summary>
    Madvise,
    /// <summary>mremap(2): a mapping grown, shrunk or moved without copying.</summary>
    Mremap,
    /// <summary>brk(2): the program break set.</summary>
    Brk,
    /// <summary>sbrk(3): the program break moved by an increment (libc).</summary>
    Sbrk,
    /// <summary>prctl(2): mappings named.</summary>
    Prctl,
}
