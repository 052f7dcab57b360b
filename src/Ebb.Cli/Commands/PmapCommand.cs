using Ebb.Proc;
using Ebb.Proc.Pmap;

namespace Ebb.Cli.Commands;

/// <summary>
/// <c>ebb pmap</c>: procps-ng 4.0.2's <c>pmap</c> — output, messages and exit codes — with the
/// procps 4.0.4 fix of -X totals between pids (docs/compatibility.md), plus <c>--proc-root DIR</c>
/// to read a saved /proc tree. Reading is Ebb.Proc's; layout is <see cref="PmapFormatter"/> and
/// <see cref="PmapSmapsFormatter"/>; this class only wires options, files and exit codes.
/// </summary>
public static class PmapCommand
{
    /// <summary>What <c>pmap -V</c> prints: the procps release this verb reproduces.</summary>
    public const string VersionText = "pmap from procps-ng 4.0.2\n";

    /// <summary>procps's usage text (to stdout for --help, to stderr after a bad command line).</summary>
    public const string UsageText = """

        Usage:
         pmap [options] PID [PID ...]

        Options:
         -x, --extended              show details
         -X                          show even more details
                    WARNING: format changes according to /proc/PID/smaps
         -XX                         show everything the kernel provides
         -c, --read-rc               read the default rc
         -C, --read-rc-from=<file>   read the rc from file
         -n, --create-rc             create new default rc
         -N, --create-rc-to=<file>   create new rc to file
                    NOTE: pid arguments are not allowed with -n, -N
         -d, --device                show the device format
         -q, --quiet                 do not display header and footer
         -p, --show-path             show path in the mapping
         -A, --range=<low>[,<high>]  limit results to the given range

         -h, --help     display this help and exit
         -V, --version  output version information and exit

        For more details see pmap(1).

        """;

    /// <summary>
    /// What <c>--help</c> adds after procps's text (only there: a bad command line's usage on
    /// stderr stays procps's): ebb's own options, and procps's silence it keeps.
    /// </summary>
    public const string EbbHelpText = """
        ebb's own (procps pmap has none of these):
             --proc-root DIR  read DIR/PID/maps, smaps, ... instead of /proc/PID/...
             --json           one JSON object a process, every smaps figure in bytes,
                              whatever -x/-X/-d (schema: docs/compatibility.md)
         PID may also be 'self' (ebb itself); 0x hex and /proc/PID are read as procps does.

        As procps: a process whose maps cannot be read (another user's, or one the kernel's
        ptrace rules hide) prints its header line alone, says nothing, and the exit code is 1.

        """;

    /// <summary>Exit status bit procps sets when some pid was not found.</summary>
    public const int MissingPidStatus = 42;

    /// <summary>Runs <c>ebb pmap ARGS</c>.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        using var output = new PmapOutput(stdout);
        return Run(args, output, stderr, null);
    }

    /// <summary>Runs <c>ebb pmap ARGS</c> writing stdout's bytes unchanged to <paramref name="stdout"/>; <paramref name="shmMinor"/> replaces the live SysV shm probe (for saved trees from another machine).</summary>
    internal static int Run(string[] args, Stream stdout, TextWriter stderr, uint? shmMinor)
    {
        using var output = new PmapOutput(stdout);
        return Run(args, output, stderr, shmMinor);
    }

    private static int Run(string[] args, PmapOutput output, TextWriter stderr, uint? shmMinor)
    {
        try
        {
            return Execute(args, output, stderr, shmMinor);
        }
        catch (PmapExit exit)
        {
            output.Flush();
            if (exit.Message.Length > 0) stderr.Write(exit.Message);
            return exit.Code;
        }
    }

    // A finished run with what to print on stderr (usage text, or "pmap: …" lines) and its code.
    private sealed class PmapExit(string text, int code) : Exception(text)
    {
        public int Code { get; } = code;
    }

    private static PmapExit Fail(string line) => new($"pmap: {line}\n", 1);
    private static PmapExit Usage(string? firstLine = null) => new((firstLine is null ? "" : firstLine + "\n") + UsageText, 1);

    // procps-ng 4.0.2's option table, in its order (glibc lists ambiguities in this order).
    private static readonly LongOption[] s_longOptions =
    [
        new("extended", false, "x"), new("device", false, "d"), new("quiet", false, "q"),
        new("range", true, "A"), new("help", false, "h"), new("version", false, "V"),
        new("read-rc", false, "c"), new("read-rc-from", true, "C"), new("create-rc", false, "n"),
        new("create-rc-to", true, "N"), new("show-path", false, "p"),
        // Ebb's own; exact spelling only, so that no procps abbreviation changes meaning.
        new("proc-root", true, "proc-root", Abbreviable: false),
        new("json", false, "json", Abbreviable: false),
    ];

    private static readonly GetoptLong s_parser = new("pmap", "xXrdqA:hVcC:nN:p", s_longOptions);

    private static int Execute(string[] args, PmapOutput output, TextWriter stderr, uint? shmMinor)
    {
        if (args.Length < 1) throw Usage();
        int c = 0, C = 0, d = 0, n = 0, N = 0, x = 0, X = 0;
        bool quiet = false, showPath = false, json = false;
        ulong low = 0, high = ulong.MaxValue;
        string? rcFile = null;
        string root = ProcPaths.DefaultRoot;
        var operands = new List<string>();
        foreach (var opt in s_parser.Parse(args, operands))
        {
            switch (opt.Id)
            {
                case "x": x = 1; break;
                case "X": X++; break;
                case "r": stderr.Write("pmap: option -r is ignored as SunOS compatibility\n"); break;
                case "d": d = 1; break;
                case "q": quiet = true; break;
                case "A": (low, high) = ParseRange(opt.Argument!, low, high); break;
                case "h": output.WriteText(UsageText + EbbHelpText); return 0;
                case "V": output.WriteText(VersionText); return 0;
                case "c": c = 1; break;
                case "C": C = 1; rcFile = opt.Argument; break;
                case "n": n = 1; break;
                case "N": N = 1; rcFile = opt.Argument; break;
                case "p": showPath = true; break;
                case "proc-root": root = opt.Argument!; break;
                case "json": json = true; break;
                default: throw Usage(opt.Error);
            }
        }

        if (c + C + d + n + N + x + (X > 0 ? 1 : 0) > 1)
            throw Fail("options -c, -C, -d, -n, -N, -x, -X are mutually exclusive");
        if ((n | N) != 0 && (quiet || showPath))
            throw Fail("options -p, -q are mutually exclusive with -n, -N");
        if ((n | N) != 0 && operands.Count > 0)
            throw Fail("too many arguments");
        if (N != 0)
        {
            if (PmapRcFile.Create(rcFile!, out var warning))
                throw new PmapExit("pmap: rc file successfully created, feel free to edit the content\n", 0);
            throw new PmapExit((warning is null ? "" : $"pmap: {warning}\n") + "pmap: couldn't create the rc file\n", 1);
        }
        if (n != 0)
        {
            var path = DefaultRcPath();
            if (PmapRcFile.Create(path, out var warning))
                throw new PmapExit("pmap: ~/.pmaprc file successfully created, feel free to edit the content\n", 0);
            throw new PmapExit((warning is null ? "" : $"pmap: {warning}\n") + "pmap: couldn't create ~/.pmaprc\n", 1);
        }
        if (operands.Count < 1) throw Fail("argument missing");

        IReadOnlySet<string>? rcFields = null;
        if (C != 0) c = 1;
        if (c != 0)
        {
            var path = C != 0 ? rcFile! : DefaultRcPath();
            var config = PmapRcFile.Read(path);
            if (config is null)
                throw C != 0 ? Fail("couldn't read the rc file") : Fail("couldn't read ~/.pmaprc");
            foreach (var w in config.Warnings) stderr.Write($"pmap: {w}\n");
            rcFields = config.Fields;
            if (config.ToggleShowPath) showPath = !showPath;
        }

        var pids = new List<int>();
        foreach (var operand in operands)
        {
            var walk = operand;
            // ebb's own spelling, which procps refuses with its usage text: this process.
            if (walk == "self")
            {
                pids.Add(Environment.ProcessId);
                continue;
            }
            if (walk.StartsWith("/proc/", StringComparison.Ordinal))
            {
                walk = walk[6..];
                if (walk.Length == 0 || !char.IsAsciiDigit(walk[0])) continue; // procps skips it silently
            }
            if (walk.Length == 0 || !char.IsAsciiDigit(walk[0])) throw Usage();
            if (!PidArgument.TryParseCUnsigned(walk, out ulong pid) || pid < 1 || pid > 0x7fffffff) throw Usage();
            pids.Add((int)pid);
        }
        if (pids.Count == 0) throw Fail("library failed pids statistics");

        var options = new PmapOptions
        {
            Format = X > 0 || c != 0 ? PmapFormat.Smaps : x != 0 ? PmapFormat.Extended : d != 0 ? PmapFormat.Device : PmapFormat.Default,
            SmapsLevel = X,
            RcFields = rcFields,
            Quiet = quiet,
            ShowPath = showPath,
            RangeLow = low,
            RangeHigh = high,
        };
        return json ? ShowJson(pids, root, output) : Show(pids, options, root, output, stderr, shmMinor);
    }

    private static int Show(List<int> pids, PmapOptions options, string root, PmapOutput output, TextWriter stderr, uint? shmMinorGiven)
    {
        uint shmMinor = shmMinorGiven ?? (options.Format == PmapFormat.Smaps ? PmapFormatter.NoShmMinor : ShmMinorProbe.Discover());
        bool utf8 = ProcpsEscape.LocaleIsUtf8();
        // procps selects every process (stat, status, cmdline) before printing any.
        var found = new List<(int Tgid, byte[] Text, ulong StartStack)>();
        foreach (var pid in pids)
            if (Select(pid.ToString(), root, utf8) is { } p) found.Add(p);

        int status = 0;
        var columns = new PmapSmapsColumns();
        var w = output.Buffer;
        foreach (var (tgid, text, startStack) in found)
        {
            var tgidText = tgid.ToString();
            var header = new PmapProcess(tgid, text, startStack, null, null);
            PmapFormatter.WriteHeaderLine(header, w);
            PmapProcess process;
            try
            {
                process = options.Format is PmapFormat.Default or PmapFormat.Device
                    ? header with { Maps = MapsParser.Read(tgidText, root) }
                    : header with { Smaps = SmapsParser.Read(tgidText, root) };
            }
            catch (ProcReadException e) when (e.Kind is ProcReadErrorKind.PermissionDenied)
            {
                // procps: fopen fails, one_proc returns 1, nothing is said (byte for byte).
                status |= 1;
                output.Flush();
                continue;
            }
            catch (ProcReadException e) when (e.Kind is ProcReadErrorKind.NotFound && root != ProcPaths.DefaultRoot)
            {
                // A saved tree does not change under us: the file was never saved.
                output.Flush();
                throw Fail($"{e.Path}: missing from the saved tree");
            }
            catch (ProcReadException e) when (e.Kind is ProcReadErrorKind.NotFound or ProcReadErrorKind.ProcessExited)
            {
                // Its stat was read a moment ago: the process exited in between. procps says
                // nothing and returns 1; ebb says so in one line and returns 1 too.
                status |= 1;
                output.Flush();
                stderr.Write($"pmap: {tgidText}: the process exited while being read\n");
                continue;
            }
            catch (ProcReadException e)
            {
                output.Flush();
                throw Fail($"{e.Path}: {e.Detail}");
            }
            try
            {
                if (options.Format == PmapFormat.Smaps) PmapSmapsFormatter.WriteBody(process, options, columns, w);
                else PmapFormatter.WriteBody(process, options, shmMinor, w);
            }
            catch (PmapFormatException e)
            {
                output.Flush();
                throw Fail(e.Message);
            }
            output.Flush();
        }
        if (found.Count < pids.Count) status |= MissingPidStatus;
        return status;
    }

    // --json: one object a process, a line each, from smaps whatever the layout options; a
    // pid that is not there is left out with procps's 42, a process whose smaps cannot be read
    // is one line, as in the text layouts' saved-tree errors.
    private static int ShowJson(List<int> pids, string root, PmapOutput output)
    {
        bool utf8 = ProcpsEscape.LocaleIsUtf8();
        int status = 0;
        foreach (var pid in pids)
        {
            if (Select(pid.ToString(), root, utf8) is not var (tgid, text, _))
            {
                status |= MissingPidStatus;
                continue;
            }
            IReadOnlyList<SmapsEntry> smaps;
            try
            {
                smaps = SmapsParser.Read(tgid.ToString(), root);
            }
            catch (ProcReadException e)
            {
                output.Flush();
                throw Fail($"{e.Path}: {e.Detail}");
            }
            output.WriteText(PmapJson.Format(tgid, System.Text.Encoding.UTF8.GetString(text), smaps) + "\n");
        }
        return status;
    }

    // libproc2's pid selection: a process is found when its stat can be read; the header shows
    // the thread group id (from status) and the escaped command line.
    private static (int, byte[], ulong)? Select(string pid, string root, bool utf8)
    {
        ProcStat stat;
        try
        {
            stat = StatParser.Read(pid, root);
        }
        catch (ProcReadException e) when (e.Kind is ProcReadErrorKind.NotFound or ProcReadErrorKind.ProcessExited)
        {
            // A saved tree that has the process's folder but not its stat is damaged, not a
            // process that is gone: say which file is missing (live /proc stays procps's 42).
            if (root != ProcPaths.DefaultRoot && Directory.Exists(Path.Combine(root, pid)))
                throw Fail($"{ProcPaths.For(root, pid, "stat")}: missing from the saved tree (pmap finds a process by its stat)");
            return null;
        }
        catch (ProcReadException e)
        {
            throw Fail($"{e.Path}: {e.Detail}");
        }
        int tgid = stat.Pid;
        try
        {
            tgid = (int)(StatusParser.Read(pid, root).Tgid ?? stat.Pid);
        }
        catch (ProcReadException) { }
        byte[] cmdline;
        try
        {
            cmdline = CmdlineParser.Read(pid, root).Raw;
        }
        catch (ProcReadException)
        {
            cmdline = [];
        }
        ulong startStack;
        try
        {
            startStack = stat.StartStack;
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException)
        {
            throw Fail($"{ProcPaths.For(root, pid, "stat")}: {e.Message}");
        }
        return (tgid, ProcpsEscape.CommandLine(cmdline, stat.RawComm, stat.State, utf8), startStack);
    }

    // range_arguments: "low[,high]" in hex (strtoul base 16); a lone value is both ends.
    private static (ulong, ulong) ParseRange(string arg, ulong low, ulong high)
    {
        int comma = arg.IndexOf(',');
        string a1 = comma < 0 ? arg : arg[..comma];
        string a2 = comma < 0 ? arg : arg[(comma + 1)..];
        bool ok = true;
        if (a1.Length > 0) ok &= TryStrtoul16(a1, out low);
        if (a2.Length > 0) ok &= TryStrtoul16(a2, out high);
        if (!ok) throw Fail($"failed to parse argument: '{arg}'");
        return (low, high);
    }

    // strtoul(s, &end, 16) consuming the whole string: blanks, a sign, an optional 0x, hex digits;
    // overflow gives ULONG_MAX as in C.
    private static bool TryStrtoul16(string s, out ulong value)
    {
        value = 0;
        int i = 0;
        while (i < s.Length && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) i++;
        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
        if (i + 2 < s.Length + 1 && i + 1 < s.Length && s[i] == '0' && (s[i + 1] | 0x20) == 'x' && i + 2 < s.Length && Uri.IsHexDigit(s[i + 2])) i += 2;
        int start = i;
        bool overflow = false;
        for (; i < s.Length && Uri.IsHexDigit(s[i]); i++)
        {
            if (value > ulong.MaxValue >> 4) overflow = true;
            value = (value << 4) | (uint)Convert.ToInt32(s[i].ToString(), 16);
        }
        if (i == start) { value = 0; return false; }
        if (overflow) value = ulong.MaxValue;
        else if (negative) value = unchecked(0 - value);
        return i == s.Length;
    }

    private static string DefaultRcPath()
    {
        var home = Environment.GetEnvironmentVariable("HOME");
        if (home is null) throw Fail("HOME variable undefined");
        return $"{home}/.pmaprc";
    }
}
