using System.Text;

namespace Ebb.Preload.Tests;

/// <summary>
/// Real programs, each run without the preload (glibc's malloc) and with it: the same stdout and
/// the same exit code. stderr is not compared (an allocator may warn there), but it is shown when
/// a comparison fails.
/// </summary>
/// <param name="build">The C programs, compiled once per run (and gcc's path).</param>
[Collection(PreloadCollection.Name)]
[Trait("Category", "Slow")]
public sealed class RealProgramTests(NativeBuild build)
{
    /// <summary><c>ls -laR /usr</c>: thousands of directories, each a burst of small allocations.</summary>
    [SkippableFact]
    public void LsRecursive_SameOutput()
    {
        string lib = PreloadLibrary.Require();
        string ls = Run.Which("ls") ?? "/bin/ls";
        // /usr can change under the test (another job installing a package): a difference counts only
        // if the preloaded run also differs from a second glibc run made right after it.
        AssertSameAsGlibc(ls, ["-laR", "/usr"], lib, rerunBaselineOnDifference: true);
    }

    /// <summary>
    /// <c>ls -laR /usr</c> in libebb.so's checked mode (every block checked, quarantined, its
    /// stacks recorded; redzones and quarantine scanned at exit): the same output, and no report.
    /// </summary>
    [SkippableFact]
    public void LsRecursive_Checked_SameOutputNoReport()
    {
        string lib = PreloadLibrary.Require();
        Skip.IfNot(PreloadLibrary.IsEbb, "checked mode is libebb.so's");
        string ls = Run.Which("ls") ?? "/bin/ls";
        var r = AssertSameAsGlibc(ls, ["-laR", "/usr"], lib, rerunBaselineOnDifference: true, env: new Dictionary<string, string> { ["EBB_CHECK"] = "1" });
        Assert.DoesNotContain("ebb:", r.Stderr);
    }

    /// <summary>python3 on c/workout.py (json, threads, subprocess, fork, a timer signal) in checked mode and in both guarded modes.</summary>
    [SkippableTheory]
    [InlineData("EBB_CHECK", "1")]
    [InlineData("EBB_GUARD", "all")]
    [InlineData("EBB_GUARD", "sample:100")]
    public void Python_CheckedOrGuarded_SameOutputNoReport(string variable, string value)
    {
        string lib = PreloadLibrary.Require();
        Skip.IfNot(PreloadLibrary.IsEbb, "the checked modes are libebb.so's");
        string? python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : Run.Which("python3");
        Skip.If(python is null, "python3 is not installed");
        var r = AssertSameAsGlibc(python!, [Path.Combine(NativeBuild.SourceDirectory, "workout.py")], lib,
            env: new Dictionary<string, string> { [variable] = value });
        Assert.Contains("exitcode 0", r.Stdout);
        Assert.DoesNotContain("ebb:", r.Stderr);
    }

    /// <summary>sort of 400,000 lines in checked mode (its large buffers are huge blocks; its threads free each other's blocks).</summary>
    [SkippableFact]
    public void SortLargeFile_Checked_SameOutput()
    {
        string lib = PreloadLibrary.Require();
        Skip.IfNot(PreloadLibrary.IsEbb, "checked mode is libebb.so's");
        string sort = Run.Which("sort") ?? "/usr/bin/sort";
        string input = Path.Combine(Path.GetTempPath(), $"ebb-preload-sort-checked-{Environment.ProcessId}.txt");
        try
        {
            WriteSortInput(input, lines: 400_000);
            var r = AssertSameAsGlibc(sort, ["-k2,2", "-k1,1n", input], lib, env: new Dictionary<string, string> { ["EBB_CHECK"] = "1" });
            Assert.DoesNotContain("ebb:", r.Stderr);
        }
        finally
        {
            File.Delete(input);
        }
    }

    /// <summary>python3 on c/workout.py: json, threads, subprocess, multiprocessing (fork), a 1 ms timer signal.</summary>
    [SkippableFact]
    public void Python_JsonThreadsSubprocessMultiprocessingTimer_SameOutput()
    {
        string lib = PreloadLibrary.Require();
        string? python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : Run.Which("python3");
        Skip.If(python is null, "python3 is not installed");
        var r = AssertSameAsGlibc(python!, [Path.Combine(NativeBuild.SourceDirectory, "workout.py")], lib);
        // The script's own checks: every part printed its result, and the 1 ms timer did fire.
        Assert.Contains("timer fired", r.Stdout);
        Assert.Contains("exitcode 0", r.Stdout);
    }

    /// <summary>gcc -O2 on c/sample.c with and without the preload: byte-identical programs that print the same.</summary>
    [SkippableFact]
    public void GccCompile_SameProgram()
    {
        string lib = PreloadLibrary.Require();
        build.RequireGcc();
        string source = Path.Combine(NativeBuild.SourceDirectory, "sample.c");
        string plain = Path.Combine(build.Directory, "sample-glibc");
        string preloaded = Path.Combine(build.Directory, "sample-preloaded");
        // The preload reaches gcc's driver and every program it starts (cc1, as, collect2, ld).
        var a = Run.Process(build.Gcc!, ["-O2", "-o", plain, source], preload: null);
        var b = Run.Process(build.Gcc!, ["-O2", "-o", preloaded, source], lib);
        Assert.True(a.ExitCode == 0, a.Describe());
        Assert.True(b.ExitCode == 0, $"gcc failed with {lib} preloaded:\n{b.Describe()}");
        // Without -g and with the same inputs, gcc's output is byte for byte the same.
        Assert.True(File.ReadAllBytes(plain).AsSpan().SequenceEqual(File.ReadAllBytes(preloaded)),
            "the program gcc built with the preload differs from the one it built without");
        var ra = Run.Process(plain, [], preload: null);
        var rb = Run.Process(preloaded, [], preload: null);
        Assert.Equal(0, rb.ExitCode);
        Assert.Equal(ra.Stdout, rb.Stdout);
        Assert.Contains("primes 9592", rb.Stdout);
    }

    /// <summary>sort on 400,000 generated lines by two keys (sort's buffers and its threads).</summary>
    [SkippableFact]
    public void SortLargeFile_SameOutput()
    {
        string lib = PreloadLibrary.Require();
        string sort = Run.Which("sort") ?? "/usr/bin/sort";
        string input = Path.Combine(Path.GetTempPath(), $"ebb-preload-sort-{Environment.ProcessId}.txt");
        try
        {
            WriteSortInput(input, lines: 400_000);
            var r = AssertSameAsGlibc(sort, ["-k2,2", "-k1,1n", input], lib);
            Assert.Equal(400_000, r.Stdout.Count(c => c == '\n'));
        }
        finally
        {
            File.Delete(input);
        }
    }

    /// <summary>yes writes until head closes the pipe; yes must then die of SIGPIPE (141 in bash's
    /// PIPESTATUS), not ignore the signal, which an allocator's start-up could change. The .NET test
    /// host ignores SIGPIPE and its children inherit that, so env (coreutils 8.31+) restores the
    /// default first; the preload's own start-up then runs after that, in bash, yes and head.</summary>
    [SkippableFact]
    public void YesHead_SigpipeKept()
    {
        string lib = PreloadLibrary.Require();
        string? bash = Run.Which("bash");
        Skip.If(bash is null, "bash is not installed");
        string env = Run.Which("env") ?? "/usr/bin/env";
        var r = AssertSameAsGlibc(env, ["--default-signal=PIPE", bash!, "-c", "yes | head -n 1; echo \"${PIPESTATUS[@]}\""], lib);
        Assert.Equal("y\n141 0\n", r.Stdout);
    }

    /// <summary>
    /// Runs the program without and with the preload and asserts the same stdout and exit code;
    /// returns the preloaded run.
    /// </summary>
    private static RunResult AssertSameAsGlibc(string file, string[] args, string lib, bool rerunBaselineOnDifference = false,
        IDictionary<string, string>? env = null)
    {
        var glibc = Run.Process(file, args, preload: null);
        var preloaded = Run.Process(file, args, lib, env);
        if (rerunBaselineOnDifference && (glibc.Stdout != preloaded.Stdout || glibc.ExitCode != preloaded.ExitCode))
        {
            var again = Run.Process(file, args, preload: null);
            if (again.Stdout == preloaded.Stdout && again.ExitCode == preloaded.ExitCode) return preloaded;
            glibc = again;
        }
        Assert.True(glibc.ExitCode == preloaded.ExitCode,
            $"exit code {preloaded.ExitCode} with {lib}, {glibc.ExitCode} with glibc's malloc:\n{preloaded.Describe()}");
        if (glibc.Stdout != preloaded.Stdout)
            Assert.Fail($"stdout differs with {lib} ({preloaded.Stdout.Length} chars, glibc {glibc.Stdout.Length}); " +
                $"{FirstDifference(glibc.Stdout, preloaded.Stdout)}\n{preloaded.Describe(2000)}");
        return preloaded;
    }

    private static string FirstDifference(string expected, string actual)
    {
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string ei = i < e.Length ? e[i] : "(end)", ai = i < a.Length ? a[i] : "(end)";
            if (ei != ai) return $"first difference at line {i + 1}:\n  glibc:   {ei}\n  preload: {ai}";
        }
        return "the lines are the same";
    }

    /// <summary>A deterministic file of words and numbers (about 9 MB for 400,000 lines).</summary>
    private static void WriteSortInput(string path, int lines)
    {
        var sb = new StringBuilder(lines * 24);
        ulong x = 0x9E3779B97F4A7C15;
        for (int i = 0; i < lines; i++)
        {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            int len = 3 + (int)(x % 10);
            sb.Append(x % 1_000_000).Append(' ');
            for (int j = 0; j < len; j++) sb.Append((char)('a' + (int)((x >> (5 * j)) % 26)));
            sb.Append('\n');
        }
        File.WriteAllText(path, sb.ToString());
    }
}
