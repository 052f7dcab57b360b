using System.Runtime.CompilerServices;
using Ebb.Os;

namespace Ebb.Checks;

/// <summary>
/// <c>EBB_GUARD=sample:N</c> (as GWP-ASan): a fixed pool of one-page slots between
/// permanently inaccessible guard pages (<c>G S G S … G</c>), where one small allocation
/// in N is placed, right-aligned against the next guard page, as in guarded-all mode, but
/// 16-byte aligned as every Ebb block is (<see cref="SampledAlignment"/>).
/// <para>
/// A sampled allocation makes no system call: the guard thread keeps a few slots
/// <em>ready</em> (readable and writable, filled with the left-slack byte), so it only takes
/// one under a short lock, writes the block and records its stack. A sampled free
/// <em>closes</em> its slot (makes it inaccessible) before it returns, as GWP-ASan does, so
/// any use after free, a read right after the free included, faults at the access. That
/// <c>mprotect</c> costs microseconds (the kernel flushes the TLB of every CPU running the
/// process), which the default sampling rate pays for. Closed slots are reopened by the
/// guard thread, oldest first, so a freed block stays inaccessible as long as the pool
/// allows. When no slot is ready, the allocation is simply not sampled.
/// </para>
/// <para>
/// Sampling allows itself a hundredth of one core (a twentieth at a debugging rate, one in fewer than 100): the guard thread's own CPU time (system
/// calls included) plus the time the program's threads spent in sampled allocations and in
/// the frees that close slots, so a program that allocates faster than that budget can
/// follow gets fewer guarded blocks than one in N, never a slower fast path.
/// </para>
/// <para>
/// A slot's life: Closed → (guard thread) Opening → Ready → (allocation) Live → (free)
/// Freed → (the same free) Closed. States change under <see cref="_gate"/>; a free that
/// closes its slot and the guard thread's passes (and <see cref="Validate"/>, which runs the
/// same pass) hold <see cref="_closer"/>, so only one of them changes protections at a time,
/// and memory of a Live slot can be read by whoever holds it without racing a close.
/// </para>
/// </summary>
internal sealed unsafe class SampledPool
{
    /// <summary>The largest allocation the pool takes: one page.</summary>
    public static readonly nuint MaxSize = (nuint)OsMemory.PageSize;

    private static readonly nuint s_page = (nuint)OsMemory.PageSize;

    // The guard thread's shortest period while there is work. Each wake-up of the guard thread
    // takes a CPU from the program's threads for a moment (on a machine with as many busy
    // threads as CPUs, a context switch, and a thread that waits for the preempted one), so it
    // wakes a hundred times a second at most, and refills the whole ready set when it does:
    // that caps the sampled blocks at ReadyTarget a period, whatever N is. A rate of one in
    // fewer than DebugRate is debugging, not production: there the period is a millisecond
    // and the budget (below) a twentieth of a core.
    private const int PeriodMs = 10, DebugPeriodMs = 1, DebugRate = 100;
    private readonly int _periodMs, _dutyDivisor;

    // Sampling allows itself at most 1/DutyDivisor of one core (1/DebugDutyDivisor at a debugging rate): after a pass that took w,
    // while sampled allocations and frees took p, the guard thread sleeps at least
    // (w + p) * (DutyDivisor - 1), so the slots it reopens (and so the sampled blocks, and
    // their frees) come no faster.
    private const int DutyDivisor = 100, DebugDutyDivisor = 20;

    private enum State : byte { Closed, Opening, Ready, Live, Freed }

    private sealed class Slot(int index, nint start)
    {
        public readonly int Index = index;
        public readonly nint Start = start;
        public State State;
        // A block lived here: its record is kept while the slot is Freed or Closed (double
        // free, use after free), and dropped when the slot is reopened.
        public bool HasBlock;
        public nint User;
        public nuint Size;
        public Stack? Alloc, Free;
        // The EbbHeap whose block this is (0: EbbMemory's).
        public uint Owner;
    }

    private readonly CheckOptions _options;
    private volatile bool _stopping;
    private readonly nint _pool;
    private readonly nuint _poolLength;
    private readonly Slot[] _slots;
    private readonly GuardTable _table;
    private readonly int _readyTarget;

    private readonly Lock _gate = new();
    private readonly Queue<int> _ready = new();
    private int _readyCount; // ready.Count, readable without the lock

    private readonly Lock _closer = new();
    private readonly Queue<int> _closed = new();

    private readonly ManualResetEventSlim _wake = new(false);
    private int _parked;
    private volatile bool _reporterTried;
    private long _taken, _missed;
    private long _passes, _busyNs, _slotsClosed, _closeCalls;
    // Stopwatch ticks the program's threads spent in sampled allocations and in closing frees
    // since the guard thread's last pass (its budget counts them).
    private long _programTicks;

    // CLOCK_THREAD_CPUTIME_ID
    private const int ThreadCpuClock = 3;

    /// <summary>
    /// Reserves the pool (inaccessible), opens the first ready slots and, when
    /// <paramref name="guardThread"/>, starts the guard thread (tests may drive the passes
    /// through <see cref="Validate"/> instead).
    /// </summary>
    public SampledPool(CheckOptions options, bool guardThread)
    {
        this._options = options;
        bool debugging = options.SampleRate < DebugRate;
        _periodMs = debugging ? DebugPeriodMs : PeriodMs;
        _dutyDivisor = debugging ? DebugDutyDivisor : DutyDivisor;
        int n = options.GuardSlots;
        _poolLength = (nuint)(2 * n + 1) * s_page;
        _pool = OsMemory.Map(0, _poolLength, Prot.None, MapFlags.Private | MapFlags.Anonymous | MapFlags.NoReserve);
        OsMemory.TryNameMapping(_pool, _poolLength, "ebb-guarded");
        _slots = new Slot[n];
        for (int i = 0; i < n; i++)
        {
            _slots[i] = new Slot(i, _pool + (nint)((nuint)(2 * i + 1) * s_page));
            _closed.Enqueue(i);
        }
        _table = GuardTable.Fixed(n);
        // A quarter of the pool, at most 16: the rest holds freed blocks, inaccessible.
        _readyTarget = Math.Clamp(n / 4, 1, 16);
        // Ready now, so the very first allocations can be sampled.
        lock (_closer) Refill();
        if (guardThread)
            new Thread(GuardThread) { IsBackground = true, Name = "Ebb guard slots" }.Start();
    }

    /// <summary>The pool's first byte.</summary>
    public nint PoolStart => _pool;

    /// <summary>The pool's length in bytes.</summary>
    public nuint PoolLength => _poolLength;

    /// <summary>Ends the guard thread after its current pass (tests; the process's pool lives as long as the process).</summary>
    public void StopGuardThread()
    {
        _stopping = true;
        _wake.Set();
    }

    /// <summary>Holds off the guard thread's passes until <see cref="ReleasePasses"/> (tests: a slot stays open meanwhile).</summary>
    public void HoldPasses() => _closer.Enter();

    /// <summary>Lets the guard thread's passes run again (on the thread that called <see cref="HoldPasses"/>).</summary>
    public void ReleasePasses() => _closer.Exit();

    /// <summary>The number of slots ready now (for tests).</summary>
    public int ReadyCount
    {
        get { lock (_gate) return _ready.Count; }
    }

    /// <summary>Allocations placed in a slot so far.</summary>
    public long Taken => Interlocked.Read(ref _taken);

    /// <summary>Allocations the countdown chose that found no ready slot (so were not sampled).</summary>
    public long Missed => Volatile.Read(ref _missed);

    /// <summary>The work so far: the guard thread's passes that did something and their CPU time; slots closed by frees, and the mprotect calls that closed them.</summary>
    public (long Passes, double BusyMs, long SlotsClosed, long CloseCalls) GuardThreadWork =>
        (Interlocked.Read(ref _passes), Interlocked.Read(ref _busyNs) / 1e6, Interlocked.Read(ref _slotsClosed), Interlocked.Read(ref _closeCalls));

    /// <summary>Whether <paramref name="ptr"/> lies in the pool.</summary>
    public bool InPool(void* ptr) => (nuint)((nint)ptr - _pool) < _poolLength;

    /// <summary>
    /// A guarded block of <paramref name="size"/> (at most a page) bytes in a ready slot, or
    /// null when none is ready (the caller then allocates an ordinary block). No system call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void* TryAlloc(nuint size, nuint alignment, bool zero, uint owner = 0)
    {
        // Most chosen allocations in a hot loop find no slot ready: a racy look first, so
        // they pay neither the lock nor the stack capture.
        if (Volatile.Read(ref _readyCount) == 0)
        {
            _missed++; // a statistic: a lost update between threads does no harm
            return null;
        }
        if (!_reporterTried) InstallReporter();
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        var stack = Stack.Capture(_options.Stacks);
        nuint align = SampledAlignment(alignment);
        Slot s;
        lock (_gate)
        {
            if (!_ready.TryDequeue(out int i))
            {
                _missed++;
                return null;
            }
            _readyCount = _ready.Count;
            _taken++;
            s = _slots[i];
            s.State = State.Live;
            s.HasBlock = true;
            s.User = (nint)((nuint)(s.Start + (nint)s_page - (nint)size) & ~(align - 1));
            s.Size = size;
            s.Alloc = stack;
            s.Free = null;
            s.Owner = owner;
            // The slot is filled with the left slack's byte already: only the alignment slack
            // after the block (none for a plain Alloc) and the block itself are written. The
            // slack under the lock, so Validate never sees it half-written.
            nint end = s.User + (nint)size;
            Poison.Fill(end, (nuint)(s.Start + (nint)s_page - end), Poison.Right);
        }
        WakeIfParked();
        Poison.Fill(s.User, size, zero ? (byte)0 : Poison.Junk);
        // The stack's id only: the fault reporter has it rendered if a report needs it.
        _table.Set(s.Index, s.Start - (nint)s_page, s.Start + 2 * (nint)s_page, s.User, size, stack.ThreadId, stack.Id);
        Interlocked.Add(ref _programTicks, System.Diagnostics.Stopwatch.GetTimestamp() - t0);
        return (void*)s.User;
    }

    /// <summary>
    /// The alignment of a sampled block: 16 (what EbbMemory promises for every block), or more
    /// when AlignedAlloc asks. Unlike guarded-all mode, not the size's natural alignment: this
    /// mode runs in production, where a block that is 16-byte aligned in every process but one
    /// in a thousand would be a bug of its own (code that keeps tags in a pointer's low bits,
    /// or loads with aligned vector instructions). GWP-ASan's default (PerfectlyRightAlign off)
    /// makes the same trade: an overflow into the 1–15 bytes of slack between a block's end
    /// and the guard page is found at free (or when the slot is closed, or by Validate), one
    /// past the slack faults at the instruction.
    /// </summary>
    internal static nuint SampledAlignment(nuint alignment) => Math.Max(16, alignment);

    /// <summary>
    /// Frees a pool block: checks the slack on both sides of it, then makes its slot
    /// inaccessible before returning (one <c>mprotect</c>), so the next access to it faults.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Free(void* ptr)
    {
        var stack = Stack.Capture(_options.Stacks);
        // Under closer: a pass (Validate's live check) may be reading this slot's pages.
        lock (_closer)
        {
            Slot s;
            lock (_gate)
            {
                s = Find((nint)ptr, "free");
                ThrowIfSlackChanged(s);
                s.State = State.Freed;
                s.Free = stack;
                // Before the pages close: a fault from another thread's access names the free.
                _table.MarkFreed(s.Index, stack.ThreadId, stack.Id);
            }
            // Only this free moves a Freed slot on, and it holds closer, so no pass reads it meanwhile.
            System.Diagnostics.Debug.Assert(s.State == State.Freed, "a slot being closed by its free changed state");
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            OsMemory.Protect(s.Start, s_page, Prot.None);
            Interlocked.Add(ref _programTicks, System.Diagnostics.Stopwatch.GetTimestamp() - t0);
            lock (_gate) s.State = State.Closed;
            _closed.Enqueue(s.Index);
            _slotsClosed++;
            _closeCalls++;
        }
        WakeIfParked();
    }

    /// <summary>Whether <paramref name="ptr"/> is a live pool block of the EbbHeap <paramref name="owner"/>.</summary>
    public bool IsLiveOf(void* ptr, uint owner)
    {
        if (!InPool(ptr)) return false;
        lock (_gate)
            return _slots.FirstOrDefault(s => s.HasBlock && s.User == (nint)ptr) is { State: State.Live } s && s.Owner == owner;
    }

    /// <summary>The stack depot id of the allocation of the pool block at <paramref name="ptr"/> (for tests).</summary>
    public uint AllocStackOf(void* ptr)
    {
        lock (_gate) return Find((nint)ptr, "stack lookup").Alloc?.Id ?? StackDepot.None;
    }

    /// <summary>Moves a pool block to a new allocation (which may or may not be sampled).</summary>
    public void* Realloc(void* ptr, nuint size, nuint alignment)
    {
        nuint old;
        lock (_gate) old = Find((nint)ptr, "realloc").Size;
        if (size == 0) size = 1;
        void* p = Checker.Alloc(size, alignment, false);
        Buffer.MemoryCopy(ptr, p, size, Math.Min(old, size));
        Free(ptr);
        return p;
    }

    /// <summary>The requested size of a pool block.</summary>
    public nuint UsableSize(void* ptr)
    {
        lock (_gate) return Find((nint)ptr, "usable size").Size;
    }

    /// <summary>
    /// Checks every live block's slack and runs the guard thread's pass now (ready slots
    /// refilled). Throws the first error found.
    /// </summary>
    public void Validate()
    {
        var errors = new List<EbbMemoryException>();
        lock (_closer)
        {
            CheckLive(errors, "by Validate()");
            Pass(refill: true);
        }
        if (errors.Count > 0) throw errors[0];
    }

    // ---- the guard thread -------------------------------------------------------------

    private void GuardThread()
    {
        try
        {
            while (!_stopping)
            {
                // The thread's own CPU time, not the wall clock: on a loaded machine a pass
                // may wait for a CPU, and that is not time it cost anyone.
                long t0 = OsMemory.ClockGettimeSyscall(ThreadCpuClock);
                bool worked;
                lock (_closer) worked = Pass(refill: true);
                if (worked)
                {
                    long busy = OsMemory.ClockGettimeSyscall(ThreadCpuClock) - t0;
                    Interlocked.Add(ref _busyNs, busy);
                    _passes++;
                    long program = (long)(Interlocked.Exchange(ref _programTicks, 0) * (1e9 / System.Diagnostics.Stopwatch.Frequency));
                    Thread.Sleep(Math.Max(_periodMs, (int)((busy + program) * (_dutyDivisor - 1) / 1_000_000)));
                    continue;
                }
                // No work: sleep until a sampled allocation or free wakes us. The flag is
                // published before the last look for work, and the wakers publish their work
                // before they read the flag, so one of the two sees the other. A timed-out wait
                // (a safety net) parks again at once, so an idle process sees one wake-up a second.
                _wake.Reset();
                Volatile.Write(ref _parked, 1);
                Interlocked.MemoryBarrier();
                if (!HasWork()) _wake.Wait(1000);
                Volatile.Write(ref _parked, 0);
            }
        }
        catch (Exception e)
        {
            // Never take the process down from here: sampling just stops once the ready slots are used up.
            Console.Error.WriteLine($"ebb: warning: the guard thread of EBB_GUARD=sample stopped: {e.Message}");
        }
    }

    private bool HasWork()
    {
        lock (_closer)
            lock (_gate)
                return _ready.Count < _readyTarget && _closed.Count > 0;
    }

    // Costs the waker a system call only when the guard thread is parked, once per idle spell.
    private void WakeIfParked()
    {
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _parked) != 0 && Interlocked.Exchange(ref _parked, 0) != 0) _wake.Set();
    }

    // Under closer: refills the ready slots. True when there was work.
    private bool Pass(bool refill) => refill && Refill() > 0;

    // Under closer: reopens the oldest closed slots until the ready set is full; returns how many.
    private int Refill()
    {
        int want;
        lock (_gate) want = _readyTarget - _ready.Count;
        int done = 0;
        for (; done < want && _closed.TryDequeue(out int i); done++)
        {
            var s = _slots[i];
            lock (_gate)
            {
                s.State = State.Opening;
                s.HasBlock = false;
            }
            _table.Clear(i);
            OsMemory.Protect(s.Start, s_page, Prot.ReadWrite);
            Poison.Fill(s.Start, s_page, Poison.Left);
            lock (_gate)
            {
                s.State = State.Ready;
                _ready.Enqueue(i);
                _readyCount = _ready.Count;
            }
        }
        return done;
    }

    private void InstallReporter()
    {
        lock (_gate)
        {
            if (_reporterTried) return;
            FaultReporter.TryInstall(_table);
            _reporterTried = true;
        }
    }

    // ---- checks -----------------------------------------------------------------------

    // Under gate: the live block at p. Slots are the odd pages of the pool; the even ones are
    // guards, where only a 0-byte block (placed at its slot's end) may point.
    private Slot Find(nint p, string op)
    {
        nuint k = (nuint)(p - _pool) / s_page;
        Slot? s = null;
        if (k % 2 == 1) s = _slots[(int)(k / 2)];
        else if (k > 0 && _slots[(int)(k / 2) - 1] is { HasBlock: true, Size: 0 } empty && empty.User == p) s = empty;
        if (s is null || !s.HasBlock)
            throw ErrorReport.Error(EbbErrorKind.InvalidFree, p, Report.Foreign(op, p));
        if (s.User != p)
            throw ErrorReport.Error(EbbErrorKind.InvalidFree, p, Report.Interior(op, p, s.User, s.Size), s.Size,
                s.Alloc!.Describe("allocated"), s.Free?.Describe("freed"), block: s.User);
        if (s.State != State.Live)
            throw ErrorReport.Error(EbbErrorKind.DoubleFree, p, Report.DoubleFree(op, p, s.Size), s.Size,
                s.Alloc!.Describe("allocated"), s.Free?.Describe("freed"), block: s.User);
        return s;
    }

    // At free, before the slot closes for good: the slack on both sides (the whole page costs
    // far less than the mprotect that follows).
    private static void ThrowIfSlackChanged(Slot s)
    {
        if (FindSlackChange(s, false, "at free") is { } e) throw e;
    }

    private static EbbMemoryException? FindSlackChange(Slot s, bool freed, string when)
    {
        nint end = s.User + (nint)s.Size, guard = s.Start + (nint)s_page;
        if (Poison.FindChanged(end, (nuint)(guard - end), Poison.Right, out nuint first, out nuint last))
            return Error(EbbErrorKind.HeapBufferOverflow, s, end + (nint)first, last - first + 1, freed, when);
        if (Poison.FindChanged(s.Start, (nuint)(s.User - s.Start), Poison.Left, out first, out last))
            return Error(EbbErrorKind.HeapBufferUnderflow, s, s.Start + (nint)last, last - first + 1, freed, when);
        return null;
    }

    // Under closer: live blocks' slack (closing needs closer, so none of these pages goes away meanwhile).
    private void CheckLive(List<EbbMemoryException> errors, string when)
    {
        List<Slot> live;
        lock (_gate) live = _slots.Where(s => s.State == State.Live).ToList();
        foreach (var s in live)
            if (FindSlackChange(s, false, when) is { } e) errors.Add(e);
    }

    private static EbbMemoryException Error(EbbErrorKind kind, Slot s, nint at, nuint count, bool freed, string when) =>
        ErrorReport.Error(kind, at, Report.Written(count, at, s.User, s.Size, freed, when), s.Size,
            s.Alloc!.Describe("allocated"), freed ? s.Free?.Describe("freed") : null, block: s.User, access: $"WRITE of size {count}");
}
