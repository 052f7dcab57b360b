using System.Globalization;
using System.Numerics;

namespace Ebb.Proc.Free;

/// <summary>
/// Turns a size in kibibytes into the text <c>free</c> prints, exactly as procps-ng 4.0.2's
/// <c>scale_size</c> in <c>free.c</c> does: C integer and floating-point conversions,
/// the <c>%.1f</c> try before the integer one, the 4-character (SI) or 5-character
/// (binary, with its <c>i</c>) width limit, and <c>B</c> for bytes.
/// </summary>
public static class SizeScaler
{
    private static readonly char[] s_units = ['B', 'K', 'M', 'G', 'T', 'P'];

    /// <summary>Formats <paramref name="kib"/> for the given unit choice.</summary>
    /// <param name="kib">The size in kibibytes, as procps holds it (an unsigned long that may have wrapped).</param>
    /// <param name="options">The unit options; only <see cref="FreeOptions.Exponent"/>, <see cref="FreeOptions.SI"/> and <see cref="FreeOptions.Human"/> matter.</param>
    public static string Scale(ulong kib, FreeOptions options) => Scale(kib, options.Exponent, options.SI, options.Human);

    /// <summary>Formats <paramref name="kib"/> for the given unit choice.</summary>
    /// <param name="kib">The size in kibibytes.</param>
    /// <param name="exponent">procps's exponent (see <see cref="FreeOptions.Exponent"/>).</param>
    /// <param name="si">Powers of 1000 instead of 1024.</param>
    /// <param name="human">Human-readable, with a unit suffix.</param>
    public static string Scale(ulong kib, int exponent, bool si, bool human)
    {
        // procps: float base; long long bytes = size * 1024LL (unsigned, so it wraps, then read as signed).
        uint intBase = si ? 1000u : 1024u;
        long bytes = unchecked((long)(kib * 1024UL));
        var inv = CultureInfo.InvariantCulture;

        if (!human)
        {
            return exponent switch
            {
                0 => (bytes / intBase).ToString(inv),
                1 => bytes.ToString(inv),
                _ => ToLong(bytes / Power(intBase, exponent - 1)).ToString(inv),
            };
        }

        string text = bytes.ToString(inv) + "B";
        if (text.Length <= 4) return text;

        int limit = si ? 4 : 5;
        string suffix = si ? "" : "i";
        for (int i = 1; i < s_units.Length; i++)
        {
            double scaled = bytes / Power(intBase, i);
            text = FormatOneDecimal((float)scaled) + s_units[i] + suffix;
            if (text.Length <= limit) return text;
            text = ToLong(scaled).ToString(inv) + s_units[i] + suffix;
            if (text.Length <= limit) return text;
        }
        // More than an exbibyte: procps returns the last try, too wide for its column.
        return text;
    }

    // procps's power(): base * power(base, expo - 1) in double, exact for these bases.
    private static double Power(uint b, int expo) => expo == 0 ? 1.0 : b * Power(b, expo - 1);

    // C's (long) cast of a double: truncation toward zero. (x86-64 gives LONG_MIN when out of range.)
    private static long ToLong(double d) =>
        d >= 9.2233720368547758E18 || d < -9.2233720368547758E18 || double.IsNaN(d) ? long.MinValue : (long)d;

    /// <summary>
    /// glibc's <c>printf("%.1f", f)</c> of a float (promoted to double): the exact binary value
    /// rounded to one decimal, ties to even. .NET's own "F1" rounds ties away from zero.
    /// </summary>
    /// <param name="f">The value.</param>
    public static string FormatOneDecimal(float f)
    {
        if (float.IsNaN(f)) return float.IsNegative(f) ? "-nan" : "nan";
        if (float.IsInfinity(f)) return f < 0 ? "-inf" : "inf";
        bool negative = float.IsNegative(f);
        uint bits = BitConverter.SingleToUInt32Bits(f) & 0x7FFF_FFFF;
        int rawExp = (int)(bits >> 23);
        uint frac = bits & 0x7F_FFFF;
        // |f| = mantissa * 2^exp exactly.
        BigInteger mantissa = rawExp == 0 ? frac : frac | 0x80_0000u;
        int exp = rawExp == 0 ? -149 : rawExp - 150;

        BigInteger tenths = mantissa * 10;
        if (exp >= 0)
        {
            tenths <<= exp;
        }
        else
        {
            int shift = -exp;
            BigInteger q = tenths >> shift;
            BigInteger r = tenths - (q << shift);
            BigInteger half = BigInteger.One << (shift - 1);
            if (r > half || (r == half && !q.IsEven)) q += 1;
            tenths = q;
        }
        BigInteger whole = BigInteger.DivRem(tenths, 10, out BigInteger tenth);
        var inv = CultureInfo.InvariantCulture;
        return (negative ? "-" : "") + whole.ToString(inv) + "." + tenth.ToString(inv);
    }
}
