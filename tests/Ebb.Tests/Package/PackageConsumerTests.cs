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
