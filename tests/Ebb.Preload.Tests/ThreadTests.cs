namespace Ebb.Preload.Tests;

/// <summary>c/threads.c under the preload: cross-thread frees, thread churn, frees during thread
/// teardown, fork from a multi-threaded process, signals interrupting the allocator's system calls,
/// a thread's first call into the allocator being any entry point (each section checks its own
/// checksums); and
/// dlopened libraries (c/dl.c).</summary>
/// <param name="build">The C programs, compiled once per run.</param>
[Collection(PreloadCollection.Name)]
[Trait("Category", "Slow")]
public sealed class ThreadTests(NativeBuild build)
{
    /// <summary>One section of threads.c under the preload: exit 0 and no failed check.</summary>
    [SkippableTheory]
    [InlineData("rings")]
    [InlineData("churn")]
    [InlineData("teardown")]
    [InlineData("fork")]
    [InlineData("signals")]
    [InlineData("firstcall")]
    public void ThreadSection_HoldsUnderThePreload(string section)
    {
        string lib = PreloadLibrary.Require();
        var r = Run.Process(build.Program("threads"), [section], lib);
        Assert.True(r.ExitCode == 0, $"threads section '{section}' failed under {lib}:\n{r.Describe()}");
        Assert.Contains("total: 0 failed", r.Stdout);
    }

    /// <summary>
    /// The sections that share blocks between threads, under the checked mode: its lists are
    /// sharded by thread with a lock each, and a thread's frees join the quarantine in batches,
    /// so blocks freed by another thread than their allocator's, thread exits with a batch not yet
    /// handed over, and fork with every shard lock held must all stay right; leaks are reported
    /// too (none expected: every block is freed).
    /// </summary>
    [SkippableTheory]
    [InlineData("rings")]
    [InlineData("churn")]
    [InlineData("fork")]
    [InlineData("firstcall")]
    public void ThreadSection_HoldsUnderTheCheckedMode(string section)
    {
        string lib = PreloadLibrary.Require();
        var r = Run.Process(build.Program("threads"), [section], lib, new Dictionary<string, string> { ["EBB_CHECK"] = "1", ["EBB_LEAKS"] = "1" });
        Assert.True(r.ExitCode == 0, $"threads section '{section}' failed under {lib} with EBB_CHECK=1:\n{r.Describe()}");
        Assert.Contains("total: 0 failed", r.Stdout);
        Assert.DoesNotContain("ebb: ERROR", r.Stderr);
        Assert.DoesNotContain("ebb: warning", r.Stderr); // the checks started
    }

    /// <summary>c/dl.c: a library (c/dlib.c) dlopened and dlclosed 200 times, allocating in its
    /// constructor and destructor, blocks passing both ways between it and the program (one made
    /// on a thread the library started), and failed dlopens whose messages glibc allocates.</summary>
    [SkippableFact]
    public void DlopenedLibrary_SharesTheAllocator()
    {
        string lib = PreloadLibrary.Require();
        var r = Run.Process(build.Program("dl"), [build.Program("dlib")], lib);
        Assert.True(r.ExitCode == 0, $"dl failed under {lib}:\n{r.Describe()}");
        Assert.Contains("200 rounds of dlopen/dlclose, 0 failed", r.Stdout);
    }
}
