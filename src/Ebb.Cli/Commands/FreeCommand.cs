using Ebb.Cli.Terminal;
using Ebb.Proc;
using Ebb.Proc.Free;

namespace Ebb.Cli.Commands;

/// <summary>
/// <c>ebb free</c>: procps-ng 4.0.2's <c>free</c>, byte for byte: the same options (parsed
/// as glibc's getopt_long parses them), output, error lines and exit codes, plus
/// <c>--proc-root DIR</c> to read DIR/meminfo instead of /proc/meminfo.
/// </summary>
public static class FreeCommand
{
    /// <summary>What <c>free -V</c> prints: the procps release this verb reproduces.</summary>
    public const string VersionText = "free from procps-ng 4.0.2\n";

    // procps's usage(): the same lines, to stdout for --help, to stderr after a bad option.
    internal const string UsageText = """

        Usage:
         free [options]

        Options:
         -b, --bytes         show output in bytes
             --kilo          show output in kilobytes
             --mega          show output in megabytes
             --giga          show output in gigabytes
             --tera          show output in terabytes
             --peta          show output in petabytes
         -k, --kibi          show output in kibibytes
         -m, --mebi          show output in mebibytes
         -g, --gibi          show output in gibibytes
             --tebi          show output in tebibytes
             --pebi          show output in pebibytes
         -h, --human         show human-readable output
             --si            use powers of 1000 not 1024
         -l, --lohi          show detailed low and high memory statistics
         -t, --total         show total for RAM + swap
         -v, --committed     show committed memory and commit limit
         -s N, --seconds N   repeat printing every N seconds
         -c N, --count N     repeat printing N times, then exit
         -w, --wide          wide output

             --help     display this help and exit
         -V, --version  output version information and exit

        For more details see free(1).

        """;

    /// <summary>
    /// What <c>--help</c> adds after procps's text (only there: a bad command line's usage on
    /// stderr stays procps's): the options ebb has and procps does not.
    /// </summary>
    internal const string EbbHelpText = """
        ebb's own options (procps free has none of these):
             --proc-root DIR  read DIR/meminfo instead of /proc/meminfo (a saved tree;
                              its faults are named with the file, see docs/compatibility.md)
             --json           one JSON object a report, a line each, in bytes
                              (schema: docs/compatibility.md)

        """;

    // The long options in free.c's table order (glibc lists ambiguous matches in this order).
    private static readonly LongOption[] s_longOptions =
    [
        new("bytes", false, "b"),
        new("kilo", false, "kilo"),
        new("mega", false, "mega"),
        new("giga", false, "giga"),
        new("tera", false, "tera"),
        new("peta", false, "peta"),
        new("kibi", false, "k"),
        new("mebi", false, "m"),
        new("gibi", false, "g"),
        new("tebi", false, "tebi"),
        new("pebi", false, "pebi"),
        new("human", false, "h"),
        new("si", false, "si"),
        new("lohi", false, "l"),
        new("total", false, "t"),
        new("committed", false, "v"),
        new("seconds", true, "s"),
        new("count", true, "c"),
        new("wide", false, "w"),
        new("help", false, "help"),
        new("version", false, "V"),
        // Ebb's own; exact spelling only, so that no procps abbreviation changes meaning.
        new("proc-root", true, "proc-root", Abbreviable: false),
        new("json", false, "json", Abbreviable: false),
    ];

    private static readonly GetoptLong s_parser = new("free", "bkmghltvc:ws:V", s_longOptions);

    /// <summary>Runs <c>ebb free ARGS</c>; returns the exit code.</summary>
    /// <param name="args">The arguments after <c>free</c>.</param>
    /// <param name="stdout">Where the report goes.</param>
    /// <param name="stderr">Where complaints go.</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, stdout, stderr, static (delay, token) => Task.Delay(delay, token).Wait(token), CancellationToken.None);

    /// <summary>
    /// Runs <c>ebb free ARGS</c> with a chosen way to sleep between reports (<c>-s</c>, <c>-c</c>)
    /// and a token that ends an endless <c>-s</c> loop cleanly, so the loop can be tested.
    /// </summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr,
                            Action<TimeSpan, CancellationToken> sleep, CancellationToken cancel)
    {
        var request = ParseArguments(args, stdout, stderr, out int exit);
        if (request is null) return exit;

        // `ebb free -s 1 | head` ends when head does: Program writes a pipe through fd 1
        // directly (see BrokenPipe), where a closed reader is an IOException that ends the loop.
        try
        {
            return Report(request, stdout, stderr, sleep, cancel);
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        catch (IOException e) when (BrokenPipe.Is(e))
        {
            // The reader of a pipe went away: stop quietly with the status of procps's free,
            // which SIGPIPE ends.
            return BrokenPipe.ExitStatus;
        }
    }

    // Emulates free.c's getopt loop: each option acts at once, and the first error or
    // --help/-V ends the run; null means "exit with `exit`".
    private static FreeRequest? ParseArguments(string[] args, TextWriter stdout, TextWriter stderr, out int exit)
    {
        exit = 1;
        var options = new FreeOptions();
        bool unitSet = false, repeat = false, repeatCount = false, json = false;
        double intervalMicros = 1_000_000;
        int count = 0;
        string? procRoot = null;
        var operands = new List<string>();

        foreach (var opt in s_parser.Parse(args, operands))
        {
            if (opt.Error is not null)
            {
                stderr.Write(opt.Error + "\n" + UsageText);
                return null;
            }
            string? arg = opt.Argument;
            switch (opt.Id)
            {
                case "b" or "k" or "m" or "g" or "tebi" or "pebi" or "kilo" or "mega" or "giga" or "tera" or "peta":
                    if (unitSet)
                    {
                        stderr.Write("free: Multiple unit options don't make sense.\n");
                        return null;
                    }
                    unitSet = true;
                    options = options with { Exponent = UnitExponent(opt.Id), SI = options.SI || IsSiUnit(opt.Id) };
                    break;
                case "h": options = options with { Human = true }; break;
                case "si": options = options with { SI = true }; break;
                case "l": options = options with { LowHigh = true }; break;
                case "t": options = options with { Total = true }; break;
                case "v": options = options with { Committed = true }; break;
                case "w": options = options with { Wide = true }; break;
                case "s":
                    repeat = true;
                    if (!ProcpsNumbers.TryParseSecondsNoLocale(arg!, out double seconds, out string? secondsError))
                    {
                        stderr.Write($"free: seconds argument failed: '{arg}'{secondsError}\n");
                        return null;
                    }
                    // free.c keeps the interval in a float of microseconds.
                    intervalMicros = (float)(1_000_000 * seconds);
                    if (intervalMicros < 1)
                    {
                        stderr.Write($"free: seconds argument `{arg}' is not positive number\n");
                        return null;
                    }
                    break;
                case "c":
                    repeat = true;
                    repeatCount = true;
                    if (!ProcpsNumbers.TryParseLong(arg!, out long parsed, out string? countError))
                    {
                        stderr.Write($"free: failed to parse count argument: '{arg}'{countError}\n");
                        return null;
                    }
                    count = unchecked((int)parsed); // strtol's long lands in an int
                    if (count < 1)
                    {
                        stderr.Write($"free: failed to parse count argument: '{arg}': Numerical result out of range\n");
                        return null;
                    }
                    break;
                case "help":
                    stdout.Write(UsageText + EbbHelpText);
                    exit = 0;
                    return null;
                case "V":
                    stdout.Write(VersionText);
                    exit = 0;
                    return null;
                case "proc-root":
                    procRoot = arg;
                    break;
                case "json":
                    json = true;
                    break;
            }
        }
        if (operands.Count > 0)
        {
            stderr.Write(UsageText);
            return null;
        }
        string root = string.IsNullOrEmpty(procRoot) ? ProcPaths.DefaultRoot : procRoot;
        return new FreeRequest(options, root, repeat, repeatCount ? count : 0, intervalMicros, json);
    }

    private static int Report(FreeRequest r, TextWriter stdout, TextWriter stderr,
                              Action<TimeSpan, CancellationToken> sleep, CancellationToken cancel)
    {
        int remaining = r.Count;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            var meminfo = FreeSource.Read(r.Root, out string? error);
            if (meminfo is null)
            {
                stdout.Flush();
                stderr.Write(error + "\n");
                return 1;
            }
            var figures = FreeCalculator.Compute(meminfo);
            // --json: one object a line (JSON lines), so a repeating free is read line by line.
            stdout.Write(r.Json ? FreeJson.Format(figures) + "\n" : FreeFormatter.Format(figures, r.Options));
            stdout.Flush();
            if (r.Count > 0 && --remaining < 1) return 0;
            if (!r.Repeat) return 0;
            if (!r.Json) stdout.Write("\n");
            // usleep() takes whole microseconds (useconds_t); the float is truncated.
            sleep(TimeSpan.FromMicroseconds(Math.Min(Math.Floor(r.IntervalMicros), uint.MaxValue)), cancel);
        }
    }

    private static int UnitExponent(string id) => id switch
    {
        "b" => 1,
        "k" or "kilo" => 2,
        "m" or "mega" => 3,
        "g" or "giga" => 4,
        "tebi" or "tera" => 5,
        _ => 6,
    };

    private static bool IsSiUnit(string id) => id is "kilo" or "mega" or "giga" or "tera" or "peta";

    private sealed record FreeRequest(FreeOptions Options, string Root, bool Repeat, int Count, double IntervalMicros, bool Json);
}
