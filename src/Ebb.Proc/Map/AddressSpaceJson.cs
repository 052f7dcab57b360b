using System.Text;
using System.Text.Json;

namespace Ebb.Proc.Map;

/// <summary>
/// <c>ebb map --json</c>: the regions the picture draws, as one JSON object on one line (the
/// JSON section of docs/compatibility.md has the schema), with the kind that colours each band.
/// </summary>
public static class AddressSpaceJson
{
    /// <summary>The regions as a JSON object, without a newline.</summary>
    /// <param name="title">The picture's title (<c>PID: command</c>).</param>
    /// <param name="regions">The regions, lowest address first.</param>
    /// <param name="ebbRanges">The ranges Ebb said it holds (start, end, part), or null when it was not asked or did not answer.</param>
    public static string Format(string title, IReadOnlyList<MapRegion> regions, IReadOnlyList<(ulong Start, ulong End, string Part)>? ebbRanges = null)
    {
        ArgumentNullException.ThrowIfNull(regions);
        bool rssKnown = regions.All(r => r.Smaps is not null);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("title", title);
            w.WriteStartArray("regions");
            foreach (var r in regions)
            {
                w.WriteStartObject();
                w.WriteNumber("start", r.Map.Start);
                w.WriteNumber("end", r.Map.End);
                w.WriteNumber("sizeBytes", r.Map.Size);
                w.WriteString("permissions", r.Map.PermissionsText);
                w.WriteString("name", r.Map.Name);
                w.WriteString("kind", JsonNamingPolicy.CamelCase.ConvertName(r.Kind.ToString()));
                w.WriteBoolean("ebb", r.Kind == RegionKind.Ebb || r.EbbPart is not null);
                if (r.EbbPart is { } part) w.WriteString("ebbPart", part);
                else w.WriteNull("ebbPart");
                if (r.RssBytes is ulong rss) w.WriteNumber("rssBytes", rss);
                else w.WriteNull("rssBytes");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (ebbRanges is null) w.WriteNull("ebbRanges");
            else
            {
                w.WriteStartArray("ebbRanges");
                foreach (var (start, end, part) in ebbRanges)
                {
                    w.WriteStartObject();
                    w.WriteNumber("start", start);
                    w.WriteNumber("end", end);
                    w.WriteString("part", part);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteStartObject("totals");
            w.WriteNumber("regions", regions.Count);
            w.WriteNumber("mappedBytes", regions.Aggregate(0UL, (t, r) => t + r.Map.Size));
            if (rssKnown) w.WriteNumber("rssBytes", regions.Aggregate(0UL, (t, r) => t + (r.RssBytes ?? 0)));
            else w.WriteNull("rssBytes");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
