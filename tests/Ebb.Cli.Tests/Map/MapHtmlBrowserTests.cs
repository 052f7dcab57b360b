using Microsoft.Playwright;
using static Ebb.Cli.Tests.CliRunner;

namespace Ebb.Cli.Tests.Map;

/// <summary>
/// <c>ebb map self -o map.html</c> in a real browser: Debian's chromium (installed by
/// tests/install-test-tools.sh) driven by Playwright, with no browser download.
/// </summary>
public class MapHtmlBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    // A .NET process's page was 7,000-9,000 px tall before its mappings were grouped.
    private const double MaxPageHeight = 4000;

    private sealed record Box(double X, double Y, double Width, double Height)
    {
        public bool Overlaps(Box o) => X < o.X + o.Width && o.X < X + Width && Y < o.Y + o.Height && o.Y < Y + Height;

        public override string ToString() => $"({X:0},{Y:0} {Width:0}x{Height:0})";
    }

    private static async Task<Box> BoxOf(ILocator l)
    {
        var b = await l.BoundingBoxAsync() ?? throw new InvalidOperationException("not rendered");
        return new Box(b.X, b.Y, b.Width, b.Height);
    }

    [SkippableTheory]
    [InlineData(1280)]
    [InlineData(1920)]
    public async Task Panel_DoesNotCoverTheLegend_HoverFillsIt_AndThePageHeightIsBounded(int width)
    {
        Skip.IfNot(File.Exists(Chromium), $"needs Debian's chromium at {Chromium} (apt-get install chromium; tests/install-test-tools.sh does it as root)");
        string path = Path.Combine(Path.GetTempPath(), $"ebb-map-browser-{Guid.NewGuid():N}.html");
        try
        {
            var (code, _, err) = Run("map", "self", "-o", path);
            Assert.True(code == 0, err);

            using var playwright = await Playwright.CreateAsync();
            // --no-sandbox: chromium refuses to start as root otherwise (the CI runs the tests as root).
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ["--no-sandbox"] });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = 900 } });
            await page.GotoAsync(new Uri(path).AbsoluteUri);

            double height = await page.EvaluateAsync<double>("document.documentElement.scrollHeight");
            Assert.True(height <= MaxPageHeight, $"the page is {height} px tall at {width} px wide");

            // Hovering a band shows that region's maps line in the panel, which grows to hold its
            // figures: that is when a panel laid over the page covered the legend at 1280 px.
            var band = page.Locator("g.region").Nth(1);
            string details = await band.GetAttributeAsync("data-details") ?? "";
            await band.HoverAsync(new() { Force = true });
            string shown = await page.Locator("#details").InnerTextAsync();
            Assert.Equal(details.Split('\n')[0], shown.Split('\n')[0]);
            Assert.Contains("\nkind: ", shown);

            await page.EvaluateAsync("window.scrollTo(0, 0)");
            var panel = await BoxOf(page.Locator("#details"));
            var legend = page.Locator("g.legend");
            Assert.Equal(9, await legend.CountAsync());
            for (int i = 0; i < await legend.CountAsync(); i++)
            {
                var entry = await BoxOf(legend.Nth(i));
                Assert.False(entry.Overlaps(panel), $"at {width} px the panel {panel} covers legend entry {i} {entry}");
            }
            Assert.True(panel.X + panel.Width <= width, $"the panel {panel} runs off a {width} px window");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
