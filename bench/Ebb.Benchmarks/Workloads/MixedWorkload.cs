using Ebb.Benchmarks.Contenders;

namespace Ebb.Benchmarks.Workloads;

/// <summary>
/// A mixed workload for peak RSS: 20 000 slots, 1 000 000 steps; each step picks a slot at random
/// and allocates into it if empty, otherwise frees (80%) or reallocs (20%, to half to twice the size).
/// Sizes: 70% 16–256 B, 20% 256 B–4 KiB, 9% 4–64 KiB, 1% 64–256 KiB; every block is filled, so
/// its pages are really resident. Deterministic (fixed seed), so every contender sees the same
/// sequence. Reports the peak RSS above the start (VmHWM after resetting it), the peak of the
/// bytes the program asked for, and the time.
/// </summary>
public static unsafe class MixedWorkload
{
    private const int Slots = 20_000;
    private const int Steps = 1_000_000;

    /// <summary>What the workload measured.</summary>
    public readonly record struct Result(long PeakRss, long PeakRequested, double Seconds);

    /// <summary>Runs the workload through <typeparamref name="T"/>.</summary>
    public static Result Run<T>() where T : struct, INativeAllocator
    {
        var ptrs = new nint[Slots];
        var lens = new int[Slots];
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Rss.ResetPeak();
        long start = Rss.Total();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ulong rng = 0x9E3779B97F4A7C15;
        long live = 0, peakLive = 0;
        for (int step = 0; step < Steps; step++)
        {
            int slot = (int)(Next(ref rng) % Slots);
            if (ptrs[slot] == 0)
            {
                int size = DrawSize(ref rng);
                byte* p = (byte*)T.Alloc((nuint)size);
                new Span<byte>(p, size).Fill((byte)slot);
                ptrs[slot] = (nint)p;
                lens[slot] = size;
                live += size;
            }
            else if (Next(ref rng) % 5 != 0)
            {
                Check(ptrs[slot], lens[slot], slot);
                T.Free((void*)ptrs[slot]);
                live -= lens[slot];
                ptrs[slot] = 0;
            }
            else
            {
                int old = lens[slot];
                int size = Math.Max(16, (int)(old * (0.5 + (Next(ref rng) % 1024) / 682.0)));
                byte* p = (byte*)T.Realloc((void*)ptrs[slot], (nuint)size);
                Check((nint)p, Math.Min(old, size), slot);
                if (size > old) new Span<byte>(p + old, size - old).Fill((byte)slot);
                ptrs[slot] = (nint)p;
                lens[slot] = size;
                live += size - old;
            }
            if (live > peakLive) peakLive = live;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        long peak = Rss.Peak() - start;
        for (int i = 0; i < Slots; i++)
            if (ptrs[i] != 0) T.Free((void*)ptrs[i]);
        return new Result(peak, peakLive, seconds);
    }

    private static void Check(nint p, int len, int slot)
    {
        // First and last byte: cheap, and enough to catch a Realloc that lost contents.
        if (((byte*)p)[0] != (byte)slot || ((byte*)p)[len - 1] != (byte)slot)
            throw new InvalidOperationException($"slot {slot}: contents lost");
    }

    private static int DrawSize(ref ulong rng)
    {
        ulong r = Next(ref rng);
        int bucket = (int)(r % 100);
        ulong u = r >> 8;
        return bucket switch
        {
            < 70 => 16 + (int)(u % 241),
            < 90 => 256 + (int)(u % (4096 - 256)),
            < 99 => 4096 + (int)(u % (65536 - 4096)),
            _ => 65536 + (int)(u % (262144 - 65536)),
        };
    }

    private static ulong Next(ref ulong s)
    {
        // xorshift64*: fast, deterministic, good enough to pick slots and sizes.
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 2685821657736338717UL;
    }
}
