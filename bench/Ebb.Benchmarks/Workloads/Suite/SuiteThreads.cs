using System.Runtime.ExceptionServices;

namespace Ebb.Benchmarks.Workloads.Suite;

/// <summary>
/// Fresh OS threads for one step of a workload, joined at the end; the first exception any of
/// them throws (a tag mismatch) is thrown again on the caller's thread, so the run ends there
/// with its message. New threads every time, never a pool: the ported programs create and end
/// threads, and how an allocator copes with a thread that ends is part of what they measure.
/// </summary>
public sealed class SuiteThreads
{
    private ExceptionDispatchInfo? _failure;

    /// <summary>True once some thread failed (long loops may stop early).</summary>
    public bool Failed => Volatile.Read(ref _failure) != null;

    /// <summary>Records <paramref name="e"/> unless an earlier failure was recorded.</summary>
    public void Record(Exception e) => Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);

    /// <summary>Throws the first recorded failure, if any.</summary>
    public void ThrowIfFailed() => Volatile.Read(ref _failure)?.Throw();

    /// <summary>Starts a thread running <paramref name="body"/>, failures recorded.</summary>
    public Thread Start(string name, Action body)
    {
        var t = new Thread(() =>
        {
            try { body(); }
            catch (Exception e) { Record(e); }
        }) { IsBackground = true, Name = name };
        t.Start();
        return t;
    }

    /// <summary>Runs <paramref name="body"/>(0 … count-1) on <paramref name="count"/> new threads and waits for all; rethrows the first failure.</summary>
    public static void Run(int count, string name, Action<int> body)
    {
        var group = new SuiteThreads();
        var threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            int id = i;
            threads[i] = group.Start($"{name} {id}", () => body(id));
        }
        foreach (var t in threads) t.Join();
        group.ThrowIfFailed();
    }
}
