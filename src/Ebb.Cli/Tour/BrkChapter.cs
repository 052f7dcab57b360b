namespace Ebb.Cli;

/// <summary>The tour's brk chapter: <c>ebb lab brk</c>, run in a child process of ebb.</summary>
public sealed class BrkChapter : ITourChapter
{
    /// <inheritdoc/>
    public string Title => "brk: the program break, and why it cannot give back a hole";

    /// <inheritdoc/>
    public string Explanation =>
        "The program break is the end of the data segment; sbrk moves it, and glibc's malloc grows its " +
        "main heap that way. The kernel maps whole pages, so 128 more bytes make [heap] a page longer. " +
        "The break can only shrink from the top: pages freed under a live one stay until madvise drops " +
        "them. The break is shared with malloc, so ebb does this in a child process and puts it back.";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        BrkFacts facts;
        using (context.Progress("moving the break in a child process"))
            facts = BrkLab.Measure();
        BrkLab.Print(facts, context.Out, context.Style);
    }
}
