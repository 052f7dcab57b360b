using Ebb.Cli.Terminal;
using System.Globalization;
using Ebb.Proc;
using Ebb.Proc.Watch;

namespace Ebb.Cli.Commands;

/// <summary>
/// <c>ebb watch PID|self [--interval S] [--count N] [-o FILE.svg] [--proc-root DIR]</c>: a
/// process's RSS and its anonymous/file/shmem split over time, a line per sample with a
/// sparkline, and an SVG plot at the end.
/// </summary>
public static class WatchCommand
{
    private const string Usage = """
        Usage: ebb watch PID|self [OPTIONS]

        Samples the resident set (RSS) of a process and its anonymous, file and shmem parts
        (VmRSS, RssAnon, RssFile, RssShmem of /proc/PID/status): a line per sample with a
        sparkline of RSS so far, and an SVG plot at the end. Stops after N samples, when the
        process exits, or on Ctrl-C.

          --interval S      seconds between samples, fractions allowed (default 1)
          --count N         stop after N samples (default: until the process exits)
          -o FILE.svg       write the plot to FILE.svg at the end
          --json            one JSON object a sample, a line each, sizes in bytes;
                            no title, header or summary (docs/compatibility.md)
          --proc-root DIR   read a /proc tree saved under DIR instead of /proc
          -h, --help        this text
        """;

    /// <summary>Runs <c>ebb watch ARGS</c>.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? pid = null, svgPath = null;
        string procRoot = ProcPaths.DefaultRoot;
        var interval = TimeSpan.FromSeconds(1);
        int? count = null;
        bool json = false;
        var parser = new VerbOptions("watch").Help()
            .Value("--interval|-i", v => interval = Interval(v))
            .Value("--count|-c|-n", v => count = Count(v))
            .Value("-o|--output", v => svgPath = v)
            .Value("--proc-root", v => procRoot = v)
            .Flag("--json", () => json = true)
            .Positional(a => pid = pid is null ? a : throw Fail($"one process at a time ('{pid}' and '{a}')"));
        if (!parser.Parse(args))
        {
            stdout.WriteLine(Usage);
            return 0;
        }
        if (pid is null) throw Fail("which process? (ebb watch PID|self; try 'ebb watch --help')");
        pid = PidArgument.Parse(pid) ?? throw Fail($"'{pid}' is not a process id ({PidArgument.Spellings})");

        // Checked before the first sample: a bad name found only at the end would lose the run.
        if (svgPath is not null) OutputPath.Check("watch", svgPath, ".svg");

        var sampler = new RssSampler(pid, procRoot);
        var samples = new List<RssSample>();
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCtrlC = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCtrlC;
        try
        {
            foreach (var sample in sampler.Run(interval, count, stop.Token))
            {
                if (json)
                {
                    samples.Add(sample);
                    stdout.WriteLine(WatchJson.Format(pid, sample));
                    stdout.Flush();
                    continue;
                }
                if (samples.Count == 0)
                {
                    stdout.WriteLine(WatchFormatter.Title(pid, sampler.ProcessName, interval, count));
                    stdout.WriteLine(WatchFormatter.Header);
                }
                samples.Add(sample);
                stdout.WriteLine(WatchFormatter.Line(samples));
                stdout.Flush();
            }
        }
        catch (ProcReadException e) when (e.Kind is ProcReadErrorKind.NotFound or ProcReadErrorKind.ProcessExited)
        {
            throw Fail($"no such process: {pid}");
        }
        catch (ProcReadException e)
        {
            throw Fail(e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw Fail(e.Message);
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }

        if (samples.Count == 0)
            throw Fail(sampler.End == WatchEnd.ProcessExited ? $"process {pid} has exited" : $"no samples of process {pid}");
        if (!json) stdout.WriteLine(WatchFormatter.Summary(pid, samples, sampler.End));
        if (svgPath is not null)
        {
            string title = $"process {pid}{(sampler.ProcessName is null ? "" : $" ({sampler.ProcessName})")}";
            OutputPath.Write("watch", svgPath, WatchSvg.Render(samples, title));
            if (!json) stdout.WriteLine($"wrote {svgPath}");
        }
        return 0;
    }

    private static CliException Fail(string message) => new("ebb watch: " + message);

    private static TimeSpan Interval(string text)
    {
        // At least a millisecond: below that the samples would only measure the reading itself.
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double s)
            || !double.IsFinite(s) || s < 0.001 || s > 86_400)
            throw Fail($"--interval needs seconds between 0.001 and 86400, not '{text}'");
        return TimeSpan.FromSeconds(s);
    }

    private static int Count(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw Fail($"--count needs a positive whole number, not '{text}'");
}
