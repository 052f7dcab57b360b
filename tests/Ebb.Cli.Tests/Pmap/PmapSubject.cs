using System.Diagnostics;

namespace Ebb.Cli.Tests.Pmap;

/// <summary>
/// A stopped process whose maps hold every kind of mapping (native/pmap-subject.c, built with cc
/// at test time): a deleted file with a space, a tab and non-UTF-8 bytes in its name, a memfd,
/// SysV shm, a shared /dev/zero mapping, PROT_NONE and rwx regions, thousands of unmergeable
/// mappings and a thread stack. Killed on Dispose.
/// </summary>
public sealed class PmapSubject : IDisposable
{
    public const int Mappings = 3000;
    private readonly string _dir;
    private readonly Process _process;

    public PmapSubject()
    {
        _dir = Path.Combine(Path.GetTempPath(), "ebb-pmap-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        var source = Path.Combine(AppContext.BaseDirectory, "native", "pmap-subject.c");
        var exe = Path.Combine(_dir, "subject");
        var cc = Run("cc", "-O1", "-pthread", "-o", exe, source);
        if (cc.Code != 0) throw new InvalidOperationException($"cc failed (.ci/run installs gcc): {cc.Err}");
        var files = Path.Combine(_dir, "files");
        Directory.CreateDirectory(files);
        _process = Process.Start(new ProcessStartInfo(exe) { ArgumentList = { files, Mappings.ToString() }, RedirectStandardOutput = true })!;
        try
        {
            Pid = int.Parse(_process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the subject printed no pid"));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (File.ReadAllText($"/proc/{Pid}/stat").Split(") ")[1][0] != 'T')
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException("the subject did not stop");
                Thread.Sleep(20);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Pid { get; }

    public void Dispose()
    {
        try { _process.Kill(); _process.WaitForExit(5000); } catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>Runs a program; stdout as bytes, stderr as text, exit code.</summary>
    public static (byte[] Out, string Err, int Code) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LANG"] = "C.UTF-8";
        psi.Environment.Remove("LC_ALL");
        using var p = Process.Start(psi)!;
        var stdout = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(stdout);
        string err = p.StandardError.ReadToEnd();
        copy.Wait();
        p.WaitForExit();
        return (stdout.ToArray(), err, p.ExitCode);
    }
}
