namespace Ebb.Preload.Tests;

/// <summary>
/// The malloc contract (c/contract.c), one section per test so that a failure names its area.
/// What is asserted for every allocator is what C17 and POSIX promise: see the comments in
/// contract.c. Where they leave a choice, glibc's is checked separately (<see cref="GlibcChoices"/>).
/// </summary>
/// <param name="build">The C programs, compiled once per run.</param>
[Collection(PreloadCollection.Name)]
public sealed class ContractTests(NativeBuild build)
{
    /// <summary>The sections of contract.c that every conforming allocator passes.</summary>
    private static readonly string[] s_sectionNames =
        ["zero", "sizes", "live", "huge", "calloc", "realloc", "posix_memalign", "aligned", "valloc", "usable", "cfree"];

    /// <summary><see cref="s_sectionNames"/> as test cases.</summary>
    public static TheoryData<string> Sections => new(s_sectionNames);

    /// <summary>One section of contract.c under the preload exits 0 (every check held) and reported its count.</summary>
    [SkippableTheory]
    [MemberData(nameof(Sections))]
    public void ContractSection_HoldsUnderThePreload(string section)
    {
        string lib = PreloadLibrary.Require();
        var r = Run.Process(build.Program("contract"), [section], lib);
        Assert.True(r.ExitCode == 0, $"contract section '{section}' failed under {lib}:\n{r.Describe()}");
        Assert.Contains($"{section}: ", r.Stdout);
    }

    /// <summary>
    /// Under an address-space limit (<c>ulimit -v</c> 400 MB), every section still holds: an
    /// allocator that reserves address space ahead (a region of chunks) must not leave too little
    /// for the 32-64 MiB aligned and reallocated blocks that glibc serves there.
    /// </summary>
    [SkippableFact]
    public void Contract_HoldsUnderAnAddressSpaceLimit()
    {
        string lib = PreloadLibrary.Require();
        // The shell sets the limit, then becomes the program (LD_PRELOAD reaches it through exec).
        var r = Run.Process("/bin/sh", ["-c", "ulimit -v 400000 && exec \"$0\" \"$@\"", build.Program("contract"), .. s_sectionNames], lib);
        Assert.True(r.ExitCode == 0, $"contract fails under ulimit -v 400000 with {lib}:\n{r.Describe()}");
        Assert.Contains("aligned: ", r.Stdout);
    }

    /// <summary>The checks themselves, against the reference: glibc's malloc passes every section,
    /// glibc's choices included. Needs no preload, so it runs even without libebb.so.</summary>
    [SkippableFact]
    public void Contract_HoldsForGlibc_TheReference()
    {
        var r = Run.Process(build.Program("contract"), [.. s_sectionNames, "glibc"], preload: null);
        Assert.True(r.ExitCode == 0, $"glibc's own malloc fails contract.c, so a check is wrong:\n{r.Describe()}");
        Assert.Contains("total: ", r.Stdout);
    }

    /// <summary>
    /// Where C17 leaves a choice, glibc's, which a drop-in replacement makes too: realloc(p, 0)
    /// frees p and returns NULL (C17 also allows a new minimum block; mimalloc returns one), and
    /// 1-15-byte blocks are 16-byte aligned (C17 asks only for the alignment of what fits; mimalloc,
    /// jemalloc and tcmalloc give 8-byte blocks 8). libebb.so must make glibc's choices; another
    /// library that does not is reported as skipped, with what it did.
    /// </summary>
    [SkippableFact]
    public void GlibcChoices()
    {
        string lib = PreloadLibrary.Require();
        var r = Run.Process(build.Program("contract"), ["glibc"], lib);
        if (r.ExitCode != 0 && !PreloadLibrary.IsEbb)
        {
            var fails = r.Stdout.Split('\n').Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)).ToList();
            Skip.If(true, $"{Path.GetFileName(lib)} makes other choices than glibc where C17 allows them " +
                $"({fails.Count} checks, e.g. {string.Join(" | ", fails.Take(2))}); only libebb.so is held to glibc's");
        }
        Assert.True(r.ExitCode == 0, $"{lib} does not make glibc's choices:\n{r.Describe()}");
    }
}
