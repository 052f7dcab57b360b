using Ebb.Cli.Terminal;
using System.Globalization;

namespace Ebb.Cli.Commands;

/// <summary>
/// <c>ebb stats PID|self [--interval S [--count N]] [--json]</c>: Ebb's meter of a running .NET process
/// that uses Ebb, read over the diagnostics IPC channel (see <see cref="EbbMeterReader"/>), or
/// of ebb itself; once, or every S seconds until interrupted.
/// </summary>
public static class StatsCommand
{
    private const string Usage = """
        Usage: ebb stats PID|self [OPTIONS]

        Ebb's figures in a running .NET process that uses Ebb, as EbbMemory.PrintStats prints
        them: reserved, committed, resident, pending purge, in use, blocks, purged, and the
        system calls by kind. Read over the process's diagnostics channel (EventPipe, as
        dotnet-counters does); the runtime allows one such session at a time.

          PID             the process (read over its diagnostics channel, even ebb's own)
          self            ebb itself, straight from its allocator
          --interval S    print every S seconds until interrupted (default: once)
          --count N       with --interval: N times, then exit
          --json          one JSON object a line
          -h, --help      this text
        """;

    /// <summary>Runs <c>ebb stats ARGS</c>.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? target = null;
        double? interval = null;
        bool json = false;
        long count = long.MaxValue;
        const string CountError = "--count needs a whole number from 1";
        const string IntervalError = "--interval needs a number of seconds from 0.1 to 3600";
        var parser = new VerbOptions("stats").Help()
            .Flag("--json", () => json = true)
            .Value("--count", v => count = long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n >= 1
                ? n : throw new CliException("ebb stats: " + CountError), missing: CountError)
            .Value("--interval", v => interval = double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s >= 0.1 && s <= 3600
                ? s : throw new CliException("ebb stats: " + IntervalError), missing: IntervalError);
        parser.Positional(a => target = target is null ? a : throw parser.Error("one process at a time"));
        if (!parser.Parse(args))
        {
            stdout.WriteLine(Usage);
            return 0;
        }
        if (target == null) throw new CliException("ebb stats: which process? (ebb stats PID|self)");
        if (count != long.MaxValue && interval == null) throw new CliException("ebb stats: --count goes with --interval");

        string named = PidArgument.Parse(target) ?? throw new CliException($"ebb stats: '{target}' is not a process id ({PidArgument.Spellings})");
        int? pid = null;
        if (named != "self")
        {
            int p = int.Parse(named, CultureInfo.InvariantCulture);
            if (!Directory.Exists($"/proc/{p}")) throw new CliException($"ebb stats: no process {p}");
            pid = p;
        }
        string title = pid is int n ? $"process {n}" : $"process {Environment.ProcessId} (self)";

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            long printed = 0;
            bool Print(EbbMeterSnapshot snapshot)
            {
                printed++;
                stdout.Write(json ? snapshot.ToJson(pid ?? Environment.ProcessId) + "\n" : snapshot.ToText(title) + (interval != null ? "\n" : ""));
                stdout.Flush();
                return interval != null && printed < count && !cancel.IsCancellationRequested;
            }

            if (pid is int other)
            {
                new EbbMeterReader(other, interval ?? 1).Run(Print, cancel.Token);
                return 0;
            }
            while (Print(EbbMeterSnapshot.FromThisProcess()))
                if (cancel.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(interval!.Value))) break;
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
