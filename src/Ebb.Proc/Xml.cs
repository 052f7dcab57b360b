using System.Text;

namespace Ebb.Proc;

/// <summary>Escaping for text that goes into XML (SVG) and HTML.</summary>
internal static class Xml
{
    /// <summary>
    /// Escapes <paramref name="text"/> for element content or a double-quoted attribute:
    /// the five special characters, and the control characters XML 1.0 forbids (a file name
    /// may hold any byte but '/' and NUL) become U+FFFD.
    /// </summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '\n': sb.Append("&#10;"); break;
                case '\t': sb.Append("&#9;"); break;
                case < ' ' or '\uFFFE' or '\uFFFF': sb.Append('\uFFFD'); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
