using System.Collections.Concurrent;

namespace Ebb.Tests;

/// <summary>Runs a test's body on several threads at once.</summary>
internal static class Threads
{
    /// <summary>
    /// Runs <paramref name="body"/>(0 … <paramref name="count"/>-1), each on a thread of its own
    /// (started together, so they overlap), waits for all, and throws the failures on the
    /// test's thread: an exception left on another thread would end the test host instead of
    /// failing the test.
    /// </summary>
    public static void Run(int count, Action<int> body)
    {
        var failures = new ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, count).Select(k => new Thread(() =>
        {
            try { body(k); }
            catch (Exception e) { failures.Enqueue(e); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (!failures.IsEmpty) throw new AggregateException(failures);
    }
}
