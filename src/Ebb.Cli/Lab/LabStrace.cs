using Ebb.Cli.Interop;
using Ebb.Cli.Terminal;
using System.Diagnostics;

namespace Ebb.Cli.Lab;

/// <summary>
/// <c>ebb lab NAME --strace</c>: runs the experiment in a child process under strace(1),
/// prints its report, then the memory system calls that touched the experiment's addresses
/// (a .NET process makes hundreds of others; those are left out and counted).
/// </summary>
internal static class LabStrace
{
    private const string Calls = "brk,mmap,munmap,mprotect,madvise,mremap";

    /// <summary>Runs experiment <paramref name="name"/> under strace; returns the exit code.</summary>
    /// <exception cref="CliException">strace is missing or could not trace the child.</exception>
    public static int Run<T>(string name, TextWriter stdout, TextWriter stderr, Func<T, IEnumerable<ulong>> addresses, Action<T, TextWriter> print)
    {
        string strace = FindOnPath("strace")
            ?? throw new CliException($"ebb lab {name}: strace not found (install it, e.g. apt-get install strace)");
        string log = Path.Combine(Path.GetTempPath(), $"ebb-lab-{name}-{Environment.ProcessId}.strace");
        try
        {
            var child = SelfProcess.StartInfo(["lab", name, "--in-process", "--json"]);
            var info = new ProcessStartInfo(strace)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "-f", "-qq", "-o", log, "-e", "trace=" + Calls, child.FileName }) info.ArgumentList.Add(a);
            foreach (var a in child.ArgumentList) info.ArgumentList.Add(a);
            info.Environment[MarkVariable] = "1";
            // The runtime's W^X double mapping of code makes dozens of mmap/munmap pairs that
            // reuse the experiment's addresses; without it the trace shows only the experiment.
            info.Environment["DOTNET_EnableWriteXorExecute"] = "0";
            var (code, output, error) = SelfProcess.Run(info, TimeSpan.FromSeconds(120));
            if (code != 0 || !File.Exists(log))
            {
                string why = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? $"exit code {code}";
                throw new CliException($"ebb lab {name}: strace failed: {why}");
            }
            var facts = LabChild.Parse<T>(name, output);
            print(facts, stdout);
            var wanted = addresses(facts).Where(a => a != 0).Select(a => $"0x{a:x}").Distinct().ToArray();
            var lines = File.ReadAllLines(log);
            var window = lines.SkipWhile(l => !l.Contains(Marker, StringComparison.Ordinal)).Skip(1)
                .TakeWhile(l => !l.Contains(Marker, StringComparison.Ordinal));
            var mine = window.Where(l => wanted.Any(a => ContainsAddress(l, a))).Select(StripPid).ToList();
            stdout.WriteLine();
            stdout.WriteLine($"strace -f -e trace={Calls}: {mine.Count} of the child's {lines.Length} calls touched the experiment's addresses:");
            foreach (var l in mine) stdout.WriteLine("  " + l);
            return 0;
        }
        finally
        {
            File.Delete(log);
        }
    }

    internal const string MarkVariable = "EBB_LAB_STRACE_MARK";
    internal const string Marker = "madvise(NULL, 0, MADV_NORMAL)";

    /// <summary>
    /// Runs <paramref name="measure"/> between two no-op system calls (<c>madvise(NULL, 0,
    /// MADV_NORMAL)</c>) when traced, so the trace can be cut down to the experiment.
    /// </summary>
    public static T Marked<T>(Func<T> measure)
    {
        bool mark = Environment.GetEnvironmentVariable(MarkVariable) == "1";
        if (mark) Libc.TryAdvise(0, 0, Libc.MADV_NORMAL);
        try
        {
            return measure();
        }
        finally
        {
            if (mark) Libc.TryAdvise(0, 0, Libc.MADV_NORMAL);
        }
    }

    // "0x1000" must not match inside "0x10000": the next character may not be a hex digit.
    private static bool ContainsAddress(string line, string hex)
    {
        for (int i = line.IndexOf(hex, StringComparison.Ordinal); i >= 0; i = line.IndexOf(hex, i + 1, StringComparison.Ordinal))
        {
            int end = i + hex.Length;
            if (end == line.Length || !Uri.IsHexDigit(line[end])) return true;
        }
        return false;
    }

    // strace -f prefixes each line with the thread id.
    private static string StripPid(string line)
    {
        int space = line.IndexOf(' ');
        return space > 0 && line[..space].All(char.IsAsciiDigit) ? line[(space + 1)..].TrimStart() : line;
    }

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    internal static string? FindOnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string p = Path.Combine(dir, program);
            if (File.Exists(p)) return p;
        }
        return null;
    }
}
