using System.Runtime.CompilerServices;

namespace Ebb.Checks;

/// <summary>
/// The seam between the public API and the checked and guarded modes. Every public
/// allocation method of <c>EbbMemory</c> starts with <c>if (Checker.Enabled) return Checker.X(...)</c>;
/// <see cref="Enabled"/> is a static readonly field, so in release mode the JIT folds
/// the test away and the fast path pays nothing. The mode is chosen once, from the
/// environment, when this class is first touched.
/// </summary>
internal static unsafe class Checker
{
    /// <summary>The settings read at start-up.</summary>
    internal static readonly CheckOptions Options = CheckOptions.FromEnvironment();

    /// <summary>The mode in force (static readonly: the JIT folds the switches below).</summary>
    internal static readonly CheckMode Mode = Options.Mode;

    /// <summary>True when EBB_CHECK or EBB_GUARD selected a checking mode at start-up.</summary>
    internal static readonly bool Enabled = Mode != CheckMode.Off;

    /// <summary>The checked heap, in checked mode.</summary>
    internal static readonly CheckedHeap? Checked = Mode == CheckMode.Checked ? new CheckedHeap(Options) : null;

    /// <summary>The guarded heap, in either guarded mode.</summary>
    internal static readonly GuardedHeap? Guarded =
        Mode is CheckMode.GuardAll or CheckMode.GuardSample ? new GuardedHeap(Options) : null;

    // The sampled pool's bounds as static readonly values, so Free's range test is two constants.
    private static readonly nint PoolStart = Guarded?.PoolStart ?? 0;
    private static readonly nuint PoolLength = Guarded?.PoolLength ?? 0;

    // A field initializer, not a static constructor, so the class stays beforefieldinit and
    // the JIT can fold Enabled without class-initialisation checks. Last: it uses the fields above.
    internal static readonly bool ExitHookInstalled = InstallExitHook();

    private static bool InstallExitHook()
    {
        if (!Enabled) return false;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => AtExit(Console.Error);
        return true;
    }

    /// <summary>Sampled mode: allocations left before this thread's next sampled one.</summary>
    [ThreadStatic] internal static int SampleCountdown;

    /// <summary>Allocates under the mode in force.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void* Alloc(nuint byteCount, nuint alignment, bool zero)
    {
        if (Mode == CheckMode.GuardSample)
        {
            // The sampled fast path: one thread-static countdown, then the allocator.
            if (--SampleCountdown > 0) return Unchecked(byteCount, alignment, zero);
            return SampledOrTooBig(byteCount, alignment, zero);
        }
        if (Mode == CheckMode.GuardAll) return Guarded!.Alloc(byteCount, alignment, zero);
        return Checked!.Alloc(byteCount, alignment, zero);
    }

    /// <summary>Frees under the mode in force.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Free(void* ptr)
    {
        if (Mode == CheckMode.GuardSample)
        {
            // Not in the pool: the allocator's own inlined fast path, as in release mode.
            if ((nuint)((nint)ptr - PoolStart) >= PoolLength) { Heap.Dealloc.Free(ptr); return; }
            Guarded!.Free(ptr);
            return;
        }
        if (Mode == CheckMode.GuardAll) { Guarded!.Free(ptr); return; }
        Checked!.Free(ptr);
    }

    /// <summary>Reallocates under the mode in force.</summary>
    internal static void* Realloc(void* ptr, nuint byteCount, nuint alignment)
    {
        if (Checked is not null) return Checked.Realloc(ptr, byteCount, alignment);
        if (Mode == CheckMode.GuardSample && !Guarded!.InPool(ptr))
        {
            // Not a guarded block: move it, so the new one can be sampled like any allocation.
            if (ptr == null) return Alloc(byteCount, alignment, false);
            nuint old = Backend.UsableSize(ptr);
            void* p = Alloc(byteCount == 0 ? 1 : byteCount, alignment, false);
            Buffer.MemoryCopy(ptr, p, byteCount, Math.Min(old, byteCount));
            Backend.Free(ptr);
            return p;
        }
        return Guarded!.Realloc(ptr, byteCount, alignment);
    }

    /// <summary>The usable size under the mode in force (the requested size, for checked and guarded blocks).</summary>
    internal static nuint UsableSize(void* ptr)
    {
        if (Checked is not null) return Checked.UsableSize(ptr);
        if (Mode == CheckMode.GuardSample && !Guarded!.InPool(ptr)) return Backend.UsableSize(ptr);
        return Guarded!.UsableSize(ptr);
    }

    /// <summary>Checked mode: verifies every redzone and the quarantine (called by <c>EbbMemory.Validate()</c>).</summary>
    internal static void Validate() => Checked?.Validate();

    /// <summary>Writes the leak report of checked mode; false when there is nothing to report or no live table.</summary>
    internal static bool ReportLeaks(TextWriter w) => Checked?.ReportLeaks(w) ?? false;

    // The countdown ran out: a block of at most a page goes to the pool; a bigger one does
    // not fit a slot, so it is an ordinary block and the very next allocation is sampled instead.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void* SampledOrTooBig(nuint byteCount, nuint alignment, bool zero)
    {
        if (byteCount <= GuardedHeap.MaxSampledSize && alignment <= GuardedHeap.MaxSampledSize)
            return Guarded!.AllocSampled(byteCount, alignment, zero);
        SampleCountdown = 1;
        return Unchecked(byteCount, alignment, zero);
    }

    // The allocation not sampled: the allocator's own inlined fast path, as in release mode,
    // so sampled mode costs only the countdown on the way.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void* Unchecked(nuint byteCount, nuint alignment, bool zero)
    {
        if (alignment == 0 && !zero) return Heap.HeapAlloc.Alloc(byteCount);
        void* p = alignment <= 16 ? Backend.Alloc(byteCount) : Backend.AlignedAlloc(byteCount, alignment);
        if (zero) System.Runtime.InteropServices.NativeMemory.Clear(p, byteCount);
        return p;
    }

    // At exit: write-after-free and overflows still in the tables, then leaks when asked.
    // The report goes to stderr; errors (not leaks) make the exit code non-zero.
    private static void AtExit(TextWriter w)
    {
        try
        {
            if (Checked is null) return;
            var errors = Checked.FindErrors("at exit", 16);
            foreach (var e in errors) w.WriteLine(e.Message);
            if (errors.Count > 0 && Environment.ExitCode == 0) Environment.ExitCode = 1;
            if (Options.Leaks) Checked.ReportLeaks(w);
            w.Flush();
        }
        catch (Exception e)
        {
            w.WriteLine($"ebb: warning: exit-time check failed: {e.Message}");
        }
    }
}
