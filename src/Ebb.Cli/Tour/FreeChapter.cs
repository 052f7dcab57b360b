using System.Globalization;
using Ebb.Proc;
using Ebb.Proc.Free;

namespace Ebb.Cli.Tour;

/// <summary>
/// The tour's first chapter: <c>free -h</c> of this machine, what its columns mean, and the
/// arithmetic from /proc/meminfo behind them (one read, so the two agree).
/// </summary>
public sealed class FreeChapter : ITourChapter
{
    /// <inheritdoc/>
    public string Title => "free -h: the machine's memory";

    /// <inheritdoc/>
    public string Explanation =>
        "procps's free, from /proc/meminfo. used is total minus available; buff/cache is cache the " +
        "kernel hands back under pressure; available, what a new program could get without swapping, " +
        "is the figure to watch: little free is normal.";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        var meminfo = MeminfoReader.Read();
        var figures = FreeCalculator.Compute(meminfo);
        context.Out.Write(FreeFormatter.Format(figures, new FreeOptions { Human = true }));
        context.Out.Write(Arithmetic(meminfo, figures));
    }

    /// <summary>Where the Mem: figures come from, in the kB meminfo gives (a pure function, for tests).</summary>
    internal static string Arithmetic(Meminfo m, in FreeFigures f)
    {
        static string N(ulong v) => unchecked((long)v).ToString("N0", CultureInfo.InvariantCulture);
        string availableFrom = !m.Contains("MemAvailable") || m["MemAvailable"] == 0
            ? $"MemFree {N(f.Available)} (this kernel has no MemAvailable)"
            : m["MemAvailable"] > m["MemTotal"]
                ? $"MemFree {N(f.Available)} (MemAvailable is above MemTotal, as in a container)"
                : $"MemAvailable {N(f.Available)}";
        return
            "From /proc/meminfo, in kB:\n" +
            $"  used       = MemTotal {N(f.MemTotal)} - available {N(f.Available)} = {N(f.MemUsed)}\n" +
            $"  available  = {availableFrom}\n" +
            $"  buff/cache = Buffers {N(f.Buffers)} + Cached {N(m["Cached"])} + SReclaimable {N(m["SReclaimable"])} = {N(unchecked(f.Buffers + f.Cache))}\n" +
            $"  shared     = Shmem {N(f.Shared)}; free = MemFree {N(f.MemFree)}\n";
    }
}
