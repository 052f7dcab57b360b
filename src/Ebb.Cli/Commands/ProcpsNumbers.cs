namespace Ebb.Cli.Commands;

/// <summary>
/// The number parsers procps's tools use for option arguments (its <c>strutils.c</c>),
/// reproduced with their quirks, so that the same arguments are accepted and the same
/// complaint (including the <c>strerror</c> suffix, or none) is printed.
/// </summary>
internal static class ProcpsNumbers
{
    private const string Erange = ": Numerical result out of range";
    private const string Einval = ": Invalid argument";

    /// <summary>
    /// <c>strtol_or_err</c>: C's <c>strtol(str, &amp;end, 10)</c>, accepted only when it consumed
    /// the whole (non-empty) string without overflow. <paramref name="errnoSuffix"/> is what
    /// <c>error()</c> appends: empty when errno was 0, the strerror text otherwise.
    /// </summary>
    public static bool TryParseLong(string s, out long value, out string? errnoSuffix)
    {
        value = 0;
        if (s.Length == 0)
        {
            // procps skips strtol for an empty string and reports whatever errno start-up
            // left: 0 in the C locale (nothing appended). With a LANG whose locale files are
            // missing, glibc leaves ENOENT and procps appends ": No such file or directory".
            errnoSuffix = "";
            return false;
        }
        int i = 0;
        while (i < s.Length && IsCSpace(s[i])) i++;
        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
        int digitsStart = i;
        bool overflow = false;
        ulong magnitude = 0;
        const ulong limitPositive = long.MaxValue, limitNegative = (ulong)long.MaxValue + 1;
        while (i < s.Length && s[i] is >= '0' and <= '9')
        {
            if (!overflow)
            {
                ulong next = magnitude * 10 + (ulong)(s[i] - '0');
                if (magnitude > ulong.MaxValue / 10 || next < magnitude || next > (negative ? limitNegative : limitPositive))
                    overflow = true;
                else
                    magnitude = next;
            }
            i++;
        }
        bool noDigits = i == digitsStart;
        if (overflow)
        {
            value = negative ? long.MinValue : long.MaxValue;
            errnoSuffix = Erange;
            return false;
        }
        errnoSuffix = "";
        if (noDigits || i != s.Length) return false;
        value = negative ? unchecked(-(long)magnitude) : (long)magnitude;
        return true;
    }

    /// <summary>
    /// <c>strtod_nol_or_err</c>: a locale-free decimal (point or comma), with procps's own
    /// digit arithmetic in doubles, rounding included. No exponents, no hex, no inf.
    /// </summary>
    public static bool TryParseSecondsNoLocale(string s, out double value, out string? errnoSuffix)
    {
        value = 0;
        errnoSuffix = ""; // free.c sets errno = 0 before the call
        if (s.Length == 0) return false;
        int cp = 0;
        while (cp < s.Length && IsCSpace(s[cp])) cp++;
        bool negative = false;
        if (cp < s.Length && s[cp] == '-') { negative = true; cp++; }
        else if (cp < s.Length && s[cp] == '+') cp++;

        double num = 0.0, mult = 0.1;
        for (int radix = cp; radix < s.Length && IsDigit(s[radix]); radix++) mult *= 10;
        AddDigits(s, ref cp, ref num, mult);
        if (cp < s.Length)
        {
            if (s[cp] != '.' && s[cp] != ',')
            {
                errnoSuffix = Einval;
                return false;
            }
            cp++;
            AddDigits(s, ref cp, ref num, 0.1);
        }
        if (cp == s.Length)
        {
            value = negative ? -num : num;
            return true;
        }
        return false;
    }

    // procps adds each digit times a falling power of ten, in doubles, from the first digit:
    // the same arithmetic gives the same rounding.
    private static void AddDigits(string s, ref int cp, ref double num, double mult)
    {
        while (cp < s.Length && IsDigit(s[cp]))
        {
            num += (s[cp] - '0') * mult;
            mult /= 10;
            cp++;
        }
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    // C's isspace() in the C locale.
    private static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
