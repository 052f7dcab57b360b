using Ebb.Cli.Commands;
using System.Text;

namespace Ebb.Cli.Tests.Pmap;

/// <summary>The saved pmap fixtures (fixtures/pmap, made by capture.sh) and a way to run ebb pmap on them.</summary>
internal static class PmapFixtures
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "fixtures", "pmap");
    public static string ProcRoot => Path.Combine(Dir, "proc");
    public static uint ShmMinor => uint.Parse(File.ReadAllText(Path.Combine(Dir, "shm_minor")).Trim());
    public static string[] Pids => File.ReadAllText(Path.Combine(Dir, "pids")).Split(' ', StringSplitOptions.TrimEntries);

    public static IEnumerable<string> CaseNames() =>
        File.ReadAllLines(Path.Combine(Dir, "cases.txt"))
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split('|')[0]);

    /// <summary>The arguments pmap was given for a case (paths relative to the fixture directory).</summary>
    public static string[] Arguments(string name) =>
        File.ReadAllText(Path.Combine(Dir, "expected", name + ".args")).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);

    public static byte[] ExpectedOut(string name) => File.ReadAllBytes(Path.Combine(Dir, "expected", name + ".out"));
    public static string ExpectedErr(string name) => File.ReadAllText(Path.Combine(Dir, "expected", name + ".err"));
    public static int ExpectedCode(string name) => int.Parse(File.ReadAllText(Path.Combine(Dir, "expected", name + ".code")).Trim());

    /// <summary>Runs ebb pmap with the fixture tree as /proc; relative paths resolve in the fixture directory.</summary>
    public static (byte[] Out, string Err, int Code) Run(string[] args, string? root = null, uint? shmMinor = null)
    {
        var all = args.Select(a => a == "rc" ? Path.Combine(Dir, "rc") : a).ToList();
        if (all.Count > 0) all.InsertRange(0, ["--proc-root", root ?? ProcRoot]);
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int code = PmapCommand.Run([.. all], stdout, stderr, shmMinor ?? ShmMinor);
        return (stdout.ToArray(), stderr.ToString().Replace(Dir + "/", ""), code);
    }

    public static string Show(byte[] b) => Encoding.UTF8.GetString(b);
}
