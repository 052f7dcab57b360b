using System.Runtime.InteropServices;

namespace Ebb.Checks;

/// <summary>
/// The checked heap's index of its blocks (live and quarantined), so <c>Validate()</c>, the
/// exit-time scan and the leak report can find them without a managed object per block:
/// an array of header addresses in native memory, in segments allocated as it grows. A
/// block takes a slot at allocation and gives it back when it leaves the quarantine.
/// <para>
/// Slots are handed out in batches to per-thread caches (<see cref="Take"/>), so the
/// allocation path only writes its own slot; taking a batch, giving slots back and reading
/// the index happen under the heap's lock.
/// </para>
/// </summary>
internal sealed unsafe class LiveIndex
{
    private const int SegmentShift = 16;
    private const int SegmentLength = 1 << SegmentShift;
    private const int MaxSegments = 4096;

    /// <summary>The most blocks the index holds (beyond, blocks are not indexed: no leak report or Validate for them).</summary>
    public const int Capacity = SegmentLength * MaxSegments;

    // Segment addresses; a segment is allocated (zeroed) before any slot of it is handed out.
    private readonly nint[] _segments = new nint[MaxSegments];
    private int[] _spare = new int[256];
    private int _spareCount;

    /// <summary>Slots ever handed out: entries [0, High) may be in use.</summary>
    public int High { get; private set; }

    /// <summary>The entry of <paramref name="slot"/>: a block's header address, or 0.</summary>
    public nint* Entry(int slot) => (nint*)_segments[slot >> SegmentShift] + (slot & (SegmentLength - 1));

    /// <summary>Under the heap's lock: fills <paramref name="into"/> with free slots; returns how many (0 when full).</summary>
    public int Take(Span<int> into)
    {
        int n = 0;
        while (n < into.Length && _spareCount > 0) into[n++] = _spare[--_spareCount];
        while (n < into.Length && High < Capacity)
        {
            int seg = High >> SegmentShift;
            if (_segments[seg] == 0) _segments[seg] = (nint)NativeMemory.AllocZeroed((nuint)SegmentLength * (nuint)sizeof(nint));
            into[n++] = High++;
        }
        return n;
    }

    /// <summary>Under the heap's lock: empties <paramref name="slot"/> and makes it free for another block.</summary>
    public void Give(int slot)
    {
        if (slot < 0) return;
        Volatile.Write(ref *Entry(slot), 0);
        if (_spareCount == _spare.Length) Array.Resize(ref _spare, _spare.Length * 2);
        _spare[_spareCount++] = slot;
    }

    /// <summary>Under the heap's lock: gives back slots a thread cached but never used (their entries are empty).</summary>
    public void GiveUnused(ReadOnlySpan<int> slots)
    {
        foreach (int s in slots) Give(s);
    }
}
