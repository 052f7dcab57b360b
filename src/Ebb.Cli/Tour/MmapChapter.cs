namespace Ebb.Cli;

/// <summary>The tour's mmap chapter: <c>ebb lab mmap</c> and <c>ebb lab threshold</c> on this process.</summary>
public sealed class MmapChapter : ITourChapter
{
    /// <inheritdoc/>
    public string Title => "mmap: 20 bytes asked, a whole page given; malloc's mmap threshold";

    /// <inheritdoc/>
    public string Explanation =>
        "mmap asks the kernel for address space directly, in whole pages. Mapping 5 ints (20 bytes) " +
        "adds a 4 KiB line to /proc/self/maps, every byte of it usable; munmap removes it. This is how " +
        "allocators such as Ebb, jemalloc and tcmalloc take memory from the OS. glibc's malloc uses it " +
        "for big blocks only: from M_MMAP_THRESHOLD (128 KiB at first, then moving) a block gets a " +
        "mapping of its own; below, it comes from malloc's heap.";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        MmapLab.Print(MmapExperiment.Measure(), context.Out, context.Style);
        context.Out.WriteLine();
        ThresholdLab.Print(ThresholdExperiment.Measure(), context.Out, context.Style);
    }
}
