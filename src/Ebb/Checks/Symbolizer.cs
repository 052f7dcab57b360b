using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Ebb.Checks;

/// <summary>
/// Maps a stack frame's method and IL offset to a source file and line through the module's
/// portable PDB (beside the assembly, or embedded in it), as the runtime's own traces do.
/// Used when a report is printed, never when a stack is captured: a capture keeps only the
/// frame-pointer walk's hash, and the first sighting of a stack keeps its StackTrace, whose
/// frames this reads later. Each module's PDB is opened once and kept.
/// </summary>
internal static class Symbolizer
{
    private sealed class Symbols(PEReader pe, MetadataReaderProvider provider)
    {
        // Kept alive together: the reader reads the provider's memory, which may be the PE image's.
        public readonly PEReader Pe = pe;
        public readonly MetadataReaderProvider Provider = provider;
        public readonly MetadataReader Reader = provider.GetMetadataReader();
    }

    private static readonly Lock s_gate = new();
    private static readonly Dictionary<Module, Symbols?> s_byModule = [];

    /// <summary>The file and line of <paramref name="frame"/>'s IL offset, when its module has a portable PDB.</summary>
    /// <param name="frame">A frame of a StackTrace taken without file information.</param>
    /// <param name="file">The source file's path, as the PDB records it.</param>
    /// <param name="line">The 1-based line.</param>
    /// <returns>False when the frame has no method, no IL offset, or no symbols.</returns>
    public static bool TryGetLine(StackFrame frame, out string file, out int line)
    {
        file = "";
        line = 0;
        int il = frame.GetILOffset();
        if (il < 0 || MethodOf(frame) is not { } method) return false;
        try
        {
            int token = method.MetadataToken;
            // Only method definitions have debug information (row n of MethodDebugInformation is method n).
            if ((token >>> 24) != 0x06) return false;
            Symbols? symbols;
            lock (s_gate)
            {
                if (!s_byModule.TryGetValue(method.Module, out symbols))
                    s_byModule[method.Module] = symbols = Open(method.Module);
            }
            if (symbols is null) return false;
            var reader = symbols.Reader;
            int row = token & 0xFFFFFF;
            if (row > reader.MethodDebugInformation.Count) return false;
            var info = reader.GetMethodDebugInformation(MetadataTokens.MethodDebugInformationHandle(row));
            SequencePoint? best = null;
            // Sorted by offset: the last visible point at or before the offset holds it.
            foreach (var sp in info.GetSequencePoints())
            {
                if (sp.Offset > il) break;
                if (!sp.IsHidden) best = sp;
            }
            if (best is not { } b) return false;
            file = reader.GetString(reader.GetDocument(b.Document).Name);
            line = b.StartLine;
            return true;
        }
        catch (Exception e) when (e is BadImageFormatException or IOException or UnauthorizedAccessException or InvalidOperationException or NotSupportedException)
        {
            // A damaged or unreadable PDB: the frame keeps its IL offset.
            return false;
        }
    }

    // Without reflection metadata (trimmed, native AOT) there is no method: the frame keeps its IL offset.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Symbols are optional: a frame whose method is gone is printed without file and line.")]
    private static MethodBase? MethodOf(StackFrame frame) => frame.GetMethod();

    // The module's portable PDB: embedded, or at the path its debug directory names, or beside it.
    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "A single-file app has no assembly path: its frames keep their IL offsets.")]
    private static Symbols? Open(Module module)
    {
        string path = module.Assembly.Location;
        if (string.IsNullOrEmpty(path) || !File.Exists(path)) return null;
        PEReader? pe = null;
        try
        {
            pe = new PEReader(File.OpenRead(path));
            if (pe.TryOpenAssociatedPortablePdb(path, p => File.Exists(p) ? File.OpenRead(p) : null, out var provider, out _) && provider is not null)
                return new Symbols(pe, provider);
        }
        catch (Exception e) when (e is BadImageFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // No usable symbols for this module.
        }
        pe?.Dispose();
        return null;
    }
}
