using System.Runtime.InteropServices;
using Ebb.Os;

namespace Ebb.Checks;

/// <summary>
/// The table of guarded regions the native fault reporter (native/ebb_fault.c) reads from
/// its SIGSEGV handler, where no managed code may run: region bounds, the block, its state,
/// the allocating and freeing threads and the stack depot ids of the allocation and the free,
/// all in native memory. The layout must match the C structs. An entry's state is written
/// last, so the handler never sees a half-filled live entry.
/// <para>
/// Guarded-all mode adds and removes entries (under its lock); sampled mode gives each slot
/// the entry of its own index (<see cref="Fixed"/>), written only by whoever owns the slot
/// at the time (the allocating thread, the freeing thread, the guard thread).
/// </para>
/// <para>
/// The handler prints a stack from the depot's native texts (<see cref="StackDepot.NativeTexts"/>),
/// which the header points to. A stack is rendered (and symbolized) only when a report needs
/// it, not when it is captured: the handler raises <see cref="RenderRequests"/>, and the
/// thread waiting on it renders the stacks of every entry in use (<see cref="RenderStacks"/>).
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
        public uint AllocStack, FreeStack;
        public int Pad;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Header
    {
        public long Capacity;
        public long High;
        public nint Stacks;
        public long RenderFd;
    }

    /// <summary>Entry states, as the C side reads them.</summary>
    public const int Empty = 0, Live = 1, Freed = 2;

    private readonly Header* _header;
    private readonly Entry* _entries;
    private readonly Stack<int> _spare = new();
    // Raised by the fault handler (from a signal handler: an eventfd) when a stack it must print is not rendered yet.
    private readonly Ebb.DotNetHost.Wakeup _renderRequests = new();

    /// <summary>Reserves a table of <paramref name="capacity"/> entries (address space only; pages are touched as used).</summary>
    public GuardTable(int capacity)
    {
        nuint bytes = (nuint)sizeof(Header) + (nuint)capacity * (nuint)sizeof(Entry);
        nint p = OsMemory.Map(0, OsMemory.RoundUpToPage(bytes), Prot.ReadWrite, MapFlags.Private | MapFlags.Anonymous | MapFlags.NoReserve);
        _header = (Header*)p;
        _header->Capacity = capacity;
        _header->Stacks = StackDepot.Shared.NativeTexts;
        _header->RenderFd = -1;
        _entries = (Entry*)(p + sizeof(Header));
    }

    /// <summary>The fault handler's requests for stacks to be rendered (the thread that serves them waits on it).</summary>
    public Ebb.DotNetHost.Wakeup RenderRequests => _renderRequests;

    /// <summary>Tells the fault handler that a thread now serves <see cref="RenderRequests"/> (until then it prints no frames it lacks).</summary>
    public void PublishRenderer() => Volatile.Write(ref _header->RenderFd, _renderRequests.Fd);

    /// <summary>Renders the stacks of every entry in use into the depot's native texts (a racy read: an id is always one the depot handed out).</summary>
    public void RenderStacks()
    {
        long high = Volatile.Read(ref _header->High);
        for (long i = 0; i < high; i++)
        {
            var e = &_entries[i];
            int state = Volatile.Read(ref e->State);
            if (state == Empty) continue;
            StackDepot.Shared.FramesUtf8(e->AllocStack);
            if (state == Freed) StackDepot.Shared.FramesUtf8(e->FreeStack);
        }
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
    public int Add(nint regionStart, nint regionEnd, nint user, nuint size, int thread, uint allocStack)
    {
        int i;
        if (_spare.Count > 0) i = _spare.Pop();
        else if (_header->High < _header->Capacity) i = (int)_header->High;
        else return -1;
        Set(i, regionStart, regionEnd, user, size, thread, allocStack);
        if (i == _header->High) Volatile.Write(ref _header->High, i + 1);
        return i;
    }

    /// <summary>Makes entry <paramref name="i"/> a live block.</summary>
    public void Set(int i, nint regionStart, nint regionEnd, nint user, nuint size, int thread, uint allocStack)
    {
        var e = &_entries[i];
        Volatile.Write(ref e->State, Empty);
        e->RegionStart = regionStart;
        e->RegionEnd = regionEnd;
        e->User = user;
        e->Size = size;
        e->AllocThread = thread;
        e->FreeThread = 0;
        e->AllocStack = allocStack;
        e->FreeStack = StackDepot.None;
        Volatile.Write(ref e->State, Live);
    }

    /// <summary>Marks an entry's block freed by <paramref name="thread"/> at the depot's stack <paramref name="freeStack"/>.</summary>
    public void MarkFreed(int i, int thread, uint freeStack)
    {
        if (i < 0) return;
        _entries[i].FreeThread = thread;
        _entries[i].FreeStack = freeStack;
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
