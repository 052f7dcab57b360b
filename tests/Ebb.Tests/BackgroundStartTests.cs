using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;

namespace Ebb.Tests;

/// <summary>
/// The metrics and the address-space event source start by themselves once the allocator has
/// started (on the purge thread), so a tool that attaches later finds them without the program
/// asking for either.
/// </summary>
public unsafe class BackgroundStartTests
{
    [Fact]
    public void TheMeterAndTheEventSourceAppearWithoutBeingAsked()
    {
        EbbMemory.Free(EbbMemory.Alloc(16));
        bool meterSeen = false;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == EbbMetrics.MeterName) Volatile.Write(ref meterSeen, true);
            },
        };
        listener.Start();

        // A generous bound: the test run keeps both cores busy; on an idle machine it takes milliseconds.
        var clock = Stopwatch.StartNew();
        bool sourceSeen = false;
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !(sourceSeen && Volatile.Read(ref meterSeen)))
        {
            sourceSeen = EventSource.GetSources().Any(s => s.Name == EbbAddressSpace.EventSourceName);
            Thread.Sleep(20);
        }

        Assert.True(sourceSeen, "the Ebb-AddressSpace event source was not created");
        Assert.True(Volatile.Read(ref meterSeen), "the Ebb meter was not published");
    }
}
