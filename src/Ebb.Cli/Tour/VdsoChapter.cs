using Ebb.Cli.Terminal;
using System.Text;
using Ebb.Proc.Vdso;

namespace Ebb.Cli.Tour;

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
        "The vDSO is the kernel's small library in every process: reading the clock through it never " +
        "enters the kernel. Its functions, parsed from this process's memory " +
        "(getauxval(AT_SYSINFO_EHDR)), and clock_gettime timed both ways:";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        var image = VdsoReader.ReadSelf();
        VdsoBenchResult result;
        using (context.Progress($"timing clock_gettime, {Calls} calls each way"))
            result = VdsoBench.Run(VdsoClock.FromImage(image), Calls);
        context.Out.Write(Brief(image, $"pid {Environment.ProcessId}"));
        context.Out.WriteLine();
        context.Out.Write(VdsoFormatter.FormatBench(result, VdsoReader.CurrentClockSource()));
    }

    /// <summary>
    /// The first line of <c>ebb vdso</c> (place and name; the names below carry the version), then the functions' names
    /// wrapped, not a table: each has a weak alias without <c>__vdso_</c>, which 'ebb vdso' lists.
    /// </summary>
    internal static string Brief(ElfImage image, string whose)
    {
        var sb = new StringBuilder().Append(VdsoFormatter.Format(image, whose).Split('\n')[0]).Append('\n');
        var names = image.Functions.Where(f => f.Name.StartsWith("__vdso_", StringComparison.Ordinal)).Select(f => f.DisplayName).ToList();
        if (names.Count == 0) names = [.. image.Functions.Select(f => f.DisplayName)];
        sb.Append("functions (each also as a weak alias without __vdso_; 'ebb vdso' lists all):\n");
        foreach (var line in TextWrap.Wrap(string.Join(", ", names), 76)) sb.Append("  ").Append(line).Append('\n');
        return sb.ToString();
    }
}
