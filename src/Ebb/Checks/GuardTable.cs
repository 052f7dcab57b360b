using System.Runtime.InteropServices;
using Ebb.Os;

namespace Ebb.Checks;

/// <summary>
/// The table of guarded regions the native fault reporter (native/ebb_fault.c) reads from
/// its SIGSEGV handler, where no managed code may run: region bounds, the block, its state,
/// the allocating and freeing threads, and the allocation and free frames rendered to text
/// ahead of time, all in native memory. The layout must match the C structs. An entry's
/// state is written last, so the handler never sees a half-filled live entry.
/// <para>
/// Guarded-all mode adds and removes entries (under its lock); sampled mode gives each slot
/// the entry of its own index (<see cref="Fixed"/>), written only by whoever owns the slot
/// at the time (the allocating thread, the freeing thread, the guard thread).
/// </para>
/// <para>
/// Texts are frames only (the handler prints the <c>allocated by thread N at:</c> line),
/// the stack depot's native copies, which live as long as the process: an entry owns none.
/// </para>
/// </summary>
internal sealed unsafe class GuardTable
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Entry
    {
        public nint RegionStart, RegionEnd, User;
        public nuint Size;
        public int State;
        public int AllocThread, FreeThread;
        public int Pad;
        public nint AllocText, FreeText;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Header
    {
        public long Capacity;
        public long High;
    }

    /// <summary>Entry states, as the C side reads them.</summary>
    public const int Empty = 0, Live = 1, Freed = 2;

    private readonly Header* _header;
    private readonly Entry* _entries;
    private readonly Stack<int> _spare = new();

    /// <summary>Reserves a table of <paramref name="capacity"/> entries (address space only; pages are touched as used).</summary>
    public GuardTable(int capacity)
    {
        nuint bytes = (nuint)sizeof(Header) + (nuint)capacity * (nuint)sizeof(Entry);
        nint p = OsMemory.Map(0, OsMemory.RoundUpToPage(bytes), Prot.ReadWrite, MapFlags.Private | MapFlags.Anonymous | MapFlags.NoReserve);
        _header = (Header*)p;
        _header->Capacity = capacity;
        _entries = (Entry*)(p + sizeof(Header));
    }

    /// <summary>A table whose entry i belongs to slot i of the sampled pool (all entries in use, empty until set).</summary>
    public static GuardTable Fixed(int slots)
    {
        var t = new GuardTable(slots);
        Volatile.Write(ref t._header->High, slots);
        return t;
    }

    /// <summary>The table's address, for <c>ebb_fault_install</c>.</summary>
    public nint Address => (nint)_header;

    /// <summary>Adds a live block at a free index; returns the index, or -1 when the table is full.</summary>
    public int Add(nint regionStart, nint regionEnd, nint user, nuint size, int thread, nint allocText)
    {
        int i;
        if (_spare.Count > 0) i = _spare.Pop();
        else if (_header->High < _header->Capacity) i = (int)_header->High;
        else return -1;
        Set(i, regionStart, regionEnd, user, size, thread, allocText);
        if (i == _header->High) Volatile.Write(ref _header->High, i + 1);
        return i;
    }

    /// <summary>Makes entry <paramref name="i"/> a live block.</summary>
    public void Set(int i, nint regionStart, nint regionEnd, nint user, nuint size, int thread, nint allocText)
    {
        var e = &_entries[i];
        Volatile.Write(ref e->State, Empty);
        e->RegionStart = regionStart;
        e->RegionEnd = regionEnd;
        e->User = user;
        e->Size = size;
        e->AllocThread = thread;
        e->FreeThread = 0;
        e->AllocText = allocText;
        e->FreeText = 0;
        Volatile.Write(ref e->State, Live);
    }

    /// <summary>Marks an entry's block freed by <paramref name="thread"/> at the stack whose frames are <paramref name="freeText"/>.</summary>
    public void MarkFreed(int i, int thread, nint freeText)
    {
        if (i < 0) return;
        _entries[i].FreeThread = thread;
        _entries[i].FreeText = freeText;
        Volatile.Write(ref _entries[i].State, Freed);
    }

    /// <summary>Empties an entry (its region is gone) and keeps its index for reuse.</summary>
    public void Remove(int i)
    {
        if (i < 0) return;
        Volatile.Write(ref _entries[i].State, Empty);
        _spare.Push(i);
    }

    /// <summary>Empties entry <paramref name="i"/> of a fixed table (the index stays its slot's).</summary>
    public void Clear(int i) => Volatile.Write(ref _entries[i].State, Empty);
}
