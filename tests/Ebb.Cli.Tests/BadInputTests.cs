using Ebb.Cli.Commands;
using System.Diagnostics;
using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests;

/// <summary>
/// Every verb of <c>ebb</c>, fed bad input: unknown options, missing values, numbers that are
/// not numbers or out of range, processes that do not exist, /proc trees that are missing,
/// truncated or corrupt, outputs that cannot be written. Each must end with a non-zero exit
/// and one line on stderr (for free and pmap: exactly what procps prints), never a stack trace.
/// </summary>
public sealed class BadInputTests : IClassFixture<BadInputTests.Trees>
{
    /// <summary>Saved /proc trees, built once in a temp directory: one corrupt, one truncated.</summary>
    public sealed class Trees : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("ebb-badinput-").FullName;

        public Trees()
        {
            // Corrupt: every file present, none of them parsable.
            Write("corrupt/meminfo", "MemTotal: lots kB\nMemFree:\n");
            Write("corrupt/4242/maps", "this is not a maps line\n");
            Write("corrupt/4242/smaps", "00400000-00401000 r-xp 00000000 00:00 0 x\nRss: many kB\n");
            Write("corrupt/4242/smaps_rollup", "nonsense\n");
            Write("corrupt/4242/status", "Name:\tx\nVmRSS:\tplenty kB\nRssAnon:\t? kB\n");
            Write("corrupt/4242/stat", "garbage\n");
            Write("corrupt/4242/cmdline", "x\0");
            // Truncated: each file cut short in the middle of a line.
            Write("truncated/meminfo", "MemTotal:       1632");
            Write("truncated/4242/maps", "00400000-0040");
            Write("truncated/4242/smaps", "00400000-00401000 r-xp 00000000 00:00 0 x\nSize:      ");
            Write("truncated/4242/smaps_rollup", "00400000-");
            Write("truncated/4242/status", "Name:\tx\nVmRSS:\t");
            Write("truncated/4242/stat", "4242 (x");
            Write("truncated/4242/cmdline", "");
            // Empty: the files exist, and hold nothing.
            foreach (var f in (string[])["meminfo", "4242/maps", "4242/smaps", "4242/smaps_rollup", "4242/status", "4242/stat", "4242/cmdline"])
                Write("empty/" + f, "");
        }

        private void Write(string relative, string text)
        {
            string path = Path.Combine(Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    private readonly Trees _trees;

    public BadInputTests(Trees trees) => this._trees = trees;

    // A directory that does not exist, and a path no one (not even root) can create a file at.
    private const string Missing = "/nonexistent-ebb-dir";
    private const string Unwritable = "/proc/self/ebb-cannot-write-here";
    private const string NoSuchPid = "999999999";

    private static void AssertNoStackTrace(string err, string[] args)
    {
        Assert.False(err.Contains("   at ", StringComparison.Ordinal), $"ebb {string.Join(' ', args)}: stack trace on stderr:\n{err}");
        Assert.False(err.Contains("Exception", StringComparison.Ordinal), $"ebb {string.Join(' ', args)}: exception name on stderr:\n{err}");
    }

    private static void AssertOneLineFailure((int Code, string Out, string Err) r, string[] args)
    {
        string cmd = "ebb " + string.Join(' ', args);
        AssertNoStackTrace(r.Err, args);
        Assert.True(r.Code != 0, $"{cmd}: exit 0 (stdout: {Head(r.Out)})");
        Assert.True(r.Err.EndsWith('\n') && r.Err.IndexOf('\n') == r.Err.Length - 1,
            $"{cmd}: stderr is not exactly one line:\n{r.Err}");
    }

    private static string Head(string s) => s.Length > 300 ? s[..300] + "…" : s;

    // A pid that was alive a moment ago and is not now (reused only if the kernel wraps pids at once).
    private static string ExitedPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id.ToString();
    }

    // ---- verbs that are ebb's own: one line, non-zero ----

    public static TheoryData<string[]> OwnVerbCases()
    {
        string pid = Environment.ProcessId.ToString();
        var d = new TheoryData<string[]>
        {
            // the dispatcher
            new[] { "frobnicate" },
            // tour
            new[] { "tour", "--bogus" },
            new[] { "tour", "-x" },
            new[] { "tour", "--chapter" },
            new[] { "tour", "--chapter", "nonsense" },
            new[] { "tour", "--chapter=nonsense" },
            new[] { "tour", "--chapter", "," },
            new[] { "tour", "stray" },
            // lab
            new[] { "lab", "nonsense" },
            new[] { "lab", "--bogus" },
            new[] { "lab", "vdso", "-n" },
            new[] { "lab", "vdso", "-n", "abc" },
            new[] { "lab", "vdso", "-n", "0" },
            new[] { "lab", "vdso", "-n", "-5" },
            new[] { "lab", "errors", "nonsense" },
            new[] { "lab", "errors", "--bogus" },
            // vdso
            new[] { "vdso", "--bogus" },
            new[] { "vdso", "-n" },
            new[] { "vdso", "--bench", "-n", "abc" },
            new[] { "vdso", "--bench", "-n", "0" },
            new[] { "vdso", "--bench", "-n", "-5" },
            new[] { "vdso", "--bench", "-n", "99999999999999999999" },
            new[] { "vdso", "abc" },
            new[] { "vdso", "0" },
            new[] { "vdso", "-1" },
            new[] { "vdso", NoSuchPid },
            new[] { "vdso", "1", "2" },
            new[] { "vdso", "--file" },
            new[] { "vdso", "--file", Missing + "/vdso.so" },
            new[] { "vdso", "--file", "/etc/hostname" },
            new[] { "vdso", "--file", "/proc/self/status" },
            new[] { "vdso", "--file", "/tmp" },
            new[] { "vdso", "--dump" },
            new[] { "vdso", "--dump", Missing + "/vdso.so" },
            new[] { "vdso", "--dump", Unwritable },
            new[] { "vdso", "--dump", "/tmp" },
            new[] { "vdso", "--dump", "" },
            // map
            new[] { "map" },
            new[] { "map", "--bogus", "self" },
            new[] { "map", "abc" },
            new[] { "map", "0" },
            new[] { "map", "-5" },
            new[] { "map", NoSuchPid },
            new[] { "map", "self", "-o" },
            new[] { "map", "self", "--proc-root" },
            new[] { "map", "self", "-o", "picture.png" },
            new[] { "map", "self", "-o", "picture" },
            new[] { "map", "self", "-o", Missing + "/x.svg" },
            new[] { "map", "self", "-o", Unwritable + ".svg" },
            new[] { "map", "self", "-o", "/tmp" },
            new[] { "map", "self", "-o", "" },
            new[] { "map", "self", "--output=" },
            new[] { "map", "self", "--proc-root", "" },
            new[] { "map", "self", "--proc-root", Missing },
            new[] { "map", "1", "2" },
            // watch
            new[] { "watch" },
            new[] { "watch", "--bogus", "self" },
            new[] { "watch", "abc" },
            new[] { "watch", "0" },
            new[] { "watch", "-5" },
            new[] { "watch", NoSuchPid, "--count", "1" },
            new[] { "watch", "self", "--interval" },
            new[] { "watch", "self", "--interval", "abc" },
            new[] { "watch", "self", "--interval", "0" },
            new[] { "watch", "self", "--interval", "-1" },
            new[] { "watch", "self", "--interval", "NaN" },
            new[] { "watch", "self", "--interval", "1e400" },
            new[] { "watch", "self", "--count" },
            new[] { "watch", "self", "--count", "abc" },
            new[] { "watch", "self", "--count", "0" },
            new[] { "watch", "self", "--count", "-3" },
            new[] { "watch", "self", "--count", "99999999999999999999" },
            new[] { "watch", "self", "-o" },
            new[] { "watch", "self", "--count", "1", "--interval", "0.001", "-o", Missing + "/x.svg" },
            new[] { "watch", "self", "--count", "1", "--interval", "0.001", "-o", Unwritable },
            new[] { "watch", "self", "--proc-root", Missing, "--count", "1" },
            new[] { "watch", "self", "--count", "1", "--interval", "0.001", "-o", "/tmp" },
            new[] { "watch", "self", "--count", "1", "--interval", "0.001", "-o", "" },
            new[] { "watch", "self", "--interval=", "--count", "1" },
            new[] { "watch", "", "--count", "1" },
            new[] { "watch", pid, "--proc-root", Missing, "--count", "1" },
        };
        foreach (var e in (string[])["brk", "mmap", "madvise", "threshold", "vdso"])
        {
            d.Add(["lab", e, "--bogus"]);
            d.Add(["lab", e, "stray"]);
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(OwnVerbCases))]
    public void OwnVerb_BadInput_IsOneLineAndNonZero(string[] args) => AssertOneLineFailure(Run(args), args);

    [Theory]
    [InlineData("vdso")]
    [InlineData("map")]
    [InlineData("watch")]
    public void ExitedPid_IsOneLineAndNonZero(string verb)
    {
        string[] args = verb == "watch" ? [verb, ExitedPid(), "--count", "1"] : [verb, ExitedPid()];
        AssertOneLineFailure(Run(args), args);
    }

    // ---- saved /proc trees that are truncated, corrupt or empty ----

    public static TheoryData<string, string> TreeCases()
    {
        var d = new TheoryData<string, string>();
        foreach (var tree in (string[])["corrupt", "truncated", "empty"])
            foreach (var verb in (string[])["free", "map", "watch", "pmap", "pmap -x", "pmap -X", "pmap -XX", "pmap -d"])
            {
                // An empty maps file is a kernel thread's (cat /proc/2/maps): an empty picture is right.
                if (tree == "empty" && verb == "map") continue;
                d.Add(tree, verb);
            }
        return d;
    }

    [Theory]
    [MemberData(nameof(TreeCases))]
    public void DamagedProcTree_IsOneLineAndNonZero(string tree, string verb)
    {
        string root = Path.Combine(_trees.Root, tree);
        string[] args = verb.Split(' ') switch
        {
            ["free"] => ["free", "--proc-root", root],
            ["map", ..] => ["map", "4242", "--proc-root", root],
            ["watch", ..] => ["watch", "4242", "--proc-root", root, "--count", "1", "--interval", "0.001"],
            var pmap => [.. pmap, "--proc-root", root, "4242"],
        };
        // A saved tree is named with its damaged file (procps's silent 42 is for live /proc only).
        AssertOneLineFailure(Run(args), args);
    }

    [Theory]
    [InlineData("stat", "")]
    [InlineData("stat", "-x")]
    [InlineData("maps", "")]
    [InlineData("smaps", "-x")]
    [InlineData("smaps", "-X")]
    public void Pmap_SavedTreeMissingAFile_NamesIt(string missing, string option)
    {
        string root = Directory.CreateTempSubdirectory("ebb-pmap-tree-").FullName;
        try
        {
            var files = new Dictionary<string, string>
            {
                ["stat"] = "4242 (x) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                ["status"] = "Name:\tx\nTgid:\t4242\n",
                ["cmdline"] = "x\0",
                ["maps"] = "00400000-00401000 r-xp 00000000 00:00 0 \n",
                ["smaps"] = "00400000-00401000 r-xp 00000000 00:00 0 \nSize:                  4 kB\nRss:                   4 kB\n",
            };
            Directory.CreateDirectory(Path.Combine(root, "4242"));
            foreach (var (name, text) in files)
                if (name != missing) File.WriteAllText(Path.Combine(root, "4242", name), text);
            string[] args = option == "" ? ["pmap", "--proc-root", root, "4242"] : ["pmap", option, "--proc-root", root, "4242"];
            var r = Run(args);
            Assert.NotEqual(0, r.Code);
            Assert.StartsWith($"pmap: {Path.Combine(root, "4242", missing)}: missing from the saved tree", r.Err);
            Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Theory]
    [InlineData("free")]
    [InlineData("pmap")]
    public void MissingProcRoot_IsOneLineAndNonZero(string verb)
    {
        string[] args = verb == "free" ? ["free", "--proc-root", Missing] : ["pmap", "--proc-root", Missing, "1"];
        var r = Run(args);
        AssertNoStackTrace(r.Err, args);
        if (verb == "pmap")
            Assert.Equal((PmapCommand.MissingPidStatus, "", ""), r);   // procps: a pid it cannot find is exit 42, silently
        else
            AssertOneLineFailure(r, args);
    }

    // ---- free and pmap: what procps says, byte for byte ----

    public static TheoryData<string, string[]> ProcpsCases()
    {
        var d = new TheoryData<string, string[]>();
        foreach (var a in (string[][])[
            ["--bogus"], ["-x"], ["-s"], ["-s", "abc"], ["-s", "-1"], ["-s", "0"], ["-c"], ["-c", "abc"], ["-c", "0"],
            ["-c", "-2"], ["-c", "99999999999999999999"], ["--seconds=x"], ["--count"], ["stray"], ["--proc-root"]])
            d.Add("free", a);
        foreach (var a in (string[][])[
            [], ["--bogus", "1"], ["-Z", "1"], ["-A"], ["-A", "zz", "1"], ["-A", "1,zz", "1"],
            ["-x", "-d", "1"], ["-c", "-X", "1"], ["abc"], ["0"], ["-q"], ["-1"], [NoSuchPid],
            ["-x", NoSuchPid], ["-X", NoSuchPid], ["99999999999999999999"], ["-C"], ["-C", Missing + "/rc", "1"],
            ["-p", "-n"], ["-n", "1"], ["--proc-root"]])
            d.Add("pmap", a);
        return d;
    }

    [Theory]
    [MemberData(nameof(ProcpsCases))]
    public void ProcpsClone_BadInput_SameAsProcps(string tool, string[] args)
    {
        string[] all = [tool, .. args];
        var ebb = Run(all);
        AssertNoStackTrace(ebb.Err, all);
        Assert.NotEqual(0, ebb.Code);
        // --proc-root is ebb's own; procps would not know it, so there ebb speaks for itself.
        if (args.Contains("--proc-root"))
        {
            Assert.True(ebb.Err.Split('\n').Length - 1 is 1 || ebb.Err.Contains("\nUsage:\n", StringComparison.Ordinal), ebb.Err);
            return;
        }
        Assert.True(File.Exists("/usr/bin/" + tool), $"/usr/bin/{tool} is missing: tests/install-test-tools.sh installs procps when the tests build (as root)");
        var real = RealTool.Run(tool, args);
        Assert.Equal(real.Err, ebb.Err);
        Assert.Equal(real.Code, ebb.Code);
        Assert.Equal(real.Out, ebb.Out);
    }

    [Fact]
    public void Pmap_ExitedPid_Exits42_SaysNothing()
    {
        string pid = ExitedPid();
        Assert.Equal((PmapCommand.MissingPidStatus, "", ""), Run("pmap", pid));
    }

    // ---- through the real executable: crashes outside Cli.Run (static constructors, threads) ----

    // `dotnet Ebb.Cli.dll ARGS` with extra environment variables; killed after a minute.
    private static (int Code, string Out, string Err) RunExe(string[] args, params (string Name, string Value)[] env)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Ebb.Cli.dll");
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var v in (string[])["EBB_CHECK", "EBB_GUARD", "EBB_LEAKS", "EBB_PURGE_DELAY_MS", "EBB_PAGE_SOURCE", "EBB_QUARANTINE_MB"])
            psi.Environment.Remove(v);
        psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            Assert.Fail($"ebb {string.Join(' ', args)} still running after a minute");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static TheoryData<string[]> ExeCases() => new()
    {
        new[] { "frobnicate" },
        new[] { "tour", "--bogus" },
        new[] { "lab", "brk", "--bogus" },
        new[] { "vdso", "--file", "/etc/hostname" },
        new[] { "map", "self", "-o", Unwritable + ".svg" },
        new[] { "watch", NoSuchPid, "--count", "1" },
        new[] { "watch", "self", "--interval", "abc" },
        new[] { "pmap", "-A", "zz", "1" },
        new[] { "free", "-c", "0" },
    };

    [Theory]
    [MemberData(nameof(ExeCases))]
    public void Executable_BadInput_IsOneLineAndNonZero(string[] args) => AssertOneLineFailure(RunExe(args), args);

    [Fact]
    public void Executable_PmapMissingPid_Exits42Silently()
    {
        Assert.Equal((PmapCommand.MissingPidStatus, "", ""), RunExe(["pmap", NoSuchPid]));
    }

    // A bad setting is read in a static constructor the first time the allocator or the checks
    // are touched: one warning line each, the default used, the program carries on.
    [Theory]
    [InlineData("EBB_PURGE_DELAY_MS", "abc")]
    [InlineData("EBB_PAGE_SOURCE", "nonsense")]
    [InlineData("EBB_GUARD", "sample:x")]
    [InlineData("EBB_GUARD", "sample:0")]
    [InlineData("EBB_QUARANTINE_MB", "-5")]
    [InlineData("EBB_CHECK", "yes")]
    public void Executable_BadSetting_OneWarningLine_AndDefaults(string name, string value)
    {
        string[] args = ["lab", "errors", "--child", "clean"];
        var r = RunExe(args, (name, value));
        AssertNoStackTrace(r.Err, args);
        Assert.Equal(0, r.Code);
        Assert.Contains("clean: done", r.Out);
        Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ebb: warning: " + name, r.Err);
    }

    [Fact]
    public void Executable_AllBadSettingsAtOnce_OneLineEach_UnderThreads()
    {
        string[] args = ["lab", "errors", "--child", "stress"];
        var r = RunExe(args, ("EBB_PURGE_DELAY_MS", "abc"), ("EBB_PAGE_SOURCE", "nonsense"), ("EBB_GUARD", "sample:x"), ("EBB_QUARANTINE_MB", "-5"));
        AssertNoStackTrace(r.Err, args);
        Assert.Equal(0, r.Code);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("ebb: warning: ", l));
    }

    // ---- --help of every verb and experiment ----

    public static TheoryData<string[]> HelpCases()
    {
        var d = new TheoryData<string[]> { new[] { "--help" }, new[] { "lab", "--help" } };
        foreach (var v in (string[])["tour", "free", "pmap", "vdso", "map", "watch", "run"])
        {
            d.Add([v, "--help"]);
            if (v is not "free") d.Add([v, "-h"]);   // free's -h is --human
        }
        foreach (var e in (string[])["brk", "mmap", "madvise", "threshold", "vdso", "errors"])
        {
            d.Add(["lab", e, "--help"]);
            d.Add(["lab", e, "-h"]);
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(HelpCases))]
    public void Help_ExitsZero_ToStdout(string[] args)
    {
        var (code, stdout, err) = Run(args);
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains("sage", stdout);   // "Usage:" in every help text
    }

    [Fact]
    public void EveryVerbInTheHelp_IsCoveredHere()
    {
        // If a verb is added to Cli.cs, this table must grow with it (run's bad input: Run/RunCommandTests).
        var (_, stdout, _) = Run("--help");
        var listed = stdout.Split('\n').Where(l => l.StartsWith("  ", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(' ')[0]).ToHashSet();
        Assert.Equal(new HashSet<string> { "tour", "lab", "free", "watch", "vdso", "pmap", "map", "stats", "run" }, listed);
        var (_, labOut, _) = Run("lab", "--help");
        var experiments = labOut.Split('\n').Where(l => l.StartsWith("  ", StringComparison.Ordinal) && !l.TrimStart().StartsWith('-'))
            .Select(l => l.Trim().Split(' ')[0]).ToHashSet();
        Assert.Equal(new HashSet<string> { "brk", "mmap", "madvise", "threshold", "vdso", "errors" }, experiments);
    }
}
