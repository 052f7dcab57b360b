namespace Ebb.Benchmarks.Workloads;

/// <summary>
/// A long-lived thread that runs one piece of work at a time. The producer/consumer benchmark
/// reuses two of them, so no measurement pays for thread creation or for an allocator's
/// handling of threads that die (that is a different workload).
/// </summary>
public sealed class Worker : IDisposable
{
    private readonly Thread thread;
    private readonly SemaphoreSlim start = new(0);
    private readonly SemaphoreSlim done = new(0);
    private Action? work;
    private Exception? failure;
    private volatile bool stopping;
    private readonly int cpu;

    /// <summary>Starts the thread, named <paramref name="name"/>; pinned to <paramref name="cpu"/> when not negative (<see cref="CpuAffinity"/>).</summary>
    public Worker(string name, int cpu = -1)
    {
        this.cpu = cpu;
        thread = new Thread(Loop) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>Hands the thread <paramref name="action"/> to run.</summary>
    public void Start(Action action)
    {
        work = action;
        start.Release();
    }

    /// <summary>Waits until the work handed over has finished; rethrows what it threw.</summary>
    public void Wait()
    {
        done.Wait();
        if (failure is { } e)
        {
            failure = null;
            throw new InvalidOperationException($"{thread.Name} failed: {e.Message}", e);
        }
    }

    private void Loop()
    {
        CpuAffinity.PinCurrentThread(cpu);
        while (true)
        {
            start.Wait();
            if (stopping) return;
            try { work!(); }
            catch (Exception e) { failure = e; }
            done.Release();
        }
    }

    /// <summary>Ends the thread.</summary>
    public void Dispose()
    {
        stopping = true;
        start.Release();
        thread.Join();
    }
}
