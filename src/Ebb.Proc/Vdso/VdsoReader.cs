
namespace Ebb.Proc.Vdso;

/// <summary>
/// Finds a vDSO and hands its bytes to <see cref="ElfParser"/>: this process's own through
/// <c>getauxval(AT_SYSINFO_EHDR)</c>, another process's through the <c>[vdso]</c> line of
/// <c>/proc/PID/maps</c> and <c>/proc/PID/mem</c>, or a dumped copy from a file.
/// </summary>
public static unsafe class VdsoReader
{
    /// <summary>AT_SYSINFO_EHDR, the auxiliary-vector entry holding the vDSO's address.</summary>
    public const ulong AT_SYSINFO_EHDR = 33;

    /// <summary>This process's vDSO, parsed in place.</summary>
    /// <exception cref="VdsoException">The process has no vDSO.</exception>
    /// <exception cref="ElfFormatException">The image does not parse.</exception>
    public static ElfImage ReadSelf()
    {
        var (address, size) = LocateSelf();
        return ElfParser.Parse(new ReadOnlySpan<byte>((void*)address, size), address);
    }

    /// <summary>A copy of this process's vDSO image, the whole mapping (to save as a fixture, or to compare).</summary>
    /// <exception cref="VdsoException">The process has no vDSO.</exception>
    public static byte[] CopySelf()
    {
        var (address, size) = LocateSelf();
        return new ReadOnlySpan<byte>((void*)address, size).ToArray();
    }

    /// <summary>Where this process's vDSO is and how long its mapping is.</summary>
    /// <exception cref="VdsoException">The process has no vDSO.</exception>
    /// <exception cref="ElfFormatException">Its headers do not parse.</exception>
    public static (ulong Address, int Size) LocateSelf()
    {
        ulong address = (ulong)Libc.getauxval((nuint)AT_SYSINFO_EHDR);
        if (address == 0) throw new VdsoException("this process has no vDSO (getauxval(AT_SYSINFO_EHDR) is 0)");
        // Only the first page is known to be mapped until the program headers say how far the image goes.
        var first = new ReadOnlySpan<byte>((void*)address, 64);
        int headers = ElfParser.HeadersSize(first);
        if (headers > Environment.SystemPageSize) throw new ElfFormatException($"program headers end at 0x{headers:x}, beyond the first page");
        int size = ElfParser.MappedSize(new ReadOnlySpan<byte>((void*)address, headers), Environment.SystemPageSize);
        return (address, size);
    }

    /// <summary>Parses a saved vDSO image (symbol addresses are then link-time values).</summary>
    /// <exception cref="VdsoException">The file cannot be read.</exception>
    /// <exception cref="ElfFormatException">The image does not parse.</exception>
    public static ElfImage ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VdsoException($"cannot read {path}: {e.Message}", e);
        }
        return ElfParser.Parse(bytes);
    }

    /// <summary>
    /// Copies <paramref name="length"/> bytes at <paramref name="address"/> out of another
    /// process's memory through <c>/proc/PID/mem</c> (which the kernel allows only with ptrace
    /// access to that process: the same user and Yama's consent, or CAP_SYS_PTRACE).
    /// </summary>
    /// <exception cref="VdsoException">The process is gone, or its memory may not be read.</exception>
    public static byte[] ReadProcessMemory(int pid, ulong address, int length, string procRoot = "/proc")
    {
        string path = $"{procRoot}/{pid}/mem";
        var buffer = new byte[length];
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            int done = 0;
            while (done < length)
            {
                int n = RandomAccess.Read(handle, buffer.AsSpan(done), (long)address + done);
                if (n == 0) throw new VdsoException($"cannot read the memory of process {pid}: it ended at 0x{address + (ulong)done:x}");
                done += n;
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VdsoException(
                $"cannot read the memory of process {pid} ({path}): permission denied (it needs ptrace access to that process)", e);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new VdsoException($"no such process: {pid}", e);
        }
        catch (IOException e)
        {
            throw new VdsoException($"cannot read the memory of process {pid} ({path}): {e.Message}", e);
        }
        return buffer;
    }

    /// <summary>
    /// The kernel's current clock source (<c>tsc</c>, <c>kvm-clock</c>, <c>hpet</c>...), or null
    /// when sysfs does not say. The vDSO reads the time itself only from some of them; on the
    /// others its clock_gettime makes the system call after all.
    /// </summary>
    public static string? CurrentClockSource(string sysRoot = "/sys")
    {
        try
        {
            return File.ReadAllText($"{sysRoot}/devices/system/clocksource/clocksource0/current_clocksource").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
