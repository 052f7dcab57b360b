namespace Ebb.Proc;

/// <summary>
/// The directory that stands for <c>/proc</c>. Every reader takes one, so a test or a
/// look at another machine's snapshot can point it at a saved tree: <c>--proc-root DIR</c>
/// on the command line means DIR replaces <c>/proc</c> (DIR/meminfo, DIR/PID/maps, ...).
/// </summary>
public sealed record ProcRoot
{
    /// <summary>The live <c>/proc</c> of the running kernel.</summary>
    public static ProcRoot Default { get; } = new("/proc");

    /// <summary>Creates a root at <paramref name="path"/> (a trailing slash is dropped).</summary>
    /// <param name="path">The directory that replaces <c>/proc</c>.</param>
    public ProcRoot(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path.Length > 1 ? path.TrimEnd('/') : path;
    }

    /// <summary>The directory, without a trailing slash (e.g. <c>/proc</c>).</summary>
    public string Path { get; }

    /// <summary>True for the kernel's own <c>/proc</c>.</summary>
    public bool IsDefault => Path == "/proc";

    /// <summary>The path of <paramref name="relative"/> under this root, e.g. <c>meminfo</c> or <c>self/maps</c>.</summary>
    /// <param name="relative">A path relative to the root, without a leading slash.</param>
    public string File(string relative) => Path == "/" ? "/" + relative : Path + "/" + relative;

    /// <inheritdoc/>
    public override string ToString() => Path;
}
