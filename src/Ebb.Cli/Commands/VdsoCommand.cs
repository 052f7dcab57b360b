using Ebb.Cli.Terminal;
using System.Globalization;
using Ebb.Proc.Vdso;

namespace Ebb.Cli.Commands;

/// <summary>
/// <c>ebb vdso [PID|self] [--bench [-n N]] [--file FILE] [--dump FILE]</c>: the vDSO's ELF
/// symbols and versions, and a timing of clock_gettime through it against the system call.
/// </summary>
public static class VdsoCommand
{
    private const string Usage = """
        Usage: ebb vdso [PID|self] [OPTIONS]

        Lists the function symbols of a process's vDSO (the kernel's small shared library,
        mapped into every process, that answers some calls without entering the kernel)
        with address, size, type, binding and version.

          PID            read another process's vDSO through /proc/PID/maps and /proc/PID/mem
                         (needs ptrace access to it); default: this process (self)
          --bench        time clock_gettime through the vDSO against the raw system call
          -n N           calls of each kind for --bench (default 1000000)
          --file FILE    parse a saved vDSO image instead
          --dump FILE    save this process's vDSO image to FILE
          --json         the image, its functions (and --bench's timing) as one JSON
                         object, numbers as numbers (schema: docs/compatibility.md)
          -h, --help     this text
        """;

    /// <summary>Runs <c>ebb vdso ARGS</c>.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? pid = null, file = null, dump = null;
        bool bench = false, json = false;
        int calls = 1_000_000;
        var parser = new VerbOptions("vdso").Help()
            .Flag("--bench", () => bench = true)
            .Flag("--json", () => json = true)
            .Value("-n", v => calls = PositiveInt("-n", v))
            .Value("--file", v => file = v)
            .Value("--dump", v => dump = v)
            .Positional(a => pid = pid is null ? a : throw Fail($"one process at a time ('{pid}' and '{a}')"));
        if (!parser.Parse(args))
        {
            stdout.WriteLine(Usage);
            return 0;
        }
        string? named = pid is null ? null : PidArgument.Parse(pid) ?? throw Fail($"'{pid}' is not a process id ({PidArgument.Spellings})");
        int? target = named is null or "self" ? null : int.Parse(named, CultureInfo.InvariantCulture);
        if (file is not null && pid is not null) throw Fail("--file and a PID exclude each other");
        if (bench && (target is not null || file is not null))
            throw Fail("--bench times this process's own vDSO; it takes no PID or --file");
        if (dump is not null && (target is not null || file is not null))
            throw Fail("--dump saves this process's own vDSO; it takes no PID or --file");

        if (dump is not null) OutputPath.Check("vdso", dump);
        try
        {
            if (dump is not null)
            {
                byte[] bytes = VdsoReader.CopySelf();
                OutputPath.Write("vdso", dump, bytes);
                stdout.WriteLine($"wrote {bytes.Length} bytes of this process's vDSO to {dump}");
                return 0;
            }
            var (image, whose) = file is not null ? (VdsoReader.ReadFile(file), file)
                : target is int p ? (VdsoProcess.Read(p), $"process {p}")
                : (VdsoReader.ReadSelf(), $"this process ({Environment.ProcessId})");
            if (json)
            {
                var timing = bench ? VdsoBench.Run(VdsoClock.FromImage(image), calls) : null;
                stdout.WriteLine(VdsoJson.Format(image, whose, timing));
                return 0;
            }
            stdout.Write(VdsoFormatter.Format(image, whose));
            if (bench)
            {
                stdout.WriteLine();
                var result = VdsoBench.Run(VdsoClock.FromImage(image), calls);
                stdout.Write(VdsoFormatter.FormatBench(result, VdsoReader.CurrentClockSource()));
            }
            return 0;
        }
        catch (Exception e) when (e is VdsoException or ElfFormatException)
        {
            throw Fail(e.Message);
        }
        catch (Exception e) when (e is (IOException and not StdoutClosedException) or UnauthorizedAccessException && !BrokenPipe.Is(e))
        {
            throw Fail(e.Message);
        }
    }

    private static CliException Fail(string message) => new("ebb vdso: " + message);

    private static int PositiveInt(string option, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw Fail($"{option} needs a positive whole number, not '{text}'");

}
