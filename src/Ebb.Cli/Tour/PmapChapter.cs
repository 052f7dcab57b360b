namespace Ebb.Cli;

/// <summary>The tour's pmap chapter: this process's own <c>pmap -x</c>.</summary>
public sealed class PmapChapter : ITourChapter
{
    /// <inheritdoc/>
    public string Title => "pmap -x: every mapping of this process";

    /// <inheritdoc/>
    public string Explanation =>
        "Each line is one mapping of this process's address space, read from /proc/self/smaps: " +
        "Address is where it starts, Kbytes how much address space it reserves, RSS how much of it " +
        "is resident in RAM now, Dirty how much of that was written and must be kept (anonymous " +
        "memory cannot be dropped, only swapped), Mode its permissions (r, w, x, s for shared), and " +
        "Mapping the file behind it, or [ anon ] for anonymous memory (the .NET heaps, thread stacks, " +
        "and what Ebb takes from the kernel). Kbytes far above RSS is reserved address space that " +
        "costs nothing until touched.";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        int status = PmapCommand.Run(["-x", Environment.ProcessId.ToString()], context.Out, context.Error);
        if (status != 0) context.Error.WriteLine($"(pmap exited with status {status})");
    }
}
