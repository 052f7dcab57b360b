namespace Ebb.Preload.Tests;

/// <summary>c/threads.c under the preload: cross-thread frees, thread churn, frees during thread
/// teardown, fork from a multi-threaded process. Each section checks its own checksums.</summary>
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
    public void ThreadSection_HoldsUnderThePreload(string section)
    {
        string lib = PreloadLibrary.Require();
        var r = Run.Process(build.Program("threads"), [section], lib);
        Assert.True(r.ExitCode == 0, $"threads section '{section}' failed under {lib}:\n{r.Describe()}");
        Assert.Contains("total: 0 failed", r.Stdout);
    }
}
