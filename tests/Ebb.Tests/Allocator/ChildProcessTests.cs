using System.Diagnostics;
using System.Globalization;

namespace Ebb.Tests.Allocator;

/// <summary>Scenarios that need a process of their own (RSS is per process; ulimit; thread death; the break), run in Ebb.TestHost.</summary>
public class ChildProcessTests
{
    private static readonly string s_hostDll = Path.Combine(
        AppContext.BaseDirectory.Replace($"{Path.DirectorySeparatorChar}Ebb.Tests{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}",
            $"{Path.DirectorySeparatorChar}Ebb.TestHost{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal),
        "Ebb.TestHost.dll");

    private static Dictionary<string, long> Run(string scenario, Dictionary<string, string>? env = null, string? ulimitKiB = null, string? hostDll = null)
    {
        hostDll ??= s_hostDll;
        Assert.True(File.Exists(hostDll), $"missing {hostDll}");
        var psi = ulimitKiB == null
            ? new ProcessStartInfo("dotnet") { ArgumentList = { hostDll, scenario } }
            : new ProcessStartInfo("bash") { ArgumentList = { "-c", $"ulimit -v {ulimitKiB}; exec dotnet \"$0\" \"$1\"", hostDll, scenario } };
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("EBB_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000)) { p.Kill(entireProcessTree: true); Assert.Fail($"{scenario} timed out"); }
        Assert.True(p.ExitCode == 0, $"{scenario} exited {p.ExitCode}: {stdout}\n{stderr.Result}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2))
            .Where(kv => kv.Length == 2 && long.TryParse(kv[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            .ToDictionary(kv => kv[0], kv => long.Parse(kv[1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RssComesBackAfterTrim()
    {
        var r = Run("rss-trim");
        Assert.True(r["peak_kib"] - r["start_kib"] >= 200 * 1024, $"the scenario did not allocate: {string.Join(", ", r)}");
        Assert.True(r["after_kib"] - r["start_kib"] <= 16 * 1024, $"RssAnon stayed up after Trim: {string.Join(", ", r)}");
        Assert.True(r["madvise_calls"] > 0);
    }

    [Fact]
    public void RssComesBackAfterThePurgeDelayWithNoCall()
    {
        var r = Run("rss-delay", new() { ["EBB_PURGE_DELAY_MS"] = "100" });
        Assert.True(r["peak_kib"] - r["start_kib"] >= 200 * 1024, $"the scenario did not allocate: {string.Join(", ", r)}");
        Assert.True(r["after_kib"] - r["start_kib"] <= 16 * 1024, $"RssAnon stayed up with no call: {string.Join(", ", r)}");
        Assert.True(r["purged_bytes"] >= 200L << 20);
    }

    [Fact]
    public void AFreedHugeBlockIsReusedResident_ZeroedWhenAsked_ThenPurgedAfterTheDelay()
    {
        // Before the change a freed huge block's pages were dropped at once, so the next one of
        // its size faulted in and cleared every page again (mstress: 75 times 5 MiB).
        var r = Run("huge-reuse", new() { ["EBB_PURGE_DELAY_MS"] = "100" });
        string all = string.Join(", ", r);
        Assert.True(r["filled_kib"] - r["start_kib"] >= 7 * 1024, $"the block was not resident: {all}");
        Assert.Equal(1, r["same_mapping"]);
        Assert.True(r["after_free_kib"] - r["start_kib"] >= 7 * 1024, $"the freed mapping was purged at once: {all}");
        Assert.Equal(r["pages"], r["zero_pages"]);
        Assert.True(r["after_delay_kib"] - r["start_kib"] <= 2048, $"RssAnon stayed up after the purge delay: {all}");
        Assert.Equal(0, r["pending_purge_end"]);
    }

    [Fact]
    public void OutOfMemoryUnderUlimitGivesNullThenThrowsAndTheHeapGoesOn()
    {
        // The runtime itself needs address space: a GC hard limit keeps its reservation small.
        var r = Run("oom", new() { ["DOTNET_GCHeapHardLimit"] = "0x10000000" }, ulimitKiB: "3000000");
        Assert.Equal(1, r["try_alloc_gave_null"]);
        Assert.Equal(1, r["alloc_threw"]);
        Assert.Equal(1, r["works_after"]);
        // The run went through the fallback with no flat page map, where every free is a slow one.
        Assert.Equal(0, r["flat_page_map"]);
        Assert.Equal(1, r["interior_free_refused"]);
    }

    [Fact]
    public void SampledBlocksAreSixteenByteAlignedAsEveryBlockIs()
    {
        var r = Run("sampled-alignment", new() { ["EBB_GUARD"] = "sample:1" });
        Assert.True(r["sampled_not_multiple_of_16"] >= 8, $"too few sampled blocks of odd sizes to tell: {string.Join(", ", r)}");
        Assert.Equal(0, r["misaligned"]);
    }

    [Fact]
    public void PagesOfDeadThreadsAreAbandonedAndGivenBackOnceFreed()
    {
        var r = Run("thread-death", new() { ["EBB_PURGE_DELAY_MS"] = "50" });
        Assert.Equal(0, r["corrupt_blocks"]);
        Assert.True(r["abandoned_pages"] > 0, "the dead threads' heaps were not abandoned");
        Assert.True(r["in_use_blocks_dead"] >= 160_000);
        Assert.Equal(0, r["abandoned_pages_after"]);
        Assert.True(r["in_use_blocks_after"] < 1000, $"blocks still counted in use: {r["in_use_blocks_after"]}");
    }

    [Fact]
    public void ThreadChurnWithoutAnyGc_KeepsCommittedMemoryFlat()
    {
        var r = Run("thread-churn");
        string all = string.Join(", ", r);
        Assert.True(r["no_gc_region"] == 1 && r["gc_count"] == 0, $"a GC ran, so this does not show thread death without one: {all}");
        Assert.Equal(1, r["hooked"]);
        Assert.Equal(0, r["corrupt_blocks"]);
        Assert.Equal(1, r["validated"]);
        // Dead threads' heaps are taken over or given back: 900 more threads add (almost) nothing.
        Assert.True(r["committed_1000"] <= r["committed_100"] + (r["committed_100"] / 4) + (4L << 20),
            $"committed memory grew with the number of threads that came and went: {all}");
    }

    [Fact]
    public void ThreadChurnWithoutTheNativeLibrary_IsFoundByPollingThreadIds()
    {
        // A copy of the host without libebbfault.so: no thread-exit hook, so the purge thread's
        // poll of kernel thread ids must find the dead threads (still no GC).
        string dir = Path.Combine(Path.GetTempPath(), $"ebb-nohook-{Environment.ProcessId}");
        try
        {
            CopyDirectory(Path.GetDirectoryName(s_hostDll)!, dir);
            foreach (var lib in Directory.GetFiles(dir, "libebbfault.so", SearchOption.AllDirectories)) File.Delete(lib);
            var r = Run("thread-churn", hostDll: Path.Combine(dir, Path.GetFileName(s_hostDll)));
            string all = string.Join(", ", r);
            Assert.True(r["no_gc_region"] == 1 && r["gc_count"] == 0, $"a GC ran: {all}");
            Assert.Equal(0, r["hooked"]);
            Assert.Equal(0, r["corrupt_blocks"]);
            // Polling finds a dead thread within a millisecond or so, not at once, so how much is
            // committed depends on timing (31-107 MB seen); growing with the thread count, as without
            // any reclaim, reaches 2.37 GB after 1000 threads.
            Assert.True(r["committed_1000"] <= 160L << 20,
                $"committed memory grew with the number of threads that came and went: {all}");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(d.Replace(from, to, StringComparison.Ordinal));
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(f, f.Replace(from, to, StringComparison.Ordinal), overwrite: true);
    }

    [SkippableFact]
    public void BrkSourceOnlyShrinksFromTheTop()
    {
        var r = Run("brk", new() { ["EBB_PAGE_SOURCE"] = "brk" });
        Assert.Equal(1, r["block_below_break"]);
        Assert.True(r["break_growth"] >= 32L << 20);
        // A live block in the top chunk pins the break: the lower free pages go back through madvise only.
        Assert.True(r["break_after_trim_with_top_live"] >= r["break_growth"]);
        Assert.True(r["madvise_calls_for_lower"] >= 1);
        // With the top free too, the break comes down, unless glibc's own heap grew above Ebb's
        // top chunk meanwhile (docs/allocator.md, the brk page source): then the demonstration
        // cannot be made in this run, and the test says so.
        Skip.If(r["break_moved_by_others"] == 1, "glibc's heap grew above Ebb's top chunk in this run (this process's JIT uses it), so the break could not come down");
        Assert.True(r["break_after_trim_all_free"] <= r["break_after_trim_with_top_live"] - (32L << 20));
    }

    [Fact]
    public void AddressSpaceComesBackAfterOutOfMemoryAndTrim()
    {
        // 6 GiB of address space; the runtime's own reservation kept small with a GC hard limit.
        var r = Run("oom-trim", new() { ["DOTNET_GCHeapHardLimit"] = "0x10000000" }, ulimitKiB: "6291456");
        string all = string.Join(", ", r);
        Assert.True(r["blocks_1"] >= 16, $"too few 64 MiB blocks to tell: {all}");
        Assert.True(r["blocks_2"] >= r["blocks_1"], $"fewer blocks after Trim than before: {all}");
        // Nothing of Ebb's stays reserved (before the fix: the 256 MiB region of the first chunk) ...
        Assert.Equal(0, r["reserved_after_1"]);
        Assert.Equal(0, r["reserved_after_2"]);
        // ... and the process is back near where it started before Ebb's first use. The rest is the
        // runtime's own growth meanwhile: thread stacks and up to two 64 MiB glibc arenas (Ebb's purge
        // thread, and a runtime thread the diagnostics event source can wake); one CI run saw +137 MiB.
        // Still well under the 256 MiB region this test was written against (+329 MiB before the fix).
        Assert.True(r["after_vmsize_kib_1"] - r["start_vmsize_kib"] <= 192 * 1024, $"address space stayed reserved after Trim: {all}");
        Assert.True(r["after_vmsize_kib_2"] - r["after_vmsize_kib_1"] <= 8 * 1024, $"address space grew from one round to the next: {all}");
    }

    [Fact]
    public void DisposeRacingFreesOfItsBlocksNeverFaults()
    {
        // Before the fix the child died with an AccessViolationException reading an unmapped huge header.
        var r = Run("dispose-race");
        string all = string.Join(", ", r);
        Assert.True(r["rounds"] >= 20, $"too few rounds: {all}");
        Assert.Equal(0, r["wrong_kind"]);
        Assert.True(r["freed"] + r["refused"] >= r["rounds"] * 1000, $"frees unaccounted for: {all}");
    }

    [Theory]
    [InlineData("EBB_CHECK", "1")]
    [InlineData("EBB_GUARD", "all")]
    [InlineData("EBB_GUARD", "sample:100")]
    public void SlackOfALargeAlignmentIsNeverTouched(string variable, string value)
    {
        // Before the fix checked mode filled the whole gap before the block as left redzone, and
        // guarded-all mode the whole slack after it: about a gigabyte resident for one 1 GiB-aligned block.
        var r = Run("aligned-rss", new() { [variable] = value });
        Assert.True(r["rss_growth_kib"] <= 32 * 1024, $"RssAnon grew {r["rss_growth_kib"]} KiB");
    }
}
