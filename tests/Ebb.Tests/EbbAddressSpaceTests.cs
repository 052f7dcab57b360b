using System.Diagnostics.Tracing;

namespace Ebb.Tests;

public unsafe class EbbAddressSpaceTests
{
    [Fact]
    public void MappingOf_TellsArenaChunksFromHugeMappings_AndOwnedCoversBoth()
    {
        void* small = EbbMemory.Alloc(100);
        void* huge = EbbMemory.Alloc(40 << 20);
        try
        {
            var s = EbbAddressSpace.MappingOf((ulong)small);
            Assert.NotNull(s);
            Assert.False(s.Value.IsHugeBlock);
            Assert.Equal(32UL << 20, s.Value.Length);
            Assert.InRange((ulong)small, s.Value.Start, s.Value.End - 1);

            var h = EbbAddressSpace.MappingOf((ulong)huge + (30UL << 20));
            Assert.NotNull(h);
            Assert.True(h.Value.IsHugeBlock);
            Assert.InRange((ulong)huge, h.Value.Start, h.Value.Start + 65536);
            Assert.True(h.Value.End >= (ulong)huge + (40UL << 20));
            Assert.Null(EbbAddressSpace.MappingOf(h.Value.End + (1UL << 40)));

            Assert.Equal([(h.Value.Start, h.Value.End)], EbbAddressSpace.Owned(h.Value.Start, h.Value.End));
            Assert.Equal([((ulong)small, (ulong)small + 1)], EbbAddressSpace.Owned((ulong)small, (ulong)small + 1));
            int local = 0;
            Assert.Empty(EbbAddressSpace.Owned((ulong)&local, (ulong)&local + 8));
        }
        finally
        {
            EbbMemory.Free(small);
            EbbMemory.Free(huge);
        }
    }

    [Fact]
    public void Regions_HoldTheBlocks_AndNameThePageAndChunkMaps()
    {
        void* small = EbbMemory.Alloc(100);
        void* huge = EbbMemory.Alloc(40 << 20);
        try
        {
            var regions = EbbAddressSpace.Regions();
            Assert.Equal(regions.OrderBy(r => r.Start), regions);
            Assert.Contains(regions, r => r.Kind == EbbRegionKind.ArenaChunks && r.Start <= (ulong)small && (ulong)small < r.End && r.Length % (32UL << 20) == 0);
            Assert.Contains(regions, r => r.Kind == EbbRegionKind.HugeBlock && r.Start <= (ulong)huge && (ulong)huge + (40UL << 20) <= r.End);
            Assert.Equal(16UL << 30, Assert.Single(regions, r => r.Kind == EbbRegionKind.PageMap).Length);
            Assert.Equal(4UL << 20, Assert.Single(regions, r => r.Kind == EbbRegionKind.ChunkMap).Length);
            // The same ranges as Owned, for the chunks and the huge block this test holds (other
            // tests' huge blocks may be freed, and their cached mappings reused, meanwhile).
            foreach (var r in regions.Where(r => r.Kind is EbbRegionKind.ArenaChunks || (r.Kind is EbbRegionKind.HugeBlock && r.Start <= (ulong)huge && (ulong)huge < r.End)))
                Assert.Equal([(r.Start, r.End)], EbbAddressSpace.Owned(r.Start, r.End));
        }
        finally
        {
            EbbMemory.Free(small);
            EbbMemory.Free(huge);
        }
    }

    /// <summary>Collects what the address-space event source writes for one request.</summary>
    private sealed class Listener : EventListener
    {
        public readonly List<EventWrittenEventArgs> Events = [];

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            lock (Events) Events.Add(e);
        }
    }

    [Fact]
    public void EventSource_AnswersAnEnablingSessionWithEveryRegion_ThenAnEnd()
    {
        void* huge = EbbMemory.Alloc(40 << 20);
        try
        {
            // Started on the purge thread, maybe not yet; this test is about the answer, not the start.
            EbbAddressSpaceEvents.Start();
            using var listener = new Listener();
            var source = EventSource.GetSources().Single(s => s.Name == EbbAddressSpace.EventSourceName);
            listener.EnableEvents(source, EventLevel.Informational, EventKeywords.All, new Dictionary<string, string?> { ["RequestId"] = "test-1" });
            var expected = EbbAddressSpace.Regions();

            List<EventWrittenEventArgs> mine;
            lock (listener.Events) mine = [.. listener.Events.Where(e => (string?)e.Payload![0] == "test-1")];
            Assert.Equal("End", mine[^1].EventName);
            var answered = mine.Where(e => e.EventName == "Region")
                .Select(e => new EbbRegion((ulong)(long)e.Payload![1]!, (ulong)(long)e.Payload[1]! + (ulong)(long)e.Payload[2]!, Enum.Parse<EbbRegionKind>((string)e.Payload[3]!)))
                .ToList();
            // The huge block is held throughout, so both views have it; the rest may move with other tests' allocations.
            Assert.Contains(answered, r => r.Kind == EbbRegionKind.HugeBlock && r.Start <= (ulong)huge && (ulong)huge < r.End);
            Assert.Equal(expected.Where(r => r.Kind is EbbRegionKind.PageMap or EbbRegionKind.ChunkMap), answered.Where(r => r.Kind is EbbRegionKind.PageMap or EbbRegionKind.ChunkMap));
            Assert.Equal(mine.Count - 1, answered.Count);
            Assert.Equal(answered.Count, (int)mine[^1].Payload![1]!);
        }
        finally
        {
            EbbMemory.Free(huge);
        }
    }

    [Fact]
    public void EventSource_HasTheGuidAndNameItsAttributeGives()
    {
        // The source names itself in its constructor (cheaper than the attribute, read by
        // reflection); a tool that derives the provider from the attribute must still find it.
        EbbAddressSpaceEvents.Start();
        var source = EventSource.GetSources().Single(s => s.Name == EbbAddressSpace.EventSourceName);
        Assert.Equal(EventSource.GetGuid(typeof(EbbAddressSpaceEvents)), source.Guid);
        Assert.Equal(EventSource.GetName(typeof(EbbAddressSpaceEvents)), source.Name);
        Assert.Equal(EventSourceSettings.EtwManifestEventFormat, source.Settings & (EventSourceSettings.EtwManifestEventFormat | EventSourceSettings.EtwSelfDescribingEventFormat));
    }
}
