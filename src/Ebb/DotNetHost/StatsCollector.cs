using Ebb.Arena;
using Ebb.Heap;
using Ebb.Os;

namespace Ebb.DotNetHost;

/// <summary>Builds an <see cref="EbbStats"/> by walking every chunk's pages under the arena lock (page counters read as they are: a snapshot, not a transaction).</summary>
internal static unsafe class StatsCollector
{
    public static EbbStats Collect()
    {
        var pages = new long[SizeClasses.Count];
        var used = new long[SizeClasses.Count];
        var capacity = new long[SizeClasses.Count];
        long inUseBytes = 0, inUseBlocks = 0, chunks = 0;
        long reserved, committed, dirty, peak, purged, purgeCalls, huge, abandoned;
        using (ArenaLock.Hold())
        {
            for (Chunk* c = Arena.Arena.FirstChunk; c != null; c = c->Next)
            {
                chunks++;
                for (int i = Layout.HeaderSlices; i < Layout.SlicesPerChunk;)
                {
                    Page* pg = Chunk.SliceMap(c)[i];
                    if (pg->Kind == PageKind.Small && Page.SliceIndex(pg) == i)
                    {
                        uint u = Volatile.Read(ref pg->Used);
                        // Used counts the blocks on Free (not allocated yet) as in use; they can be
                        // counted on pages no other thread is changing: the caller's own and abandoned ones.
                        Heap.Heap* owner = pg->Heap;
                        if (pg->Free != null && (owner == null || (owner == ThreadHeap.Current && owner->Kind == HeapKind.Thread)))
                            u -= Math.Min(u, Pages.CountFree(pg));
                        pages[pg->Bin]++;
                        used[pg->Bin] += u;
                        capacity[pg->Bin] += pg->Capacity;
                        inUseBlocks += u;
                        inUseBytes += (long)u * pg->BlockSize;
                        i += (int)pg->SliceCount;
                    }
                    else if (pg->Kind == PageKind.Large && Page.SliceIndex(pg) == i)
                    {
                        inUseBlocks++;
                        inUseBytes += (long)pg->AreaSize;
                        i += (int)pg->SliceCount;
                    }
                    else i++;
                }
            }
            reserved = ChunkSource.ReservedBytes + Huge.LiveBytes + Huge.CachedBytes;
            committed = Arena.Arena.CommittedBytes;
            dirty = Arena.Arena.DirtyBytes + Huge.DirtyCachedBytes;
            peak = Arena.Arena.PeakCommittedBytes;
            purged = Arena.Arena.PurgedBytes;
            purgeCalls = Arena.Arena.PurgeCalls;
            huge = Huge.LiveBlocks;
            abandoned = Abandoned.Count;
            inUseBlocks += Huge.LiveBlocks;
            inUseBytes += Huge.LiveBytes;
        }
        var classes = new List<EbbSizeClassStats>();
        for (int b = 0; b < SizeClasses.Count; b++)
            if (pages[b] != 0) classes.Add(new EbbSizeClassStats(SizeClasses.BlockSize(b), pages[b], used[b], capacity[b]));
        return new EbbStats
        {
            ReservedBytes = reserved,
            CommittedBytes = committed,
            ResidentBytes = committed + dirty,
            PendingPurgeBytes = dirty,
            InUseBytes = inUseBytes,
            InUseBlocks = inUseBlocks,
            PeakCommittedBytes = peak,
            PurgedBytes = purged,
            PurgeCalls = purgeCalls,
            HugeBlocks = huge,
            AbandonedPages = abandoned,
            Chunks = chunks,
            SizeClasses = classes,
            Os = OsCounters.Snapshot(),
        };
    }
}
