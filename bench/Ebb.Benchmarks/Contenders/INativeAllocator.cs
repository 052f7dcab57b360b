namespace Ebb.Benchmarks.Contenders;

/// <summary>
/// A malloc-shaped allocator as the workloads see it. Static abstract members on a struct
/// implementation make the JIT specialise every workload per contender, so no contender pays
/// for an interface or delegate call the others do not: what is timed is the allocator itself.
/// </summary>
public unsafe interface INativeAllocator
{
    /// <summary>Allocates <paramref name="size"/> bytes.</summary>
    static abstract void* Alloc(nuint size);

    /// <summary>Frees a block from <see cref="Alloc"/> or <see cref="Realloc"/>.</summary>
    static abstract void Free(void* ptr);

    /// <summary>Resizes a block, keeping its contents.</summary>
    static abstract void* Realloc(void* ptr, nuint size);

    /// <summary>Gives everything free back to the OS now, as far as the allocator can.</summary>
    static abstract void Trim();
}
