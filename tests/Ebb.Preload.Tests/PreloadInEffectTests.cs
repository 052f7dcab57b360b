namespace Ebb.Preload.Tests;

/// <summary>The preload is really in effect: the library is mapped and malloc resolves into it.
/// Without this, every comparison with glibc would also pass if ld.so had ignored the library.</summary>
/// <param name="build">The C programs, compiled once per run.</param>
[Collection(PreloadCollection.Name)]
public sealed class PreloadInEffectTests(NativeBuild build)
{
    /// <summary>With the preload, inpreload finds the library mapped and malloc and free resolved into it.</summary>
    [SkippableFact]
    public void MallocResolvesIntoTheLibrary_WhenPreloaded()
    {
        string lib = PreloadLibrary.Require();
        var r = Run.Process(build.Program("inpreload"), [lib], lib);
        Assert.True(r.ExitCode == 0, $"{lib} was not this process's malloc:\n{r.Describe()}");
        Assert.Contains("malloc resolves into", r.Stdout);
    }

    /// <summary>The same check without the preload must say no, or it proves nothing.</summary>
    [SkippableFact]
    public void MallocDoesNotResolveIntoTheLibrary_WithoutThePreload()
    {
        string lib = PreloadLibrary.Require();
        var r = Run.Process(build.Program("inpreload"), [lib], preload: null);
        Assert.True(r.ExitCode == 1, $"inpreload found {lib} in a process that did not preload it:\n{r.Describe()}");
    }

    /// <summary>
    /// Memory Ebb does not own (glibc's allocator, a stack address) has usable size 0 and its free
    /// is left alone, in release and checked mode: malloc_usable_size tells ownership in the core,
    /// in the one call that also measures Ebb's blocks.
    /// </summary>
    [SkippableTheory]
    [InlineData("")]
    [InlineData("EBB_CHECK=1")]
    public void ForeignMemory_HasNoUsableSize_AndItsFreeIsLeftAlone(string mode)
    {
        string lib = PreloadLibrary.Require();
        var env = mode.Length == 0 ? null : new Dictionary<string, string> { [mode.Split('=')[0]] = mode.Split('=')[1] };
        var r = Run.Process(build.Program("foreign"), [], lib, env);
        Assert.True(r.ExitCode == 0, $"foreign memory under {lib} {mode}:\n{r.Describe()}");
        Assert.Contains("checked: glibc's block 0, stack 0, Ebb's block", r.Stdout);
    }
}
