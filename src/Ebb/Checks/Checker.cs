using System.Runtime.CompilerServices;

namespace Ebb.Checks;

/// <summary>
/// The seam between the public API and the checked and guarded modes. Every public
/// allocation method of <c>EbbMemory</c> starts with <c>if (Checker.Enabled) return Checker.X(...)</c>;
/// <see cref="s_enabled"/> is a static readonly field, so in release mode the JIT folds
/// the test away and the fast path pays nothing. In sampled mode the allocator's fast paths
/// stay inline too, with only <see cref="SkipsSample"/> before an allocation and nothing
/// before a free (<see cref="InSampledPool"/> is asked on the allocator's slow path). The mode is chosen once, from the
/// environment, when this class is first touched.
/// </summary>
internal static unsafe class Checker
{
    /// <summary>The settings read at start-up.</summary>
    internal static readonly CheckOptions s_options = CheckOptions.FromEnvironment();

    /// <summary>The mode in force (static readonly: the JIT folds the switches below).</summary>
    internal static readonly CheckMode s_mode = s_options.Mode;

    /// <summary>True when EBB_CHECK or EBB_GUARD selected a checking mode at start-up.</summary>
    internal static readonly bool s_enabled = s_mode != CheckMode.Off;

    /// <summary>True in sampled mode (static readonly: the JIT folds the tests on it).</summary>
    internal static readonly bool s_sampling = s_mode == CheckMode.GuardSample;

    /// <summary>The checked heap, in checked mode.</summary>
    internal static readonly CheckedHeap? s_checked = s_mode == CheckMode.Checked ? new CheckedHeap(s_options) : null;

    /// <summary>The guarded heap, in guarded-all mode.</summary>
    internal static readonly GuardedHeap? s_guarded = s_mode == CheckMode.GuardAll ? new GuardedHeap(s_options) : null;

    /// <summary>The pool of guarded slots, in sampled mode (its guard thread starts with it).</summary>
    internal static readonly SampledPool? s_sampled = s_mode == CheckMode.GuardSample ? new SampledPool(s_options, guardThread: true) : null;

    // The sampled pool's bounds as static readonly values, so Free's range test is two constants.
    private static readonly nint s_poolStart = s_sampled?.PoolStart ?? 0;
    private static readonly nuint s_poolLength = s_sampled?.PoolLength ?? 0;

    // A field initializer, not a static constructor, so the class stays beforefieldinit and
    // the JIT can fold Enabled without class-initialisation checks. Last: it uses the fields above.
    internal static readonly bool s_exitHookInstalled = InstallExitHook();

    private static bool InstallExitHook()
    {
        if (!s_enabled) return false;
        // The allocator's slow path hands frees of pool blocks here (the pool lies outside its chunks).
        if (s_sampling) Arena.Host.SampledFree = &FreeIfSampled;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => AtExit(Console.Error);
        return true;
    }

    // Sampled mode: this thread's xorshift64* state for the countdowns (0: not seeded yet),
    // and its back-off (countdowns 2^k times longer after k choices found no slot ready).
    #pragma warning disable IDE1006 // t_: thread-static (.editorconfig)
    [ThreadStatic] private static ulong t_sampleRandom;
    [ThreadStatic] private static int t_sampleBackoff;
    #pragma warning restore IDE1006
    private const int MaxBackoff = 6;

    /// <summary>
    /// Sampled mode's whole cost on the allocation fast path: true when this allocation is
    /// not sampled (one thread-static decrement and compare), so <c>EbbMemory</c> goes on to
    /// the allocator's own inlined fast path. False in every other mode.
    /// </summary>
    /// <remarks>
    /// The thread's heap pointer is read first, though only the allocator uses it: the JIT
    /// hoists a thread-static base out of a caller's loop only when the read is on every
    /// iteration's path, and the countdown, declared next to the heap pointer, shares that
    /// base. (Counting after the allocation instead, and swapping the block for a guarded one,
    /// upset the allocator's page reuse: 1 KiB pairs measured 20–40% slower.) A thread without
    /// a heap yet takes the out-of-line path. Frees cost nothing: the pool lies outside
    /// Ebb's chunks, so the allocator's fast path sends its blocks to its slow path, which
    /// asks <see cref="InSampledPool"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool SkipsSample() => s_sampling && Ebb.DotNetHost.ThreadHeap.Current != null && --Ebb.DotNetHost.ThreadHeap.t_sampleCountdown > 0;

    /// <summary>Whether <paramref name="ptr"/> lies in sampled mode's pool of guarded slots (false in every other mode).</summary>
    internal static bool InSampledPool(void* ptr) => s_sampling && (nuint)((nint)ptr - s_poolStart) < s_poolLength;

    /// <summary>Frees <paramref name="ptr"/> if it is a block of the sampled pool; false otherwise.</summary>
    private static bool FreeIfSampled(void* ptr)
    {
        if (!InSampledPool(ptr)) return false;
        FreeSampled(ptr);
        return true;
    }

    /// <summary>Frees a block of the sampled pool (<see cref="InSampledPool"/> is true for it).</summary>
    internal static void FreeSampled(void* ptr)
    {
        try { s_sampled!.Free(ptr); }
        catch (EbbMemoryException e) when (Print(e)) { }
    }

    /// <summary>
    /// Exception filter of the public entry points in a checking mode: prints a check's error
    /// to stderr once, as it is thrown, so the report is seen whole even when the program
    /// catches the exception or the runtime wraps it (<c>EBB_PRINT_ERRORS=0</c>: not printed).
    /// Always false: the exception goes on unchanged, with its stack.
    /// </summary>
    internal static bool Print(EbbMemoryException e)
    {
        if (s_options.PrintErrors && !e.Printed)
        {
            e.Printed = true;
            try
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.Flush();
            }
            catch (IOException)
            {
                // stderr closed: the exception still carries the report.
            }
        }
        return false;
    }

    /// <summary>
    /// A block of the mode in force for the EbbHeap <paramref name="owner"/>, marked as its
    /// own so that its Dispose frees it; null in sampled mode when this allocation is not
    /// sampled (the heap then allocates an ordinary block from its own pages).
    /// </summary>
    internal static void* AllocForHeap(nuint byteCount, nuint alignment, bool zero, uint owner)
    {
        if (s_mode == CheckMode.GuardSample)
        {
            // The countdown itself, not SkipsSample: a thread that only uses EbbHeaps has no thread heap.
            if (--Ebb.DotNetHost.ThreadHeap.t_sampleCountdown > 0) return null;
            return TrySample(byteCount, alignment, zero, owner);
        }
        if (s_mode == CheckMode.GuardAll) return s_guarded!.Alloc(byteCount, alignment, zero, owner);
        return s_checked!.Alloc(byteCount, alignment, zero, owner);
    }

    /// <summary>Whether <paramref name="ptr"/> is a live block of the mode in force that the EbbHeap <paramref name="owner"/> allocated.</summary>
    internal static bool IsLiveOf(void* ptr, uint owner)
    {
        if (s_mode == CheckMode.GuardSample) return s_sampled!.IsLiveOf(ptr, owner);
        if (s_mode == CheckMode.GuardAll) return s_guarded!.IsLiveOf(ptr, owner);
        return s_checked!.IsLiveOf(ptr, owner);
    }

    /// <summary>Frees a block of the mode in force (sampled mode: a pool block) without the public entry point's printing.</summary>
    internal static void FreeModeBlock(void* ptr)
    {
        if (s_mode == CheckMode.GuardSample) s_sampled!.Free(ptr);
        else Free(ptr);
    }

    /// <summary>Allocates under the mode in force when <see cref="SkipsSample"/> has already counted this allocation.</summary>
    internal static void* AllocPastCountdown(nuint byteCount, nuint alignment, bool zero)
    {
        // Here when the countdown ran out, or when the thread had no heap yet (its countdown,
        // still 0, is then a first run-out: TrySample draws the thread's random phase).
        if (s_mode == CheckMode.GuardSample)
            return Ebb.DotNetHost.ThreadHeap.t_sampleCountdown > 0 ? Unchecked(byteCount, alignment, zero) : SampledOrNot(byteCount, alignment, zero);
        if (s_mode == CheckMode.GuardAll) return s_guarded!.Alloc(byteCount, alignment, zero);
        return s_checked!.Alloc(byteCount, alignment, zero);
    }

    /// <summary>Allocates under the mode in force.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void* Alloc(nuint byteCount, nuint alignment, bool zero)
    {
        if (s_mode == CheckMode.GuardSample)
        {
            // The sampled fast path: one thread-static countdown, then the allocator.
            if (--Ebb.DotNetHost.ThreadHeap.t_sampleCountdown > 0) return Unchecked(byteCount, alignment, zero);
            return SampledOrNot(byteCount, alignment, zero);
        }
        if (s_mode == CheckMode.GuardAll) return s_guarded!.Alloc(byteCount, alignment, zero);
        return s_checked!.Alloc(byteCount, alignment, zero);
    }

    /// <summary>Frees under the mode in force.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Free(void* ptr)
    {
        if (s_mode == CheckMode.GuardSample)
        {
            // Not in the pool: the allocator's own inlined fast path, as in release mode.
            if ((nuint)((nint)ptr - s_poolStart) >= s_poolLength) { Heap.Dealloc.Free(Ebb.DotNetHost.ThreadHeap.Current, ptr); return; }
            s_sampled!.Free(ptr);
            return;
        }
        if (s_mode == CheckMode.GuardAll) { s_guarded!.Free(ptr); return; }
        s_checked!.Free(ptr);
    }

    /// <summary>Reallocates under the mode in force.</summary>
    internal static void* Realloc(void* ptr, nuint byteCount, nuint alignment)
    {
        if (s_checked is not null) return s_checked.Realloc(ptr, byteCount, alignment);
        if (s_mode == CheckMode.GuardSample && !s_sampled!.InPool(ptr))
        {
            if (ptr == null) return Alloc(byteCount, alignment, false);
            // Not a guarded block: a resize counts as an allocation. Not chosen, it is release
            // mode's (in place where it can be); chosen, the block moves, so the new one can be sampled.
            if (--Ebb.DotNetHost.ThreadHeap.t_sampleCountdown > 0) return Backend.Realloc(ptr, byteCount, alignment);
            nuint old = Backend.UsableSize(ptr);
            void* p = SampledOrNot(byteCount == 0 ? 1 : byteCount, alignment, false);
            Buffer.MemoryCopy(ptr, p, byteCount, Math.Min(old, byteCount));
            Backend.Free(ptr);
            return p;
        }
        if (s_mode == CheckMode.GuardSample) return s_sampled!.Realloc(ptr, byteCount, alignment);
        return s_guarded!.Realloc(ptr, byteCount, alignment);
    }

    /// <summary>The usable size under the mode in force (the requested size, for checked and guarded blocks).</summary>
    internal static nuint UsableSize(void* ptr)
    {
        if (s_checked is not null) return s_checked.UsableSize(ptr);
        if (s_mode == CheckMode.GuardSample)
            return s_sampled!.InPool(ptr) ? s_sampled.UsableSize(ptr) : Backend.UsableSize(ptr);
        return s_guarded!.UsableSize(ptr);
    }

    /// <summary>
    /// Checked mode: verifies every redzone and the quarantine; sampled mode: checks the live
    /// blocks' slack and closes the freed slots now (called by <c>EbbMemory.Validate()</c>).
    /// </summary>
    internal static void Validate()
    {
        s_checked?.Validate();
        s_sampled?.Validate();
    }

    /// <summary>Writes the leak report of checked mode; false when there is nothing to report or no live table.</summary>
    internal static bool ReportLeaks(TextWriter w) => s_checked?.ReportLeaks(w) ?? false;

    // The countdown ran out. Optimized at once: called once in N allocations, such paths can
    // stay in unoptimized tier-0 code for seconds while tiering waits for a quiet moment.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void* SampledOrNot(nuint byteCount, nuint alignment, bool zero)
    {
        void* p = TrySample(byteCount, alignment, zero);
        return p != null ? p : Unchecked(byteCount, alignment, zero);
    }

    // The countdown ran out: put a block of at most a page in the pool, when a slot is ready
    // (null when not), and restart the countdown. A bigger block does not fit a slot: it is
    // an ordinary block, and the countdown restarts as usual (were the next allocation chosen
    // instead, a run of big blocks would each take this out-of-line path). Runs once in N
    // allocations, so it is kept short: a xorshift draw, no atomics, and a back-off: when the
    // countdown chose an allocation and no slot was ready (a program allocating faster than
    // the guard thread's budget refills them), the thread's next countdowns are 2, 4, … 64
    // times longer until one finds a slot, so choices that would find none cost little.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void* TrySample(nuint byteCount, nuint alignment, bool zero, uint owner = 0)
    {
        // The thread's first run-out (its random state not seeded yet) draws a random phase
        // instead, so a thread's first allocation is not always the one sampled.
        bool first = t_sampleRandom == 0;
        ulong x = t_sampleRandom;
        if (x == 0) x = (ulong)Random.Shared.NextInt64() | 1;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        t_sampleRandom = x;
        ulong u = (x * 0x2545F4914F6CDD1DUL) >> 32;
        long n = s_options.SampleRate;
        if (first)
        {
            // The first countdown of a thread starts at a random phase, 0 … N-1.
            long phase = (long)((u * (ulong)n) >> 32);
            Ebb.DotNetHost.ThreadHeap.t_sampleCountdown = (int)phase;
            if (phase > 0) return null;
        }
        void* p = byteCount <= SampledPool.MaxSize && alignment <= SampledPool.MaxSize
            ? s_sampled!.TryAlloc(byteCount, alignment, zero, owner)
            : null;
        int backoff = p != null || byteCount > SampledPool.MaxSize || alignment > SampledPool.MaxSize ? 0 : Math.Min(t_sampleBackoff + 1, MaxBackoff);
        t_sampleBackoff = backoff;
        // Mean N (times the back-off), so one allocation in N is chosen: uniform in 1 … 2N-1,
        // by a multiply-shift range reduction.
        long next = ((long)((u * (ulong)(2 * n - 1)) >> 32) + 1) << backoff;
        Ebb.DotNetHost.ThreadHeap.t_sampleCountdown = (int)Math.Min(int.MaxValue, next);
        return p;
    }

    // The allocation not sampled: the allocator's own inlined fast path, as in release mode,
    // so sampled mode costs only the countdown on the way.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void* Unchecked(nuint byteCount, nuint alignment, bool zero)
    {
        if (alignment == 0 && !zero) return Heap.HeapAlloc.Alloc(Ebb.DotNetHost.ThreadHeap.Current, byteCount);
        void* p = alignment <= 16 ? Backend.Alloc(byteCount) : Backend.AlignedAlloc(byteCount, alignment);
        if (zero) System.Runtime.InteropServices.NativeMemory.Clear(p, byteCount);
        return p;
    }

    // At exit: write-after-free and overflows still in the tables, then leaks when asked.
    // The report goes to stderr; errors make the exit code 1 and leaks EBB_LEAK_EXITCODE
    // (23, as LeakSanitizer's), when the program left it 0.
    private static void AtExit(TextWriter w)
    {
        try
        {
            if (s_checked is null) return;
            var errors = s_checked.FindErrors("at exit", 16);
            foreach (var e in errors) w.WriteLine(e.Message);
            if (errors.Count > 0 && Environment.ExitCode == 0) Environment.ExitCode = 1;
            if (s_options.Leaks && s_checked.ReportLeaks(w) && Environment.ExitCode == 0) Environment.ExitCode = s_options.LeakExitCode;
            w.Flush();
        }
        catch (Exception e)
        {
            w.WriteLine($"ebb: warning: exit-time check failed: {e.Message}");
        }
    }
}
