using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;

namespace Ebb.Benchmarks.Pipes;

/// <summary>
/// <c>pipe-pool [--gib N] [--rounds R] [--ahead A]</c>: N GiB (1) through a <see cref="Pipe"/>, a writer
/// thread filling whole segments from a source buffer and flushing each (waiting on its own thread), the reader consuming
/// on the thread pool, with 4 KiB and 64 KiB segments, from .NET's pool
/// (<see cref="MemoryPool{T}.Shared"/>, arrays from ArrayPool) and from
/// <see cref="EbbMemoryPool.Shared"/>, side by side, and from Ebb with reused owner objects
/// (<see cref="RecycledOwnerPool"/>, a measurement of what pooling owners would buy, not a shipped
/// pool): throughput (best of R rounds, the pools taking turns, after one warm-up round each), and
/// over all R rounds the Gen0 collections, the time the GC paused the process, and the managed
/// bytes allocated by every thread. The writer may run A segments (64) ahead of the reader
/// (it waits when it is A ahead, until the reader is A/2 behind).
/// </summary>
public static class PipePoolCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout)
    {
        double gib = Option(args, "--gib", 1.0);
        int rounds = (int)Option(args, "--rounds", 3.0);
        int ahead = (int)Option(args, "--ahead", 64.0);
        if (gib <= 0 || rounds < 1 || ahead < 2) throw new ArgumentException("--gib must be above 0, --rounds at least 1 and --ahead at least 2");
        long total = (long)(gib * (1L << 30));

        stdout.WriteLine($"| segment | pool | GiB/s (best of {rounds}) | Gen0 GCs | GC pause ms | managed bytes allocated | ({gib} GiB a round, {rounds} rounds, writer up to {ahead} segments ahead) |");
        stdout.WriteLine("|---|---|---:|---:|---:|---:|---|");
        var pools = new (string Name, MemoryPool<byte> Pool)[]
        {
            ("MemoryPool<byte>.Shared", MemoryPool<byte>.Shared), ("EbbMemoryPool.Shared", EbbMemoryPool.Shared), ("Ebb, owners reused (not shipped)", new RecycledOwnerPool()),
        };
        foreach (int segment in new[] { 4096, 65536 })
        {
            var best = new double[pools.Length];
            var gen0 = new int[pools.Length];
            var allocated = new long[pools.Length];
            var paused = new TimeSpan[pools.Length];
            foreach (var (_, pool) in pools) Pump(pool, segment, Math.Min(total, 64L << 20), ahead);
            // Rounds interleaved, one pool then the other, so that load from elsewhere on the machine falls on both alike.
            for (int r = 0; r < rounds; r++)
            {
                for (int p = 0; p < pools.Length; p++)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    int collections = GC.CollectionCount(0);
                    long bytes = GC.GetTotalAllocatedBytes(precise: true);
                    TimeSpan pause = GC.GetTotalPauseDuration();
                    double seconds = Pump(pools[p].Pool, segment, total, ahead).TotalSeconds;
                    allocated[p] += GC.GetTotalAllocatedBytes(precise: true) - bytes;
                    gen0[p] += GC.CollectionCount(0) - collections;
                    paused[p] += GC.GetTotalPauseDuration() - pause;
                    best[p] = Math.Max(best[p], total / seconds / (1L << 30));
                }
            }
            for (int p = 0; p < pools.Length; p++)
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {segment / 1024} KiB | {pools[p].Name} | {best[p]:F2} | {gen0[p]} | {paused[p].TotalMilliseconds:F1} | {allocated[p]:N0} | |"));
        }
        return 0;
    }

    private static TimeSpan Pump(MemoryPool<byte> pool, int segment, long total, int ahead)
    {
        var pipe = new Pipe(new PipeOptions(pool: pool, minimumSegmentSize: segment,
            pauseWriterThreshold: (long)ahead * segment, resumeWriterThreshold: (long)ahead / 2 * segment, useSynchronizationContext: false));
        var clock = Stopwatch.StartNew();
        var reader = Task.Run(() => Read(pipe.Reader));
        var writer = new Thread(() => Write(pipe.Writer, segment, total)) { Name = "pipe writer" };
        writer.Start();
        writer.Join();
        long read = reader.GetAwaiter().GetResult();
        clock.Stop();
        if (read != total) throw new InvalidOperationException($"read {read} bytes of {total}");
        return clock.Elapsed;
    }

    // Synchronous on its own thread (an await would move it to the thread pool).
    private static void Write(PipeWriter writer, int segment, long total)
    {
        byte[] source = new byte[segment];
        Random.Shared.NextBytes(source);
        for (long position = 0; position < total;)
        {
            Memory<byte> memory = writer.GetMemory(segment);
            int n = (int)Math.Min(Math.Min(memory.Length, segment), total - position);
            source.AsSpan(0, n).CopyTo(memory.Span);
            writer.Advance(n);
            position += n;
            ValueTask<FlushResult> flush = writer.FlushAsync();
            if (!flush.IsCompleted) flush.AsTask().GetAwaiter().GetResult();
        }
        writer.Complete();
    }

    private static async Task<long> Read(PipeReader reader)
    {
        long position = 0;
        int checksum = 0;
        while (true)
        {
            ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
            foreach (ReadOnlyMemory<byte> memory in result.Buffer)
            {
                ReadOnlySpan<byte> span = memory.Span;
                if (span.Length > 0) checksum += span[0] + span[^1];
                position += span.Length;
            }
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) break;
        }
        await reader.CompleteAsync().ConfigureAwait(false);
        GC.KeepAlive(checksum);
        return position;
    }

    private static double Option(string[] args, string name, double fallback)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0) return fallback;
        if (i + 1 >= args.Length || !double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new ArgumentException($"{name} needs a number");
        return v;
    }
}
