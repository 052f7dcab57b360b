using System.Diagnostics;

namespace Ebb.Cli.Tests;

/// <summary>The real procps tools, run the way the tests compare them with ebb's verbs.</summary>
internal static class RealTool
{
    /// <summary>
    /// Runs /usr/bin/TOOL ARGS under LC_ALL=C with argv[0] set to TOOL (bash's exec -a), so
    /// getopt's messages name it as ebb's do; returns its exit code and output.
    /// </summary>
    public static (int Code, string Out, string Err) Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in (string[])["-c", $"exec -a {tool} \"$0\" \"$@\"", "/usr/bin/" + tool, .. args]) psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, err.Result);
    }
}
