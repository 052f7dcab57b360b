namespace Ebb.Proc.Pmap;

/// <summary>
/// How procps-ng 4.0.2's library turns /proc/PID/cmdline into the text after <c>PID:</c>
/// (readproc.c's read_unvectored and fill_cmdline_cvt, escape.c's escape_str and
/// escape_command), re-implemented from their documented behaviour.
/// </summary>
public static class ProcpsEscape
{
    /// <summary>libproc2's MAX_BUFSZ: at most this many bytes, less one, are read from cmdline.</summary>
    public const int MaxBufferSize = 128 * 1024;

    /// <summary>
    /// The command text procps shows for a process: its arguments joined by spaces and escaped,
    /// or <c>[comm]</c> (with <c> &lt;defunct&gt;</c> for a zombie) when cmdline is empty, or
    /// <c>?</c> when what remains is empty.
    /// </summary>
    /// <param name="cmdline">The raw bytes of /proc/PID/cmdline.</param>
    /// <param name="comm">The command name from /proc/PID/stat.</param>
    /// <param name="state">The state letter from /proc/PID/stat.</param>
    /// <param name="utf8">Whether the locale's character set is UTF-8 (it changes what becomes '?').</param>
    public static byte[] CommandLine(ReadOnlySpan<byte> cmdline, ReadOnlySpan<byte> comm, char state, bool utf8)
    {
        byte[] text;
        if (!cmdline.IsEmpty)
        {
            text = Escape(Unvectored(cmdline), utf8);
        }
        else
        {
            // escape_command with ESC_BRACKETS | ESC_DEFUNCT.
            var name = Escape(CutAtNul(comm).ToArray(), utf8);
            var suffix = state == 'Z' ? " <defunct>"u8 : default;
            text = new byte[name.Length + 2 + suffix.Length];
            text[0] = (byte)'[';
            name.CopyTo(text, 1);
            text[name.Length + 1] = (byte)']';
            suffix.CopyTo(text.AsSpan(name.Length + 2));
        }
        return text.Length == 0 ? "?"u8.ToArray() : text;
    }

    /// <summary>
    /// read_unvectored with a space separator: NULs and newlines up to the last non-NUL byte
    /// become spaces, trailing NULs go, and a last byte read that was a space or newline is dropped.
    /// </summary>
    public static byte[] Unvectored(ReadOnlySpan<byte> raw)
    {
        int n = Math.Min(raw.Length, MaxBufferSize - 1);
        if (n == 0) return [];
        var dst = raw[..n].ToArray();
        int keep = n;
        while (keep > 0 && dst[keep - 1] == 0) keep--;
        for (int i = 0; i < keep; i++)
            if (dst[i] == '\n' || dst[i] == 0) dst[i] = (byte)' ';
        if (dst[n - 1] == ' ') return dst[..(n - 1)];
        return keep == n ? dst : dst[..keep];
    }

    /// <summary>escape_str: in a UTF-8 locale control bytes become '?' until the first byte that cannot start a whole UTF-8 sequence, from where the C-locale rule applies; otherwise the C-locale rule throughout (controls and DEL to '.', bytes above 0x7f to '?').</summary>
    public static byte[] Escape(byte[] s, bool utf8)
    {
        s = CutAtNul(s).ToArray();
        if (!utf8)
        {
            EscapeAll(s, 0);
            return s;
        }
        for (int i = 0; i < s.Length;)
        {
            int n = Utf8LeadLength(s[i]);
            if (n < 0 || i + n > s.Length)
            {
                EscapeAll(s, i);
                return s;
            }
            if (s[i] < 0x20 || s[i] == 0x7f) s[i] = (byte)'?';
            i += n;
        }
        return s;
    }

    private static void EscapeAll(byte[] s, int from)
    {
        for (int i = from; i < s.Length; i++)
        {
            byte c = s[i];
            if (c < 0x20 || c == 0x7f) s[i] = (byte)'.';
            else if (c > 0x7f) s[i] = (byte)'?';
        }
    }

    // The sequence length a lead byte announces; -1 for continuation bytes, 0xc0, 0xc1 and 0xf5 up.
    private static int Utf8LeadLength(byte b) => b switch
    {
        < 0x80 => 1,
        < 0xc2 => -1,
        < 0xe0 => 2,
        < 0xf0 => 3,
        < 0xf5 => 4,
        _ => -1,
    };

    private static ReadOnlySpan<byte> CutAtNul(ReadOnlySpan<byte> s)
    {
        int nul = s.IndexOf((byte)0);
        return nul < 0 ? s : s[..nul];
    }

    /// <summary>Whether the environment's locale (LC_ALL, then LC_CTYPE, then LANG) uses UTF-8.</summary>
    public static bool LocaleIsUtf8()
    {
        foreach (var name in new[] { "LC_ALL", "LC_CTYPE", "LANG" })
        {
            var v = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(v)) continue;
            return v.Contains("UTF-8", StringComparison.OrdinalIgnoreCase) || v.Contains("utf8", StringComparison.OrdinalIgnoreCase);
        }
        return false;
    }
}
