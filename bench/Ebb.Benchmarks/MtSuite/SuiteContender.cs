using Ebb.Benchmarks.Contenders;
using Ebb.Benchmarks.Quick;
using Ebb.Benchmarks.Workloads.Suite;

namespace Ebb.Benchmarks.MtSuite;

/// <summary>
/// A contender of the suite: the column label, the allocator the child process calls (its key),
/// and the child's environment (LD_PRELOAD for jemalloc and tcmalloc, which serve NativeMemory
/// in that process). Every contender runs every workload in a process of its own.
/// </summary>
public sealed record SuiteContender(string Key, string Label, ChildConfig Child)
{
    /// <summary>Key of Ebb's contender (the ratios are against it).</summary>
    public const string Ebb = "ebb";

    /// <summary>Key of mimalloc by P/Invoke (the ratios' reference).</summary>
    public const string Mimalloc = "mimalloc";

    /// <summary>The five contenders, in the order of the table's columns.</summary>
    public static IReadOnlyList<SuiteContender> All { get; } = Build();

    private static List<SuiteContender> Build()
    {
        var preloads = ChildConfig.Preloads().ToList();
        ChildConfig Preload(string name) => preloads.First(c => c.Label.Contains(name, StringComparison.Ordinal));
        return
        [
            new(Ebb, "Ebb", ChildConfig.Plain("Ebb", Ebb)),
            new(Mimalloc, "mimalloc (P/Invoke)", ChildConfig.Plain("mimalloc", Mimalloc) with
            {
                Unavailable = MimallocAllocator.Available ? null : $"{MimallocAllocator.Library} missing (apt-get install libmimalloc2.0)",
            }),
            new("glibc", "glibc (NativeMemory)", ChildConfig.Plain("glibc", ContenderList.NativeMemory)),
            new("jemalloc", "jemalloc (LD_PRELOAD)", Preload("jemalloc")),
            new("tcmalloc", "tcmalloc (LD_PRELOAD)", Preload("tcmalloc")),
        ];
    }

    /// <summary>The contender with <paramref name="key"/>; throws with the known keys otherwise.</summary>
    public static SuiteContender Get(string key) =>
        All.FirstOrDefault(c => c.Key == key)
        ?? throw new ArgumentException($"unknown contender '{key}' (known: {string.Join(",", All.Select(c => c.Key))})");

    /// <summary>
    /// Runs <paramref name="workload"/> in this process against the allocator <paramref name="childKey"/>
    /// names (ebb, mimalloc, or nativememory: whatever malloc the process has).
    /// </summary>
    public static SuiteResult RunHere(string childKey, ISuiteWorkload workload, double scale) => childKey switch
    {
        Ebb => RunStarted<EbbAllocator>(workload, scale),
        Mimalloc => MimallocAllocator.Available
            ? RunStarted<MimallocAllocator>(workload, scale)
            : throw new InvalidOperationException($"{MimallocAllocator.Library} does not load"),
        ContenderList.NativeMemory => RunStarted<NativeMemoryAllocator>(workload, scale),
        _ => throw new ArgumentException($"unknown allocator '{childKey}' (known: {Ebb}, {Mimalloc}, {ContenderList.NativeMemory})"),
    };

    /// <summary>
    /// One allocation and free on this thread before the workload's clock starts, so that no
    /// contender's one-time start-up is timed: mimalloc starts when its library loads and glibc's
    /// malloc is in use by the runtime before Main, but Ebb starts on its first allocation (its
    /// arena, the thread-exit hook, the purge thread), which was inside the timed part.
    /// </summary>
    private static unsafe SuiteResult RunStarted<T>(ISuiteWorkload workload, double scale) where T : struct, INativeAllocator
    {
        T.Free(T.Alloc(16));
        return workload.Run<T>(scale);
    }
}
