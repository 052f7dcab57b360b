using System.Globalization;

namespace Ebb.Proc.Vdso;

/// <summary>
/// Another process's vDSO: its <c>[vdso]</c> line in <c>/proc/PID/maps</c> says where it is,
/// and <c>/proc/PID/mem</c> gives the bytes, which <see cref="ElfParser"/> parses at that address.
/// </summary>
public static class VdsoProcess
{
    /// <summary>The <c>[vdso]</c> mapping among <paramref name="maps"/>, or null when there is none.</summary>
    public static MapEntry? FindMapping(IEnumerable<MapEntry> maps) => maps.FirstOrDefault(m => m.Kind == MapKind.Vdso);

    /// <summary>The <c>[vdso]</c> mapping of process <paramref name="pid"/> (or <c>self</c>).</summary>
    /// <exception cref="VdsoException">No such process, its maps may not be read, or it has no vDSO.</exception>
    public static MapEntry Locate(string pid, string procRoot = ProcPaths.DefaultRoot)
    {
        List<MapEntry> maps;
        try
        {
            maps = MapsParser.Read(pid, procRoot);
        }
        catch (ProcReadException e) when (e.Kind is ProcReadErrorKind.NotFound or ProcReadErrorKind.ProcessExited)
        {
            throw new VdsoException($"no such process: {pid}", e);
        }
        catch (ProcReadException e) when (e.Kind is ProcReadErrorKind.PermissionDenied)
        {
            // The kernel guards maps with the same ptrace check as mem, so this is where a refusal shows.
            throw new VdsoException(
                $"cannot read the memory of process {pid} ({e.Path}): permission denied (it needs ptrace access to that process)", e);
        }
        catch (ProcReadException e)
        {
            throw new VdsoException($"cannot read the maps of process {pid}: {e.Message}", e);
        }
        return FindMapping(maps)
            ?? throw new VdsoException($"process {pid} has no [vdso] mapping (a kernel thread has none)");
    }

    /// <summary>Reads and parses process <paramref name="pid"/>'s vDSO.</summary>
    /// <exception cref="VdsoException">No such process, reading its memory is not permitted, or it has no vDSO.</exception>
    /// <exception cref="ElfFormatException">The image does not parse.</exception>
    public static ElfImage Read(int pid, string procRoot = ProcPaths.DefaultRoot)
    {
        var mapping = Locate(pid.ToString(CultureInfo.InvariantCulture), procRoot);
        if (mapping.Size > 1 << 24) throw new VdsoException($"process {pid}'s [vdso] mapping is {mapping.Size} bytes, too large to be one");
        byte[] bytes = VdsoReader.ReadProcessMemory(pid, mapping.Start, (int)mapping.Size, procRoot);
        return ElfParser.Parse(bytes, mapping.Start);
    }
}
