using Ebb.Cli.Terminal;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ebb.Cli.Lab;

/// <summary>
/// Runs <c>ebb</c> again as a child process, whichever way this one was started (the
/// <c>ebb</c> tool shim, the apphost, <c>dotnet Ebb.Cli.dll</c>, or a test host that merely
/// loaded the assembly): the child is always <c>dotnet exec Ebb.Cli.dll ARGS</c>. For
/// experiments that must not run among a test host's threads (moving the program break) or
/// that are meant to crash.
/// </summary>
internal static class SelfProcess
{
    /// <summary>The start information for <c>ebb ARGS</c>, output redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(typeof(SelfProcess).Assembly.Location);
        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }

    /// <summary>Runs <c>ebb ARGS</c> to the end (killing it after <paramref name="timeout"/>) and returns its exit code and output.</summary>
    /// <exception cref="CliException">The child could not be started or did not finish in time.</exception>
    public static (int Code, string Out, string Err) Run(TimeSpan timeout, params string[] args) =>
        Run(StartInfo(args), timeout);

    /// <summary>Runs a prepared child to the end (killing it after <paramref name="timeout"/>).</summary>
    /// <exception cref="CliException">The child could not be started or did not finish in time.</exception>
    public static (int Code, string Out, string Err) Run(ProcessStartInfo info, TimeSpan timeout)
    {
        using var child = Process.Start(info) ?? throw new CliException($"ebb: could not start {info.FileName}");
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(timeout))
        {
            try { child.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            child.WaitForExit();
            throw new CliException($"ebb: child process {child.Id} did not finish within {timeout.TotalSeconds:0} s and was killed");
        }
        child.WaitForExit();
        return (child.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// The <c>dotnet</c> muxer: this process itself when it is one; else the one the SDK names
    /// (DOTNET_HOST_PATH); else the one that owns the running runtime
    /// (<c>ROOT/shared/Microsoft.NETCore.App/VERSION/</c>, three levels up); else PATH's.
    /// </summary>
    private static string DotnetHost()
    {
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        string? named = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(named) && File.Exists(named)) return named;
        string runtime = RuntimeEnvironment.GetRuntimeDirectory();
        string owner = Path.GetFullPath(Path.Combine(runtime, "..", "..", "..", "dotnet"));
        return File.Exists(owner) ? owner : "dotnet";
    }
}
