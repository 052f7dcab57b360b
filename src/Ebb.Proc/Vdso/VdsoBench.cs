using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Ebb.Proc.Vdso;

/// <summary>
/// Times <c>clock_gettime</c> through the vDSO function pointer against the raw system call,
/// <c>n</c> calls each, after a short warm-up. Both paths cross from managed to native code
/// the same way (an unmanaged call with a GC transition), so the difference is the kernel entry.
/// </summary>
public static class VdsoBench
{
    /// <summary>Runs the comparison.</summary>
    /// <param name="clock">The vDSO clock of this process.</param>
    /// <param name="calls">How many calls of each kind; at least 1.</param>
    /// <param name="clockId">The clock to read; <see cref="VdsoClock.Monotonic"/> by default.</param>
    // Optimized from the first call: a short run would otherwise time the loop's unoptimized
    // first-tier code, not the call (the tour's 50,000 calls finish before tiering catches up).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static VdsoBenchResult Run(VdsoClock clock, int calls, int clockId = VdsoClock.Monotonic)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(calls, 1);
        int warm = WarmupCalls(calls);
        long sink = 0;
        for (int i = 0; i < warm; i++) sink += clock.GetTime(clockId) + Libc.ClockGettimeSyscall(clockId);

        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) sink += clock.GetTime(clockId);
        var vdso = Stopwatch.GetElapsedTime(start);

        start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) sink += Libc.ClockGettimeSyscall(clockId);
        var syscall = Stopwatch.GetElapsedTime(start);

        GC.KeepAlive(sink);
        return new VdsoBenchResult(calls, clockId, clock.Symbol, vdso.TotalNanoseconds / calls, syscall.TotalNanoseconds / calls);
    }

    /// <summary>How many untimed calls of each kind <see cref="Run"/> makes first, for <paramref name="calls"/> timed ones.</summary>
    public static int WarmupCalls(int calls) => Math.Min(calls, 1000);
}

/// <summary>The outcome of <see cref="VdsoBench.Run"/>.</summary>
/// <param name="Calls">Calls of each kind.</param>
/// <param name="ClockId">The clock read.</param>
/// <param name="Symbol">The vDSO symbol called.</param>
/// <param name="VdsoNanoseconds">Mean cost of one call through the vDSO, in nanoseconds.</param>
/// <param name="SyscallNanoseconds">Mean cost of one raw system call, in nanoseconds.</param>
public sealed record VdsoBenchResult(int Calls, int ClockId, ElfSymbol Symbol, double VdsoNanoseconds, double SyscallNanoseconds)
{
    /// <summary>How many times dearer the system call is than the vDSO call.</summary>
    public double Ratio => VdsoNanoseconds > 0 ? SyscallNanoseconds / VdsoNanoseconds : double.PositiveInfinity;
}
