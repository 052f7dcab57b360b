using System.Diagnostics;
using System.Text;

namespace Ebb.Checks;

/// <summary>
/// A captured call stack and the thread it ran on. Capture is the expensive part of the
/// checks (a managed stack walk, microseconds), so it happens only in checked and guarded
/// modes; rendering to text is deferred to the report, or done ahead of time for the
/// native fault reporter, which cannot call managed code.
/// </summary>
internal sealed class Stack
{
    // Enough to see the caller's caller's callers; deeper frames are framework plumbing.
    private const int MaxFrames = 16;

    private readonly StackTrace? trace;
    private string? frames;

    private Stack(StackTrace? trace, int threadId)
    {
        this.trace = trace;
        ThreadId = threadId;
    }

    /// <summary>The managed thread id of the thread that captured it.</summary>
    public int ThreadId { get; }

    /// <summary>Captures the current stack (or only the thread, when <paramref name="withFrames"/> is false).</summary>
    public static Stack Capture(bool withFrames) =>
        new(withFrames ? new StackTrace(1, false) : null, Environment.CurrentManagedThreadId);

    /// <summary>
    /// The frames, one a line (<c>    at Namespace.Type.Method (IL offset 0x1a)</c>), without Ebb's own
    /// frames at the top: the first line is the caller of EbbMemory.
    /// </summary>
    public string Frames => frames ??= Render(trace);

    /// <summary><c>allocated by thread N at:</c> (or <paramref name="verb"/>) and the frames.</summary>
    public string Describe(string verb) => $"{verb} by thread {ThreadId} at:{Environment.NewLine}{Frames}";

    private static bool IsAssembly(string fullName, string name) =>
        fullName.Length >= name.Length && fullName.StartsWith(name, StringComparison.Ordinal)
        && (fullName.Length == name.Length || fullName[name.Length] == ',');

    private static string Render(StackTrace? trace)
    {
        if (trace is null) return "    (stacks not captured: EBB_STACKS=0)";
        var sb = new StringBuilder();
        string ours = typeof(Stack).Assembly.GetName().Name!;
        bool top = true;
        int shown = 0;
        foreach (var frame in trace.GetFrames())
        {
            if (shown == MaxFrames) { sb.Append(Environment.NewLine).Append("    ..."); break; }
            // DiagnosticMethodInfo keeps names even where reflection metadata is trimmed away.
            var m = DiagnosticMethodInfo.Create(frame);
            if (m is null) continue;
            // Skip the allocator's and the checker's own frames above the caller.
            if (top && IsAssembly(m.DeclaringAssemblyName, ours)) continue;
            top = false;
            shown++;
            if (sb.Length > 0) sb.Append(Environment.NewLine);
            sb.Append("    at ");
            if (!string.IsNullOrEmpty(m.DeclaringTypeName)) sb.Append(m.DeclaringTypeName).Append('.');
            sb.Append(m.Name);
            // The IL offset tells two call sites in one method apart (no line numbers without symbols).
            int il = frame.GetILOffset();
            if (il >= 0) sb.Append(" (IL offset 0x").Append(il.ToString("x")).Append(')');
        }
        if (sb.Length == 0) sb.Append("    (no managed frames)");
        return sb.ToString();
    }
}
