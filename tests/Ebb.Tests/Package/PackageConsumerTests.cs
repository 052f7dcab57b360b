namespace Ebb.Tests.Package;

// The Ebb package consumed as a user would (see PackagedApp): pack, fresh console app with a
// PackageReference, build, run. Slow (a pack and a build, about a minute): Category=Package
// picks it out, or leaves it out with --filter "Category!=Package".
[Trait("Category", "Package")]
public class PackageConsumerTests(PackagedApp app) : IClassFixture<PackagedApp>
{
    [Fact]
    public void Package_HoldsTheLibraryDocsNativeHelperReadmeAndBuildTargets()
    {
        var entries = app.PackageEntries();
        foreach (string expected in new[] { "lib/net10.0/Ebb.dll", "lib/net10.0/Ebb.xml", "runtimes/linux-x64/native/libebbfault.so",
                     "README.md", "build/Ebb.targets", "buildTransitive/Ebb.targets" })
            Assert.Contains(expected, entries);
    }

    [Fact]
    public void Nuspec_TellsTheCommit_AndOriginsUrlOnlyWhenThereIsOne()
    {
        var repository = app.Nuspec().Descendants().Single(e => e.Name.LocalName == "repository");
        Assert.Equal(Git("rev-parse", "HEAD"), (string?)repository.Attribute("commit"));
        // No invented URL: origin's when the clone has one (and it is a URL), else none at all.
        string origin = Git("remote", "get-url", "origin");
        if (origin.Contains("://", StringComparison.Ordinal))
            Assert.Equal(origin, (string?)repository.Attribute("url"));
        else
        {
            Assert.Null(repository.Attribute("url"));
            Assert.DoesNotContain(app.Nuspec().Descendants(), e => e.Name.LocalName == "projectUrl");
        }
    }

    // git's answer, trimmed; "" when git fails (no remote called origin).
    private static string Git(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = RepoRoot.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output.Trim() : "";
    }

    [Fact]
    public void Allocation_Works()
    {
        var (code, stdout, stderr) = app.Run("alloc");
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Equal("sum=4950 grew=1 back=1", stdout.Trim());
    }

    [Fact]
    public void CheckedMode_ReportsTheOverflow_WithTheAllocatingMethod_AndEbbsFileAndLine()
    {
        var (code, _, stderr) = app.Run("overflow", ("EBB_CHECK", "1"));
        Assert.NotEqual(0, code);
        Assert.Contains("ebb: ERROR: heap-buffer-overflow: 1 byte written 0 bytes after the 13-byte block at 0x", stderr);
        int allocated = stderr.IndexOf("allocated by thread ", StringComparison.Ordinal);
        Assert.True(allocated > 0, stderr);
        Assert.Contains("Consumer.OverflowOneByte", stderr[allocated..]);
        // The embedded PDB: Ebb's own frame in the exception's stack trace has its file and line.
        Assert.Contains("EbbMemory.cs:line ", stderr);
    }

    [Fact]
    public void GuardedMode_PrintsTheNativeGuardFaultReport()
    {
        var (code, _, stderr) = app.Run("overflow", ("EBB_GUARD", "all"));
        // The runtime ends the process with SIGABRT after the access violation.
        Assert.Equal(134, code);
        string? line = stderr.Split('\n').FirstOrDefault(l => l.StartsWith("ebb: ERROR:", StringComparison.Ordinal));
        Assert.True(line != null, "no native report (libebbfault.so not found?):\n" + stderr);
        Assert.StartsWith("ebb: ERROR: heap-buffer-overflow: write at 0x", line);
        Assert.EndsWith(", at the faulting instruction", line.TrimEnd());
        int allocated = stderr.IndexOf("allocated by thread ", StringComparison.Ordinal);
        Assert.True(allocated > 0, stderr);
        Assert.Contains("Consumer.OverflowOneByte", stderr[allocated..]);
    }
}
