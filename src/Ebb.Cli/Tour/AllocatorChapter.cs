using System.Diagnostics;

namespace Ebb.Cli;

/// <summary>
/// The tour's allocator chapter: 256 MiB of small blocks through EbbMemory, RSS and the maps
/// growing, everything freed, RSS falling after the purge delay with the madvise and munmap
/// counts; then the same on the brk page source, in a child process (the page source is read
/// once, at first use), showing the break move up and come down only from the top.
/// </summary>
public sealed class AllocatorChapter : ITourChapter
{
    /// <summary>Bytes allocated in each half.</summary>
    public const long Bytes = 256L << 20;

    /// <summary>Set in the child that runs the brk half; it then prints only that, between the markers.</summary>
    internal const string ChildVariable = "EBB_TOUR_BRK_CHILD";

    private const string Begin = "--- ebb tour: brk half ---";
    private const string End = "--- ebb tour: end of brk half ---";

    /// <inheritdoc/>
    public string Title => "The allocator: memory taken from the OS, and given back";

    /// <inheritdoc/>
    public string Explanation =>
        "Ebb's allocator takes memory from the OS in large mmap regions, hands it out in small blocks " +
        "from thread-local lists, and gives freed pages back with madvise after a short delay, so RSS falls. " +
        $"Below: 256 MiB allocated in {AllocatorTourRun.BlockSize}-byte blocks, this process's RSS and maps growing (Ebb's regions " +
        "marked), everything freed, RSS coming back down; then the same on a heap grown with brk, " +
        "where the break can only shrink from the top.";

    /// <inheritdoc/>
    public void Run(TourContext context)
    {
        var style = context.Style;
        bool brkSource = EbbMemory.Options.PageSource == EbbPageSource.Brk;
        if (brkSource && Environment.GetEnvironmentVariable(ChildVariable) == "1")
        {
            var brk = AllocatorTourRun.RunBrk(context, Bytes);
            context.Out.WriteLine(Begin);
            context.Out.Write(AllocatorTourFormatter.FormatBrk(brk, style));
            context.Out.WriteLine(End);
            return;
        }
        if (brkSource)
        {
            // EBB_PAGE_SOURCE=brk was set for the whole tour: this process can show only the brk run.
            context.Out.WriteLine("This process runs on the brk page source (EBB_PAGE_SOURCE=brk), so only that run is shown:");
            context.Out.Write(AllocatorTourFormatter.FormatBrk(AllocatorTourRun.RunBrk(context, Bytes), style));
            return;
        }

        var mmap = AllocatorTourRun.RunMmap(context, Bytes);
        context.Out.Write(AllocatorTourFormatter.FormatMmap(mmap, style));
        context.Out.WriteLine();
        context.Out.WriteLine(style.Bold("The same on the brk page source") + " (a child process started with EBB_PAGE_SOURCE=brk: the page source is chosen once, at first use):");
        string text;
        using (context.Progress("running the brk half in a child process"))
            text = RunBrkChild(context.Color);
        context.Out.Write(text);
    }

    /// <summary>Runs <c>ebb tour --chapter allocator</c> on the brk source and returns its brk half.</summary>
    private static string RunBrkChild(bool color)
    {
        var (file, prefix) = EbbCommand() ?? throw new InvalidOperationException("cannot find the ebb program to run the brk half in a child process");
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "tour", "--chapter", "allocator", color ? "--color" : "--no-color" }) psi.ArgumentList.Add(a);
        psi.Environment["EBB_PAGE_SOURCE"] = "brk";
        psi.Environment[ChildVariable] = "1";
        using var child = Process.Start(psi) ?? throw new InvalidOperationException("could not start the brk child");
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            throw new InvalidOperationException("the brk child took more than 60 s");
        }
        child.WaitForExit();
        string output = stdout.Result;
        int from = output.IndexOf(Begin, StringComparison.Ordinal);
        int to = output.IndexOf(End, StringComparison.Ordinal);
        if (child.ExitCode != 0 || from < 0 || to < from)
        {
            string why = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? $"exit code {child.ExitCode}";
            throw new InvalidOperationException($"the brk child failed: {why}");
        }
        from += Begin.Length;
        return output[from..to].TrimStart('\r', '\n');
    }

    /// <summary>How to start ebb again: the running program itself, or Ebb.Cli.dll under the dotnet host (from tests).</summary>
    private static (string File, string[] Prefix)? EbbCommand()
    {
        string? process = Environment.ProcessPath;
        bool underDotnet = process != null && Path.GetFileNameWithoutExtension(process) == "dotnet";
        var self = typeof(AllocatorChapter).Assembly;
        if (System.Reflection.Assembly.GetEntryAssembly() == self && process != null)
            return underDotnet ? (process, [self.Location]) : (process, []);
        string runtimeConfig = Path.ChangeExtension(self.Location, ".runtimeconfig.json");
        if (!File.Exists(runtimeConfig)) return null;
        return (underDotnet ? process! : "dotnet", [self.Location]);
    }
}
