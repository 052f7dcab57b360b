using System.Diagnostics;

namespace Ebb.Cli.Tests;

/// <summary>A running Ebb.TestHost scenario, its lines up to <c>ready</c>; ended by closing its stdin.</summary>
internal sealed class TestHostChild : IDisposable
{
    private static readonly string s_hostDll = Path.Combine(
        AppContext.BaseDirectory.Replace($"{Path.DirectorySeparatorChar}Ebb.Cli.Tests{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}",
            $"{Path.DirectorySeparatorChar}Ebb.TestHost{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal),
        "Ebb.TestHost.dll");

    private readonly Process _process;

    public TestHostChild(string scenario, string environment = "")
    {
        Assert.True(File.Exists(s_hostDll), $"missing {s_hostDll}");
        var psi = new ProcessStartInfo("dotnet") { ArgumentList = { s_hostDll, scenario }, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("EBB_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        foreach (string kv in environment.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            psi.Environment[kv.Split('=')[0]] = kv.Split('=', 2)[1];
        _process = Process.Start(psi)!;
        _ = _process.StandardError.ReadToEndAsync();
        var read = Task.Run(() =>
        {
            var lines = new List<string>();
            for (string? line; (line = _process.StandardOutput.ReadLine()) != null && line != "ready";) lines.Add(line);
            return lines;
        });
        Assert.True(read.Wait(TimeSpan.FromSeconds(60)), $"{scenario} never said ready");
        Lines = read.Result;
    }

    public int Pid => _process.Id;

    public List<string> Lines { get; }

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(10_000)) _process.Kill();
        _process.Dispose();
    }
}
