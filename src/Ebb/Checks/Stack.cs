using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Ebb.Checks;

/// <summary>
/// A captured call stack (an id in the <see cref="StackDepot"/>) and the thread it ran on.
/// Capturing costs a frame-pointer walk and a hash lookup when the native library is there
/// (a managed StackTrace only on a stack's first sighting), a StackTrace every time when it
/// is not. Blocks that keep many stacks store <see cref="CaptureId"/>'s 4-byte id and the
/// thread id, and make a Stack with <see cref="FromId"/> only for a report.
/// </summary>
internal sealed class Stack
{
    // Enough to see the caller's caller's callers; deeper frames are framework plumbing.
    private const int MaxFrames = 16;

    private Stack(uint id, int threadId)
    {
        Id = id;
        ThreadId = threadId;
    }

    /// <summary>The stack's id in <see cref="StackDepot.Shared"/> (<see cref="StackDepot.None"/>: not captured).</summary>
    public uint Id { get; }

    /// <summary>The managed thread id of the thread that captured it.</summary>
    public int ThreadId { get; }

    /// <summary>Captures the current stack (or only the thread, when <paramref name="withFrames"/> is false).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Stack Capture(bool withFrames) =>
        new(withFrames ? StackDepot.Shared.Capture() : StackDepot.None, Environment.CurrentManagedThreadId);

    /// <summary>The current stack's id in <see cref="StackDepot.Shared"/>, or <see cref="StackDepot.None"/> when <paramref name="withFrames"/> is false.</summary>
    /// <remarks>
    /// Optimised at once: called from a tight loop, tiering can leave it in tier-0 code for a
    /// long time. Not inlined, so the walk's frames above the caller are the same at every site.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static uint CaptureId(bool withFrames) => withFrames ? StackDepot.Shared.Capture() : StackDepot.None;

    /// <summary>The stack a block recorded as an id and a thread id.</summary>
    public static Stack FromId(uint id, int threadId) => new(id, threadId);

    /// <summary>
    /// The frames, one a line (<c>    at Namespace.Type.Method in /src/File.cs:line 12</c>, or
    /// <c>(IL offset 0x1a)</c> where the module has no portable PDB), without Ebb's own frames
    /// at the top: the first line is the caller of EbbMemory. Symbolized when first asked for.
    /// </summary>
    public string Frames => StackDepot.Shared.Frames(Id);

    /// <summary><c>allocated by thread N at:</c> (or <paramref name="verb"/>) and the frames.</summary>
    public string Describe(string verb) => Describe(verb, ThreadId, Frames);

    /// <summary><c>VERB by thread N at:</c> and <paramref name="frames"/>.</summary>
    public static string Describe(string verb, int threadId, string frames) =>
        $"{verb} by thread {threadId} at:{Environment.NewLine}{frames}";

    private static bool IsAssembly(string fullName, string name) =>
        fullName.Length >= name.Length && fullName.StartsWith(name, StringComparison.Ordinal)
        && (fullName.Length == name.Length || fullName[name.Length] == ',');

    /// <summary>
    /// The text of <paramref name="trace"/>: up to 16 frames below Ebb's own, one a line, each
    /// with its IL offset, or with <paramref name="symbolize"/> its file and line where the
    /// module's portable PDB has them (the IL offset otherwise).
    /// </summary>
    internal static string Render(StackTrace trace, bool symbolize)
    {
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
            if (symbolize && Symbolizer.TryGetLine(frame, out string file, out int line))
            {
                sb.Append(" in ").Append(file).Append(":line ").Append(line);
                continue;
            }
            // The IL offset tells two call sites in one method apart (no line numbers without symbols).
            int il = frame.GetILOffset();
            if (il >= 0) sb.Append(" (IL offset 0x").Append(il.ToString("x")).Append(')');
        }
        if (sb.Length == 0) sb.Append("    (no managed frames)");
        return sb.ToString();
    }
}
