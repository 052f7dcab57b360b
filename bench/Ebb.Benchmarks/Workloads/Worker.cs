namespace Ebb.Benchmarks.Workloads;

/// <summary>
/// A long-lived thread that runs one piece of work at a time. The producer/consumer benchmark
/// reuses two of them, so no measurement pays for thread creation or for an allocator's
/// handling of threads that die (that is a different workload).
/// </summary>
public sealed class Worker : IDisposable
{
    private readonly Thread _thread;
    private readonly SemaphoreSlim _start = new(0);
    private readonly SemaphoreSlim _done = new(0);
    private Action? _work;
    private Exception? _failure;
    private volatile bool _stopping;
    private readonly int _cpu;

    /// <summary>Starts the thread, named <paramref name="name"/>; pinned to <paramref name="cpu"/> when not negative (<see cref="CpuAffinity"/>).</summary>
    public Worker(string name, int cpu = -1)
    {
        this._cpu = cpu;
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Hands the thread <paramref name="action"/> to run.</summary>
    public void Start(Action action)
    {
        _work = action;
        _start.Release();
    }

    /// <summary>Waits until the work handed over has finished; rethrows what it threw.</summary>
    public void Wait()
    {
        _done.Wait();
        if (_failure is { } e)
        {
            _failure = null;
            throw new InvalidOperationException($"{_thread.Name} failed: {e.Message}", e);
        }
    }

    private void Loop()
    {
        CpuAffinity.PinCurrentThread(_cpu);
        while (true)
        {
            _start.Wait();
            if (_stopping) return;
            try { _work!(); }
            catch (Exception e) { _failure = e; }
            _done.Release();
        }
    }

    /// <summary>Ends the thread.</summary>
    public void Dispose()
    {
        _stopping = true;
        _start.Release();
        _thread.Join();
    }
}
