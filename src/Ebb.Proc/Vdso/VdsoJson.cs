using System.Text;
using System.Text.Json;

namespace Ebb.Proc.Vdso;

/// <summary>
/// <c>ebb vdso --json</c>: the image and its function symbols as one JSON object on one line
/// (the JSON section of docs/compatibility.md has the schema); the same records
/// <see cref="VdsoFormatter"/> prints as text.
/// </summary>
public static class VdsoJson
{
    /// <summary>The image as a JSON object, without a newline.</summary>
    /// <param name="image">The parsed image.</param>
    /// <param name="whose">Whose vDSO it is, as the text's first line says.</param>
    /// <param name="bench">The timing, when <c>--bench</c> ran.</param>
    public static string Format(ElfImage image, string whose, VdsoBenchResult? bench = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("whose", whose);
            if (image.Address is ulong a) w.WriteNumber("address", a);
            else w.WriteNull("address");
            w.WriteNumber("sizeBytes", image.Size);
            w.WriteString("soName", image.SoName);
            w.WriteStartArray("versions");
            foreach (var v in image.Versions.Where(v => !v.IsBase)) w.WriteStringValue(v.Name);
            w.WriteEndArray();
            w.WriteNumber("dynamicSymbols", image.Symbols.Count);
            w.WriteStartArray("functions");
            foreach (var s in image.Functions)
            {
                w.WriteStartObject();
                w.WriteNumber("address", s.Address);
                w.WriteNumber("sizeBytes", s.Size);
                w.WriteString("type", VdsoFormatter.TypeName(s.Type));
                w.WriteString("binding", VdsoFormatter.BindingName(s.Binding));
                w.WriteString("name", s.Name);
                w.WriteString("version", s.Version);
                w.WriteString("displayName", s.DisplayName);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (bench is not null)
            {
                w.WriteStartObject("bench");
                w.WriteNumber("calls", bench.Calls);
                w.WriteNumber("vdsoNanosecondsPerCall", bench.VdsoNanoseconds);
                w.WriteNumber("syscallNanosecondsPerCall", bench.SyscallNanoseconds);
                // A vDSO call too fast to time has no finite ratio: JSON has no infinity.
                if (double.IsFinite(bench.Ratio)) w.WriteNumber("ratio", bench.Ratio);
                else w.WriteNull("ratio");
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
