using System.Diagnostics;
using System.Runtime.CompilerServices;
using Ebb.Proc;
using Ebb.Proc.Vdso;
using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests.Vdso;

public class VdsoCommandTests
{
    private static string Fixture([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "Ebb.Proc.Tests", "fixtures", "vdso", "vdso-6.18-x86_64.so");

    private static void AssertOneLineError((int Code, string Out, string Err) r, string expected)
    {
        Assert.Equal(1, r.Code);
        Assert.Equal("", r.Out);
        Assert.Equal(expected + Environment.NewLine, r.Err);
    }

    [Fact]
    public void Self_ListsTheSymbolsAtTheAuxvAddress()
    {
        var (code, stdout, err) = Run("vdso");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        ulong at = AuxvParser.Read("self").Single(e => e.Type == AuxvEntry.AT_SYSINFO_EHDR).Value;
        Assert.StartsWith($"vDSO of this process ({Environment.ProcessId}): 0x{at:x}-", stdout);
        Assert.Contains("  __vdso_clock_gettime@@LINUX_2.6\n", stdout);
        Assert.Contains("  FUNC   WEAK    time@@LINUX_2.6\n", stdout);
    }

    [Fact]
    public void Bench_PrintsBothCostsAndTheRatio()
    {
        var (code, stdout, _) = Run("vdso", "--bench", "-n", "2000");
        Assert.Equal(0, code);
        Assert.Contains("clock_gettime(CLOCK_MONOTONIC), 2000 calls each", stdout);
        Assert.Matches(@"\n  vDSO +[0-9.]+ ns/call   __vdso_clock_gettime@@LINUX_2\.6 at 0x[0-9a-f]+\n", stdout);
        Assert.Matches(@"\n  syscall +[0-9.]+ ns/call", stdout);
        Assert.Matches(@"\n  ratio +[0-9.]+x ", stdout);
    }

    [Fact]
    public void File_ParsesTheFixture()
    {
        var (code, stdout, _) = Run("vdso", "--file", Fixture());
        Assert.Equal(0, code);
        Assert.Contains("8192 bytes, not mapped", stdout);
        Assert.Contains("0x0000000000000af0    902  FUNC   GLOBAL  __vdso_clock_gettime@@LINUX_2.6\n", stdout);
    }

    [Fact]
    public void Dump_WritesAnImageThatParsesToTheSameSymbols()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ebb-vdso-{Environment.ProcessId}-{Guid.NewGuid():N}.so");
        try
        {
            var (code, stdout, _) = Run("vdso", "--dump", path);
            Assert.Equal(0, code);
            Assert.Contains($"bytes of this process's vDSO to {path}", stdout);
            var dumped = ElfParser.Parse(File.ReadAllBytes(path));
            Assert.Equal(VdsoReader.ReadSelf().Symbols.Select(s => (s.Name, s.Value, s.Version)),
                         dumped.Symbols.Select(s => (s.Name, s.Value, s.Version)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Pid_ReadsAChildProcesssVdso()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            WaitUntilExeced(child.Id, "sleep");
            var (code, stdout, err) = Run("vdso", child.Id.ToString());
            Assert.True(code == 0, err);
            Assert.StartsWith($"vDSO of process {child.Id}: 0x", stdout);
            // The same kernel maps the same image: the same symbols, at the child's own address.
            var mine = VdsoReader.ReadSelf();
            var theirs = VdsoProcess.Read(child.Id);
            Assert.Equal(mine.Symbols.Select(s => (s.DisplayName, s.Value, s.Size)), theirs.Symbols.Select(s => (s.DisplayName, s.Value, s.Size)));
            Assert.Equal(VdsoProcess.Locate(child.Id.ToString()).Start, theirs.Address);
            foreach (var s in theirs.Functions) Assert.Contains($"0x{s.Address:x16}", stdout);
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
    }

    // Process.Start returns once the child is forked, perhaps before its execve has given it
    // an address space of its own (in between, its maps can be empty).
    private static void WaitUntilExeced(int pid, string program)
    {
        var limit = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < limit)
        {
            try
            {
                if (File.ReadAllText($"/proc/{pid}/cmdline").StartsWith(program + "\0", StringComparison.Ordinal)
                    && File.ReadAllText($"/proc/{pid}/maps").Contains("[vdso]", StringComparison.Ordinal))
                    return;
            }
            catch (IOException) { }
            Thread.Sleep(10);
        }
        Assert.Fail($"process {pid} did not exec {program} within 10 s");
    }

    // `ebb vdso 1` as user nobody (setpriv, when root): reading another user's process is
    // refused, with one line. Checked only where a probe shows nobody can run ebb at all here.
    [SkippableFact]
    public void OtherUsersProcess_IsRefusedWithOneLine()
    {
        Skip.If(Environment.UserName != "root", "needs root, to run ebb as user nobody");
        Skip.IfNot(File.Exists("/usr/bin/setpriv"), "needs /usr/bin/setpriv (util-linux), to run ebb as user nobody");
        var probe = RunAsNobody("vdso", "self");
        Skip.If(probe.Code != 0, "user nobody cannot run ebb from this checkout (its folders are not readable to others)");
        var (code, stdout, err) = RunAsNobody("vdso", "1");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("ebb vdso: cannot read the memory of process 1 (/proc/1/maps): permission denied (it needs ptrace access to that process)\n", err);
    }

    private static (int Code, string Out, string Err) RunAsNobody(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        foreach (var a in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", "--", dotnet, "exec",
                     Path.Combine(AppContext.BaseDirectory, "Ebb.Cli.dll"), .. args])
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(1))) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        return (p.ExitCode, stdout, err.Result);
    }

    [Fact]
    public void MissingPid_IsOneLineAndNonZero()
    {
        // Above the largest pid_max the kernel allows (4194304), so never a live process.
        AssertOneLineError(Run("vdso", "2147483647"), "ebb vdso: no such process: 2147483647");
    }

    [Fact]
    public void BadArguments_AreOneLine()
    {
        AssertOneLineError(Run("vdso", "--frob"), "ebb vdso: unknown option '--frob' (try 'ebb vdso --help')");
        AssertOneLineError(Run("vdso", "--bench", "-n", "0"), "ebb vdso: -n needs a positive whole number, not '0'");
        AssertOneLineError(Run("vdso", "-n"), "ebb vdso: option '-n' needs a value");
        AssertOneLineError(Run("vdso", "abc"), "ebb vdso: 'abc' is not a process id (a number, 0x hex, /proc/PID or self)");
        AssertOneLineError(Run("vdso", "1", "--bench"), "ebb vdso: --bench times this process's own vDSO; it takes no PID or --file");
        AssertOneLineError(Run("vdso", "--file", "/nonexistent/vdso.so"),
            "ebb vdso: cannot read /nonexistent/vdso.so: Could not find a part of the path '/nonexistent/vdso.so'.");
    }

    [Fact]
    public void CorruptFile_IsOneLine()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ebb-vdso-bad-{Environment.ProcessId}-{Guid.NewGuid():N}.so");
        try
        {
            File.WriteAllBytes(path, File.ReadAllBytes(Fixture())[..100]);
            AssertOneLineError(Run("vdso", "--file", path),
                "ebb vdso: corrupt ELF image: program header table (4 x 56 bytes at 0x40) runs past the end of the 100-byte image");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Help_IsUsage()
    {
        var (code, stdout, _) = Run("vdso", "--help");
        Assert.Equal(0, code);
        Assert.StartsWith("Usage: ebb vdso [PID|self]", stdout);
    }
}
