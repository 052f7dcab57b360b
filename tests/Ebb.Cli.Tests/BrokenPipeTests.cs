using Ebb.Cli.Terminal;
using System.Diagnostics;

namespace Ebb.Cli.Tests;

/// <summary>
/// A verb whose reader goes away (<c>| head -1</c>) ends by itself, silently, with the status of
/// procps's free killed by SIGPIPE (141 as the shell reports it).
/// </summary>
public class BrokenPipeTests
{
    [Theory]
    [InlineData("free -s 0.05", "               total        used        free      shared  buff/cache   available")]
    [InlineData("watch self --interval 0.05", "watching process self (")]
    public async Task Loop_EndsQuietlyWhenThePipeCloses(string verb, string firstLine)
    {
        string dll = typeof(Cli).Assembly.Location;
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        // head exits after one line; ebb's next write then fails and it must stop by itself
        // (timeout is only the test's guard: 124 would mean it looped on).
        // The test host runs under the dotnet muxer; use the same one (it may not be on PATH).
        string host = Environment.ProcessPath is { } path && Path.GetFileName(path) == "dotnet" ? path : "dotnet";
        foreach (string a in (string[])["-c", $"timeout 60 \"$1\" \"$0\" {verb} | head -1; echo \"${{PIPESTATUS[0]}}\"", dll, host])
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith(firstLine, lines[0]);
        Assert.Equal("141", lines[^1]);
        Assert.Equal("", await err);
    }

    // In-process: any verb's write into a closed pipe ends it with 141 and nothing on stderr.
    [Theory]
    [InlineData("watch", "self", "--interval", "0.01")]
    [InlineData("lab")]
    [InlineData("vdso")]
    public void AnyVerb_ClosedStdout_Is141AndSilent(params string[] args)
    {
        var stderr = new StringWriter();
        int code = Cli.Run(args, new ClosedPipeWriter(), stderr);
        Assert.Equal((141, ""), (code, stderr.ToString()));
    }

    // Fails every write as a pipe with no reader does (EPIPE, errno 32).
    private sealed class ClosedPipeWriter : StringWriter
    {
        public override void Write(char value) => throw new IOException("Broken pipe", 32);
        public override void Write(string? value) => throw new IOException("Broken pipe", 32);
        public override void WriteLine(string? value) => throw new IOException("Broken pipe", 32);
    }
}

/// <summary>fd 1 not open at all (<c>&gt;&amp;-</c>): procps's "write error" and exit 1, not .NET's words.</summary>
public class ClosedStdoutTests
{
    [Theory]
    [InlineData("free", "free: write error\n")]
    [InlineData("pmap self", "pmap: write error: Bad file descriptor\n")]
    [InlineData("vdso", "ebb vdso: write error: standard output is closed\n")]
    [InlineData("watch self --count 1", "ebb watch: write error: standard output is closed\n")]
    public void Verb_WithStdoutClosed_SaysWriteError(string args, string expected)
    {
        var stderr = new StringWriter();
        int code = Cli.Run(args.Split(' '), new ClosedStdout(), stderr);
        Assert.Equal((1, expected), (code, stderr.ToString()));
    }

    [Fact]
    public void Free_WithStdoutClosed_IsProcpsFree()
    {
        string dll = typeof(Cli).Assembly.Location;
        string host = Environment.ProcessPath is { } path && Path.GetFileName(path) == "dotnet" ? path : "dotnet";
        static (int, string) Shell(string command, params string[] args)
        {
            var psi = new ProcessStartInfo("bash") { RedirectStandardError = true };
            foreach (string a in (string[])["-c", command, .. args]) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, err);
        }
        var real = Shell("exec -a free /usr/bin/free >&-");
        var ebb = Shell("exec \"$0\" \"$1\" free >&-", host, dll);
        Assert.Equal(real, ebb);
    }
}
