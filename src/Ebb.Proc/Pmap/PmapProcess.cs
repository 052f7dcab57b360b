namespace Ebb.Proc.Pmap;

/// <summary>
/// What pmap shows for one process, already read: the header's pid and command text, the
/// start of the stack (which names the <c>[ stack ]</c> mapping), and either the maps or the
/// smaps entries, depending on the layout.
/// </summary>
/// <param name="Pid">The thread group id printed before the colon.</param>
/// <param name="CommandText">The escaped command line (see <see cref="ProcpsEscape.CommandLine"/>).</param>
/// <param name="StartStack">Field 28 of /proc/PID/stat.</param>
/// <param name="Maps">The maps entries, for the default and -d layouts.</param>
/// <param name="Smaps">The smaps entries, for -x and the smaps layouts.</param>
public sealed record PmapProcess(
    int Pid,
    byte[] CommandText,
    ulong StartStack,
    IReadOnlyList<MapEntry>? Maps,
    IReadOnlyList<SmapsEntry>? Smaps);
