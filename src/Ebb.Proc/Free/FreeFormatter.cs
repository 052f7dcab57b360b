using System.Text;

namespace Ebb.Proc.Free;

/// <summary>
/// The text of one <c>free</c> report, byte for byte as procps-ng 4.0.2 prints it in the C
/// locale: a header, the Mem: line, optional Low:/High:, Swap:, optional Total: and Comm:.
/// A pure function of the figures and the options.
/// </summary>
public static class FreeFormatter
{
    /// <summary>The header without <c>-w</c>.</summary>
    public const string Header = "               total        used        free      shared  buff/cache   available";

    /// <summary>The header with <c>-w</c>.</summary>
    public const string WideHeader = "               total        used        free      shared     buffers       cache   available";

    /// <summary>Formats one report, ending with a newline.</summary>
    /// <param name="f">The figures.</param>
    /// <param name="o">What to show and in which unit.</param>
    public static string Format(in FreeFigures f, FreeOptions o)
    {
        var sb = new StringBuilder(512);
        sb.Append(o.Wide ? WideHeader : Header).Append('\n');

        Row(sb, "Mem:", o, f.MemTotal, f.MemUsed, f.MemFree, f.Shared);
        if (o.Wide)
        {
            Cell(sb, f.Buffers, o);
            Cell(sb, f.Cache, o);
        }
        else
        {
            Cell(sb, unchecked(f.Buffers + f.Cache), o);
        }
        Cell(sb, f.Available, o);
        sb.Append('\n');

        if (o.LowHigh)
        {
            Row(sb, "Low:", o, f.LowTotal, f.LowUsed, f.LowFree).Append('\n');
            Row(sb, "High:", o, f.HighTotal, f.HighUsed, f.HighFree).Append('\n');
        }
        Row(sb, "Swap:", o, f.SwapTotal, f.SwapUsed, f.SwapFree).Append('\n');
        if (o.Total)
        {
            Row(sb, "Total:", o,
                unchecked(f.MemTotal + f.SwapTotal),
                unchecked(f.MemUsed + f.SwapUsed),
                unchecked(f.MemFree + f.SwapFree)).Append('\n');
        }
        if (o.Committed)
        {
            // Limit minus committed wraps below zero, then prints as negative.
            Row(sb, "Comm:", o, f.CommitLimit, f.CommittedAs, unchecked(f.CommitLimit - f.CommittedAs)).Append('\n');
        }
        return sb.ToString();
    }

    // print_head_col pads the label to 9 columns; the first value is "%11s", the rest " %11s".
    private static StringBuilder Row(StringBuilder sb, string label, FreeOptions o, ulong first, params ReadOnlySpan<ulong> rest)
    {
        sb.Append(label).Append(' ', Math.Max(0, 9 - label.Length));
        sb.Append(SizeScaler.Scale(first, o).PadLeft(11));
        foreach (ulong v in rest) Cell(sb, v, o);
        return sb;
    }

    private static void Cell(StringBuilder sb, ulong value, FreeOptions o) =>
        sb.Append(' ').Append(SizeScaler.Scale(value, o).PadLeft(11));
}
