using Ebb.Proc.Vdso;

namespace Ebb.Cli;

/// <summary>
/// The tour's vDSO chapter: this process's own vDSO symbols, read from its memory, and a
/// short timing of clock_gettime through the vDSO against the system call.
/// </summary>
public sealed class VdsoChapter : ITourChapter
{
    // Enough calls for a stable figure, few enough to take a small fraction of a second.
    private const int Calls = 50_000;

    /// <inheritdoc/>
    public string Title => "The vDSO: calls that never enter the kernel";

    /// <inheritdoc/>
    public string Explanation =>
        "The vDSO (virtual dynamic shared object) is the kernel's small shared library, mapped into " +
        "every process, so that a few calls such as reading the clock run as ordinary function calls " +
        "and never enter the kernel. Below: its function symbols with their versions, parsed from this " +
        "process's own memory (found through getauxval(AT_SYSINFO_EHDR)), then clock_gettime timed " +
        "through the vDSO's function pointer and as a real system call.";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        var image = VdsoReader.ReadSelf();
        VdsoBenchResult result;
        using (context.Progress($"timing clock_gettime, {Calls} calls each way"))
            result = VdsoBench.Run(VdsoClock.FromImage(image), Calls);
        context.Out.Write(VdsoFormatter.Format(image, $"this process ({Environment.ProcessId})"));
        context.Out.WriteLine();
        context.Out.Write(VdsoFormatter.FormatBench(result, VdsoReader.CurrentClockSource()));
    }
}
