using System.Runtime.InteropServices;

namespace Ebb.Proc.Pmap;

/// <summary>
/// Finds the device minor number under which this kernel shows SysV shared memory in maps, the
/// way procps's discover_shm_minor does: attach a small private segment, find it in
/// /proc/self/maps, remove it. pmap names a mapping <c>[ shmid=0x… ]</c> only when its device
/// is 0:that-minor and its name holds <c>/SYSV</c>.
/// </summary>
public static partial class ShmMinorProbe
{
    private const int IPC_PRIVATE = 0, IPC_CREAT = 0x200, IPC_RMID = 0, SHM_RDONLY = 0x1000;

    /// <summary>The minor, or <see cref="PmapFormatter.NoShmMinor"/> when SysV shm is unavailable.</summary>
    public static uint Discover()
    {
        int id = ShmGet(IPC_PRIVATE, 42, IPC_CREAT | 0x1b6 /* 0666 */);
        if (id == -1) return PmapFormatter.NoShmMinor;
        try
        {
            nint addr = ShmAt(id, 0, SHM_RDONLY);
            if (addr == -1) return PmapFormatter.NoShmMinor;
            try
            {
                foreach (var m in MapsParser.Read("self"))
                    if ((ulong)addr >= m.Start && (ulong)addr < m.End && m.DeviceMajor == 0
                        && (m.Permissions & MapPermissions.Shared) != 0 && m.RawName.AsSpan().IndexOf("/SYSV"u8) >= 0)
                        return m.DeviceMinor;
                return PmapFormatter.NoShmMinor;
            }
            catch (ProcReadException)
            {
                return PmapFormatter.NoShmMinor;
            }
            finally
            {
                ShmDt(addr);
            }
        }
        finally
        {
            ShmCtl(id, IPC_RMID, 0);
        }
    }

    [LibraryImport("libc", EntryPoint = "shmget")]
    private static partial int ShmGet(int key, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "shmat")]
    private static partial nint ShmAt(int id, nint address, int flags);

    [LibraryImport("libc", EntryPoint = "shmdt")]
    private static partial int ShmDt(nint address);

    [LibraryImport("libc", EntryPoint = "shmctl")]
    private static partial int ShmCtl(int id, int command, nint buffer);
}
