namespace Ebb.Cli.Commands;

/// <summary>
/// The one reading of a process named on the command line, shared by every verb: a decimal
/// pid, <c>0x</c> hex or <c>0</c>-led octal as procps pmap reads it (C's <c>strtoul</c> with base
/// 0), <c>self</c>, and any of these after <c>/proc/</c>.
/// </summary>
internal static class PidArgument
{
    /// <summary>What a verb says after the text it refused: the spellings it takes.</summary>
    public const string Spellings = "a number, 0x hex, /proc/PID or self";

    /// <summary>
    /// The name of the process under /proc: <c>self</c>, or the pid in decimal; null when
    /// <paramref name="text"/> names no process (or a pid outside 1 to 2^31 - 1).
    /// </summary>
    public static string? Parse(string text)
    {
        string s = text.StartsWith("/proc/", StringComparison.Ordinal) ? text[6..].TrimEnd('/') : text;
        if (s == "self") return "self";
        return s.Length > 0 && char.IsAsciiDigit(s[0]) && TryParseCUnsigned(s, out ulong pid) && pid is >= 1 and <= 0x7fffffff
            ? pid.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>
    /// C's <c>strtoul(s, &amp;end, 0)</c> consuming all of <paramref name="s"/>, which starts with a
    /// digit: <c>0x</c> hex, <c>0</c>-led octal, else decimal; a value past 2^64 - 1 is ULONG_MAX,
    /// as strtoul gives.
    /// </summary>
    public static bool TryParseCUnsigned(string s, out ulong value)
    {
        value = 0;
        int i = 0, radix = 10;
        if (s.Length > 2 && s[0] == '0' && (s[1] | 0x20) == 'x' && Uri.IsHexDigit(s[2])) { radix = 16; i = 2; }
        else if (s[0] == '0') radix = 8;
        bool overflow = false;
        for (; i < s.Length; i++)
        {
            int digit = Uri.IsHexDigit(s[i]) ? Convert.ToInt32(s[i].ToString(), 16) : 99;
            if (digit >= radix) return false;
            UInt128 next = (UInt128)value * (uint)radix + (uint)digit;
            if (next > ulong.MaxValue) overflow = true;
            value = (ulong)next;
        }
        if (overflow) value = ulong.MaxValue;
        return true;
    }
}
