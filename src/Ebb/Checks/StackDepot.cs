using Ebb.DotNetHost;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Ebb.Checks;

/// <summary>
/// The checks' stack depot: every distinct allocation or free stack, rendered to text once
/// and named by a small id, so a block keeps 4 bytes per stack instead of a captured trace.
/// <para>
/// With the native library (native/ebb_stack.c, built when a C compiler was found), a
/// capture walks the frame-pointer chain and hashes the return addresses (tens of
/// nanoseconds; a call path the thread walked lately from the same frame is recognised from
/// a per-thread cache by checking its frame records, cheaper than a walk); a hash seen before
/// is looked up without a lock, and the id found is noted next to the cached walk, so a
/// repeated call path skips the lookup too. Only the first sighting of a hash pays for a
/// managed <see cref="StackTrace"/> (microseconds) and its rendering.
/// Without the library, every capture takes a StackTrace and renders it, and the text is
/// interned: slower, same ids, same text.
/// </para>
/// <para>
/// Two hashes that render to the same text (the same call path through code the JIT
/// compiled twice, tier 0 and tier 1, say) share one id, so grouping by id is grouping by
/// site. A text is symbolized (file and line) only when a report asks for it, and then also
/// kept as NUL-terminated UTF-8 in native memory (<see cref="NativeTexts"/>), for the native
/// fault reporter, which cannot call managed code. Nothing is ever removed: the depot grows
/// with the number of distinct call paths, not with allocations.
/// </para>
/// </summary>
internal sealed unsafe class StackDepot
{
    /// <summary>The id of "no stack captured" (<c>EBB_STACKS=0</c>).</summary>
    public const uint None = 0;

    // Return addresses hashed per capture: Ebb's own frames (a handful) and the 16 a report
    // shows, with room to spare. Deeper frames do not change the text, so they need not
    // change the id (and each one costs a dependent load).
    private const int HashDepth = 32;

    private const string NotCaptured = "    (stacks not captured: EBB_STACKS=0)";

    /// <summary>The process's depot (native walk when the library is there).</summary>
    public static readonly StackDepot Shared = new(useNative: true);

    private sealed class Table(int capacity)
    {
        public readonly ulong[] Keys = new ulong[capacity];
        public readonly uint[] Ids = new uint[capacity];
        public int Count;
    }

    private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<int, int*, ulong**, ulong> _hash;
    // This depot's mark in the notes the native cache keeps per walk (high half; the id is
    // the low half): the depots (tests make several) number their stacks independently.
    private readonly ulong _tag = (ulong)(uint)Interlocked.Increment(ref s_depots) << 32;
    private static int s_depots;
    private readonly Lock _gate = new();
    // Hash → id, open addressing; replaced (never changed in place except by adding) under the lock.
    private Table _table = new(1024);
    // Id → text (IL offsets: what tells stacks apart), the trace of its first sighting, and,
    // made when first asked for (a report), the symbolized text and its native copy; index 0
    // is "not captured". Replaced when it grows; the lazy ones are written under the lock.
    private string[] _texts = new string[64];
    private StackTrace?[] _traces = new StackTrace?[64];
    private string?[] _symbolized = new string?[64];
    private int _count;

    // Must match struct ebb_stack_texts in native/ebb_fault.c: the native copies by id (null
    // until made), replaced when it grows (the array published before the count) and never
    // freed, since the fault handler may be reading an old one.
    [StructLayout(LayoutKind.Sequential)]
    private struct NativeView
    {
        public nint Texts; // nint*
        public long Count;
    }

    private readonly NativeView* _view;
    private long _viewCapacity;

    private nint* Texts => (nint*)_view->Texts;
    private readonly Dictionary<string, uint> _byText = new(StringComparer.Ordinal);

    /// <summary>Creates a depot; with <paramref name="useNative"/> false it never walks natively (for tests of the fallback).</summary>
    public StackDepot(bool useNative)
    {
        if (useNative) _hash = (delegate* unmanaged[Cdecl, SuppressGCTransition]<int, int*, ulong**, ulong>)NativeHelpers.Export("ebb_stack_hash_memo");
        _texts[0] = NotCaptured;
        _symbolized[0] = NotCaptured;
        _view = (NativeView*)NativeMemory.AllocZeroed((nuint)sizeof(NativeView));
        _viewCapacity = _texts.Length;
        _view->Texts = (nint)NativeMemory.AllocZeroed((nuint)_viewCapacity, (nuint)sizeof(nint));
        Texts[0] = ToNative(NotCaptured);
        _count = 1;
        Volatile.Write(ref _view->Count, 1);
    }

    /// <summary>The native texts by id (<c>struct ebb_stack_texts</c>), for the fault reporter's table.</summary>
    public nint NativeTexts => (nint)_view;

    /// <summary>Whether stack <paramref name="id"/>'s native text has been made (a report asked for it).</summary>
    public bool HasNativeText(uint id)
    {
        lock (_gate) return id < _view->Count && Texts[id] != 0;
    }

    /// <summary>How many distinct stack hashes map to the <see cref="Count"/> texts (more than Count: code compiled twice, or deeper frames that differ).</summary>
    public int Hashes => Volatile.Read(ref _table).Count;

    /// <summary>Whether captures use the native frame-pointer walk (false: a StackTrace every time).</summary>
    public bool IsNative => _hash != null;

    /// <summary>How many distinct stacks (texts) the depot holds.</summary>
    public int Count => Volatile.Read(ref _count) - 1;

    /// <summary>The id of the calling thread's current stack (never <see cref="None"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Capture()
    {
        if (_hash != null)
        {
            int depth;
            ulong* note;
            ulong h = _hash(HashDepth, &depth, &note);
            if (depth > 0)
            {
                // A hash's id never changes, and the note is cleared when its cached walk is
                // replaced, so a note with this depot's tag is this walk's id. No note: the
                // walk was not cached (the thread's cache could not be made).
                if (note != null && (*note & 0xFFFF_FFFF_0000_0000) == _tag) return (uint)*note;
                uint id = Find(Volatile.Read(ref _table), h);
                if (id == None) id = AddFirstSighting(h);
                if (note != null) *note = _tag | id;
                return id;
            }
        }
        return CaptureManaged();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint CaptureManaged()
    {
        var trace = new StackTrace(0, false);
        return Intern(Stack.Render(trace, symbolize: false), trace, 0);
    }

    /// <summary>
    /// The frames of stack <paramref name="id"/>, one a line, with file and line where the
    /// module's portable PDB has them (<c>    at Type.Method in /src/File.cs:line 12</c>), the IL
    /// offset otherwise. Symbolized the first time it is asked for (a report), then kept.
    /// </summary>
    public string Frames(uint id)
    {
        Debug.Assert(id < (uint)Volatile.Read(ref _count), "a stack id the depot never handed out");
        lock (_gate)
            if (_symbolized[id] is { } done) return done;
        // Outside the lock: the first frame of a module opens its PDB.
        var trace = Volatile.Read(ref _traces)[id];
        string text = trace is null ? Volatile.Read(ref _texts)[id] : Stack.Render(trace, symbolize: true);
        lock (_gate) return _symbolized[id] ??= text;
    }

    /// <summary>
    /// <see cref="Frames"/> as NUL-terminated UTF-8 in native memory that lives as long as the
    /// process, for the fault reporter; made the first time a stack is asked for (once per
    /// distinct stack).
    /// </summary>
    public nint FramesUtf8(uint id)
    {
        Debug.Assert(id < (uint)Volatile.Read(ref _count), "a stack id the depot never handed out");
        lock (_gate)
            if (Texts[id] != 0) return Texts[id];
        string text = Frames(id);
        lock (_gate)
        {
            if (Texts[id] == 0) Volatile.Write(ref Texts[id], ToNative(text));
            return Texts[id];
        }
    }

    // Under the lock: room for ids below `count` in the native view, and the count published.
    private void PublishNativeCount(int count)
    {
        if (count > _viewCapacity)
        {
            long capacity = Math.Max(count, _viewCapacity * 2);
            var bigger = (nint*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(nint));
            Buffer.MemoryCopy(Texts, bigger, capacity * sizeof(nint), _viewCapacity * sizeof(nint));
            // The old array stays: a fault handler may be reading it.
            Volatile.Write(ref _view->Texts, (nint)bigger);
            _viewCapacity = capacity;
        }
        Volatile.Write(ref _view->Count, count);
    }

    // Lock-free: readers see a key only after its id (the id is written first).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Find(Table t, ulong h)
    {
        int mask = t.Keys.Length - 1;
        for (int i = (int)h & mask; ; i = (i + 1) & mask)
        {
            ulong k = Volatile.Read(ref t.Keys[i]);
            if (k == h) return t.Ids[i];
            if (k == 0) return None;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint AddFirstSighting(ulong h)
    {
        // Rendered outside the lock (microseconds); a racing thread may render the same stack, and
        // Intern then finds its text.
        var trace = new StackTrace(0, false);
        return Intern(Stack.Render(trace, symbolize: false), trace, h);
    }

    // Under the lock: the id of `text` (a new one the first time, keeping `trace` to symbolize
    // it later), and `h` mapped to it.
    private uint Intern(string text, StackTrace trace, ulong h)
    {
        lock (_gate)
        {
            if (!_byText.TryGetValue(text, out uint id))
            {
                id = (uint)_count;
                if (id == _texts.Length)
                {
                    var t = _texts;
                    var tr = _traces;
                    Array.Resize(ref t, t.Length * 2);
                    Array.Resize(ref tr, tr.Length * 2);
                    // The lazy arrays are read and written under the lock only.
                    Array.Resize(ref _symbolized, t.Length);
                    // Published before the id is handed out, so every reader of the id finds it.
                    Volatile.Write(ref _traces, tr);
                    Volatile.Write(ref _texts, t);
                }
                _texts[id] = text;
                _traces[id] = trace;
                _byText[text] = id;
                PublishNativeCount((int)id + 1);
                Volatile.Write(ref _count, (int)id + 1);
            }
            if (h != 0) Insert(h, id);
            return id;
        }
    }

    // Under the lock.
    private void Insert(ulong h, uint id)
    {
        var t = _table;
        if (Find(t, h) != None) return;
        if ((t.Count + 1) * 2 > t.Keys.Length)
        {
            var bigger = new Table(t.Keys.Length * 2);
            for (int i = 0; i < t.Keys.Length; i++)
                if (t.Keys[i] != 0) Put(bigger, t.Keys[i], t.Ids[i]);
            Volatile.Write(ref _table, bigger);
            t = bigger;
        }
        Put(t, h, id);
    }

    private static void Put(Table t, ulong h, uint id)
    {
        int mask = t.Keys.Length - 1;
        int i = (int)h & mask;
        while (t.Keys[i] != 0) i = (i + 1) & mask;
        t.Ids[i] = id;
        Volatile.Write(ref t.Keys[i], h);
        t.Count++;
    }

    // NUL-terminated UTF-8 from the C library's malloc (not Ebb's: the checks must not allocate from themselves).
    private static nint ToNative(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return (nint)p;
    }
}
