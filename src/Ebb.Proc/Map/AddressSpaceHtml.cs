using System.Text;

namespace Ebb.Proc.Map;

/// <summary>
/// The address-space picture as one self-contained HTML page: the SVG inline, and a panel
/// that shows a region's every figure while the pointer is over it (a few lines of CSS and
/// script, no external resources).
/// </summary>
public static class AddressSpaceHtml
{
    /// <summary>Renders the page around <see cref="AddressSpaceSvg.Render"/>.</summary>
    public static string Render(string title, IReadOnlyList<MapRegion> regions)
    {
        string svg = AddressSpaceSvg.Render(title, regions);
        var html = new StringBuilder(svg.Length + 2048);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<title>").Append(Xml.Escape(title)).Append("</title>\n");
        // The picture and the panel are two columns of a grid, so the panel can never cover
        // the legend, whatever the window's width; on a narrow window the panel goes on top.
        html.Append("""
            <style>
            body { margin: 0; font-family: monospace; background: #fafafa; }
            main { display: grid; grid-template-columns: minmax(0, max-content) 380px; gap: 12px; padding: 8px; align-items: start; }
            main > svg { max-width: 100%; height: auto; }
            #details { position: sticky; top: 8px; max-height: calc(100vh - 16px); overflow: auto;
                       white-space: pre-wrap; background: #fffff0; border: 1px solid #999; padding: 8px;
                       font-size: 12px; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
            @media (max-width: 900px) { main { grid-template-columns: minmax(0, 1fr); } #details { position: static; order: -1; } }
            g.region:hover rect { stroke: #000; stroke-width: 2; }
            g.band:hover > text, g.region:hover text { font-weight: bold; }
            </style>
            </head>
            <body>
            <main>

            """);
        html.Append(svg);
        html.Append("""
            <div id="details">Point at a region to see its figures.</div>
            </main>
            <script>
            (function () {
              var panel = document.getElementById('details');
              document.querySelectorAll('g.region').forEach(function (g) {
                g.addEventListener('mouseenter', function () { panel.textContent = g.getAttribute('data-details'); });
              });
            })();
            </script>
            </body>
            </html>

            """);
        return html.ToString();
    }
}
