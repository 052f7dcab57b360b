using System.Diagnostics;
using System.Globalization;

namespace Ebb.Benchmarks.Quick;

/// <summary>
/// Runs this benchmark program again as a child process (for an LD_PRELOADed allocator, an Ebb
/// option read at start-up, or an RSS figure that must be the contender's alone) and collects the
/// <c>RESULT</c> lines it prints.
/// </summary>
public static class ChildProcess
{
    /// <summary>Prefix of a result line: <c>RESULT\tkey\tvalue</c>.</summary>
    public const string ResultPrefix = "RESULT\t";

    /// <summary>Writes one result line for the parent.</summary>
    public static void Emit(TextWriter output, string key, double value) =>
        output.WriteLine($"{ResultPrefix}{key}\t{value.ToString("R", CultureInfo.InvariantCulture)}");

    /// <summary>
    /// Runs <c>this-program ARGS</c> with <paramref name="environment"/> added; returns its results,
    /// or throws with the child's last stderr line when it fails.
    /// </summary>
    public static List<(string Key, double Value)> Run(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath ?? throw new InvalidOperationException("no process path"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Under `dotnet Ebb.Benchmarks.dll` the process is the dotnet host: name the assembly again.
        if (Path.GetFileNameWithoutExtension(psi.FileName) == "dotnet")
            psi.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment) psi.Environment[k] = v;

        using var child = Process.Start(psi) ?? throw new InvalidOperationException("could not start the child process");
        var stderr = child.StandardError.ReadToEndAsync();
        var stdout = child.StandardOutput.ReadToEndAsync();
        if (!child.WaitForExit(timeout))
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            throw new TimeoutException($"child {string.Join(' ', args)} took longer than {timeout.TotalSeconds:0} s");
        }
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            string last = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            throw new InvalidOperationException($"child exited with {child.ExitCode}: {last.Trim()}");
        }
        var results = new List<(string, double)>();
        foreach (var line in stdout.Result.Split('\n'))
        {
            if (!line.StartsWith(ResultPrefix, StringComparison.Ordinal)) continue;
            var parts = line.TrimEnd('\r').Split('\t');
            if (parts.Length == 3 && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                results.Add((parts[1], v));
        }
        return results;
    }
}
