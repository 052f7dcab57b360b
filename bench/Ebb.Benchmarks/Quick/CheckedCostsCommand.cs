using Ebb.DotNetHost;
using Ebb.Checks;
using Ebb.Os;

namespace Ebb.Benchmarks.Quick;

/// <summary>
/// <c>checked-costs [--pairs N] [--only TEXT]</c>: where checked mode's time goes, piece by piece, in this
/// process (each piece on its own, so the parts can be compared with the whole): the stack
/// walk, the depot lookup, the fills and checks, the allocator under a quarantine's reuse
/// pattern, the floor a 16 MiB quarantine sets (blocks written, then read back 16 MiB later,
/// with no bookkeeping), and whole checked pairs with and without stacks at two quarantine sizes. Times
/// are the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), best of 5, so other load on
/// the machine inflates them less than wall time would.
/// </summary>
public static unsafe class CheckedCostsCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout)
    {
        int i = Array.IndexOf(args, "--pairs");
        long pairs = i >= 0 && i + 1 < args.Length ? long.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : 2_000_000;
        // --only TEXT: only the pieces whose name contains TEXT (for A/B runs of one piece).
        int o = Array.IndexOf(args, "--only");
        string? only = o >= 0 && o + 1 < args.Length ? args[o + 1] : null;
        stdout.WriteLine($"| piece | ns | (thread CPU time, best of 5, {pairs} operations) |");
        stdout.WriteLine("|---|---:|---|");
        void Row(string name, Func<double> measure, string note = "")
        {
            if (only is null || name.Contains(only, StringComparison.Ordinal)) stdout.WriteLine($"| {name} | {measure():F1} | {note} |");
        }

        nint walk = NativeHelpers.Export("ebb_stack_hash");
        if (walk != 0)
        {
            var hash = (delegate* unmanaged[Cdecl, SuppressGCTransition]<int, int*, ulong>)walk;
            int* depth = stackalloc int[1];
            hash(32, depth);
            Row("frame-pointer walk + hash", () => Best(pairs, n => { ulong s = 0; for (long k = 0; k < n; k++) s += hash(32, depth); GC.KeepAlive(s); }),
                $"{*depth} frames deep here");
        }
        else Row("frame-pointer walk + hash", () => double.NaN, "native library not built");
        Row("stack capture (walk + depot lookup)", () => Best(pairs, n => { uint s = 0; for (long k = 0; k < n; k++) s += Stack.CaptureId(true); GC.KeepAlive(s); }),
            StackDepot.Shared.IsNative ? "" : "fallback: a StackTrace every time");
        Row("stack capture, 16 frames deeper (hashed up to 32)", () => Best(pairs, n => GC.KeepAlive(Deeper(16, n))));

        byte* buffer = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc(64);
        Row("redzone fill (32 bytes)", () => Best(pairs, n => { for (long k = 0; k < n; k++) Poison.Fill((nint)buffer, 32 + (nuint)(k & 15), Poison.Left); }));
        Row("redzone check (32 bytes)", () => Best(pairs, n => { int s = 0; for (long k = 0; k < n; k++) s += Poison.IsIntact((nint)buffer, 32, Poison.Left) ? 1 : 0; GC.KeepAlive(s); }));
        void* block = Backend.Alloc(144);
        Row("block lookup (allocator's map)", () => Best(pairs, n => { for (long k = 0; k < n; k++) Backend.TryFindBlock((byte*)block + 96, out _, out _); }));
        Backend.Free(block);

        // The allocator alone, each block reused after 256 KiB of others (the quarantine's pattern).
        Row("allocator pair, 144-byte blocks reused after 256 KiB", () => Best(pairs, n => Ring(n, 144, 1820)));
        // The floor a 16 MiB quarantine sets with no bookkeeping at all: each block is written
        // whole when allocated (the fills) and read whole when it comes back (the checks at
        // eviction), 16 MiB of other blocks later. 144 and 1152 bytes: a checked 16 and 1024 B block.
        foreach (int total in new[] { 144, 1152 })
            Row($"allocator pair, {total}-byte blocks written, read back after 16 MiB", () => Best(pairs, n => TouchedRing(n, (nuint)total, (16 << 20) / total)));
        foreach (var (quarantine, stacks) in new[] { (256L << 10, false), (16L << 20, false), (256L << 10, true), (16L << 20, true) })
        {
            var heap = new CheckedHeap(new CheckOptions { Mode = CheckMode.Checked, QuarantineBytes = quarantine, Stacks = stacks });
            foreach (int size in new[] { 16, 1024 })
                Row($"checked pair, {size} B, quarantine {quarantine >> 10} KiB, stacks {(stacks ? "on" : "off")}",
                    () => Best(pairs, n => CheckedPairs(heap, n, (nuint)size)));
        }
        return 0;
    }

    private static double Best(long n, Action<long> body)
    {
        body(Math.Min(n, 100_000)); // compiled and warm
        double best = double.MaxValue;
        for (int r = 0; r < 5; r++)
        {
            long t0 = TimingRound.ThreadCpuNs();
            body(n);
            best = Math.Min(best, (TimingRound.ThreadCpuNs() - t0) / (double)n);
        }
        return best;
    }

    // Captures n stacks `depth` calls further down (not a tail call: the result is used after it).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static uint Deeper(int depth, long n)
    {
        if (depth > 0) return Deeper(depth - 1, n) + 1;
        uint s = 0;
        for (long k = 0; k < n; k++) s += Stack.CaptureId(true);
        return s;
    }

    private static void Ring(long n, nuint size, int length)
    {
        void** ring = stackalloc void*[length];
        for (int k = 0; k < length; k++) ring[k] = Backend.Alloc(size);
        int at = 0;
        for (long k = 0; k < n; k++)
        {
            void* p = Backend.Alloc(size);
            *(nint*)p = (nint)k;
            Backend.Free(ring[at]);
            ring[at] = p;
            at = at + 1 == length ? 0 : at + 1;
        }
        for (int k = 0; k < length; k++) Backend.Free(ring[k]);
    }

    // As Ring, but every block is filled when allocated and checked when its turn comes back.
    private static void TouchedRing(long n, nuint size, int length)
    {
        var ring = (void**)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)length * (nuint)sizeof(void*));
        for (int k = 0; k < length; k++) Poison.Fill((nint)(ring[k] = Backend.Alloc(size)), size, Poison.Freed);
        int at = 0, bad = 0;
        for (long k = 0; k < n; k++)
        {
            if (!Poison.IsIntact((nint)ring[at], size, Poison.Freed)) bad++;
            Backend.Free(ring[at]);
            void* p = Backend.Alloc(size);
            Poison.Fill((nint)p, size, Poison.Freed);
            ring[at] = p;
            at = at + 1 == length ? 0 : at + 1;
        }
        for (int k = 0; k < length; k++) Backend.Free(ring[k]);
        System.Runtime.InteropServices.NativeMemory.Free(ring);
        GC.KeepAlive(bad);
    }

    // The pair workload's shape (batches of 100) on a checked heap of its own.
    private static void CheckedPairs(CheckedHeap heap, long n, nuint size)
    {
        void** slots = stackalloc void*[100];
        for (long b = 0; b < n / 100; b++)
        {
            for (int k = 0; k < 100; k++)
            {
                void* p = heap.Alloc(size, 16, false);
                *(nint*)p = k;
                slots[k] = p;
            }
            for (int k = 0; k < 100; k++) heap.Free(slots[k]);
        }
    }
}
