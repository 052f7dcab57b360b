namespace Ebb.Cli;

/// <summary>
/// The tour's first chapter: <c>free -h</c> of this machine, and what its columns mean.
/// </summary>
public sealed class FreeChapter : ITourChapter
{
    /// <inheritdoc/>
    public string Title => "free: the machine's memory";

    /// <inheritdoc/>
    public string Explanation =>
        "This is `ebb free -h`, the same report as procps's free, read from /proc/meminfo.\n" +
        "total is all the RAM the kernel manages; used is total minus available; free is memory\n" +
        "nobody uses at all; shared is tmpfs and shared memory (Shmem); buff/cache is the kernel's\n" +
        "buffers, page cache and reclaimable slab, which it gives back under pressure; available is\n" +
        "the kernel's estimate of what a new program could get without swapping. Little \"free\" is\n" +
        "normal: unused RAM is filled with cache, and \"available\" is the figure to watch.";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        int code = FreeCommand.Run(["-h"], context.Out, context.Error);
        if (code != 0) context.Out.WriteLine($"(free failed with exit code {code})");
    }
}
