namespace Ebb.Cli;

/// <summary>The tour's mmap chapter: <c>ebb lab mmap</c> on this process.</summary>
public sealed class MmapChapter : ITourChapter
{
    /// <inheritdoc/>
    public string Title => "mmap: 20 bytes asked, a whole page given";

    /// <inheritdoc/>
    public string Explanation =>
        "mmap asks the kernel for address space directly, in whole pages. Mapping 5 ints (20 bytes) " +
        "adds a 4 KiB line to /proc/self/maps, every byte of it usable; munmap removes it. This is how " +
        "allocators such as Ebb, jemalloc and tcmalloc take memory from the OS.";

    /// <inheritdoc/>
    public void Run(TourContext context) => MmapLab.Print(MmapExperiment.Measure(), context.Out, context.Style);
}
