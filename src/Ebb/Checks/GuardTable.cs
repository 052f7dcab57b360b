using System.Runtime.InteropServices;
using System.Text;
using Ebb.Os;

namespace Ebb.Checks;

/// <summary>
/// The table of guarded regions the native fault reporter (native/ebb_fault.c) reads from
/// its SIGSEGV handler, where no managed code may run: region bounds, the block, its state,
/// and its allocation and free stacks rendered to text ahead of time, all in native memory.
/// The layout must match the C structs. Entries are changed under the guarded heap's lock;
/// an entry's state is written last, so the handler never sees a half-filled live entry.
/// </summary>
internal sealed unsafe class GuardTable
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Entry
    {
        public nint RegionStart, RegionEnd, User;
        public nuint Size;
        public int State;
        public int Pad0, Pad1, Pad2;
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

    private readonly Header* header;
    private readonly Entry* entries;
    private readonly Stack<int> spare = new();

    /// <summary>Reserves a table of <paramref name="capacity"/> entries (address space only; pages are touched as used).</summary>
    public GuardTable(int capacity)
    {
        nuint bytes = (nuint)sizeof(Header) + (nuint)capacity * (nuint)sizeof(Entry);
        nint p = OsMemory.Map(0, OsMemory.RoundUpToPage(bytes), Prot.ReadWrite, MapFlags.Private | MapFlags.Anonymous | MapFlags.NoReserve);
        header = (Header*)p;
        header->Capacity = capacity;
        entries = (Entry*)(p + sizeof(Header));
    }

    /// <summary>The table's address, for <c>ebb_fault_install</c>.</summary>
    public nint Address => (nint)header;

    /// <summary>Adds a live block; returns its entry index, or -1 when the table is full.</summary>
    public int Add(nint regionStart, nint regionEnd, nint user, nuint size, string allocText)
    {
        int i;
        if (spare.Count > 0) i = spare.Pop();
        else if (header->High < header->Capacity) i = (int)header->High;
        else return -1;
        var e = &entries[i];
        e->RegionStart = regionStart;
        e->RegionEnd = regionEnd;
        e->User = user;
        e->Size = size;
        e->AllocText = Text(allocText);
        e->FreeText = 0;
        Volatile.Write(ref e->State, Live);
        if (i == header->High) Volatile.Write(ref header->High, i + 1);
        return i;
    }

    /// <summary>Marks an entry's block freed, with the free stack's text.</summary>
    public void MarkFreed(int i, string freeText)
    {
        if (i < 0) return;
        entries[i].FreeText = Text(freeText);
        Volatile.Write(ref entries[i].State, Freed);
    }

    /// <summary>Empties an entry (its region is gone) and frees its texts.</summary>
    public void Remove(int i)
    {
        if (i < 0) return;
        var e = &entries[i];
        Volatile.Write(ref e->State, Empty);
        NativeMemory.Free((void*)e->AllocText);
        NativeMemory.Free((void*)e->FreeText);
        e->AllocText = e->FreeText = 0;
        spare.Push(i);
    }

    // NUL-terminated UTF-8 in malloc'd memory: the handler reads it with strlen and write(2).
    private static nint Text(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return (nint)p;
    }
}
