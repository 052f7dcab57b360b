using System.Buffers;
using System.IO.Pipelines;
using Ebb.Tests.Allocator;

namespace Ebb.Tests.Pool;

[Collection(nameof(AllocatorSerial))]
public class EbbMemoryPoolTests
{
    [Fact]
    public void Rent_GivesAtLeastTheMinimum_AndAPageByDefault()
    {
        using var a = EbbMemoryPool.Shared.Rent();
        using var b = EbbMemoryPool.Shared.Rent(100);
        using var c = EbbMemoryPool.Shared.Rent(65536);
        Assert.True(a.Memory.Length >= EbbMemoryPool.DefaultBufferSize);
        Assert.True(b.Memory.Length >= 100);
        Assert.True(c.Memory.Length >= 65536);
        c.Memory.Span.Fill(0x5A);
        Assert.Equal(0x5A, c.Memory.Span[^1]);
        Assert.Equal(int.MaxValue, EbbMemoryPool.Shared.MaxBufferSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => EbbMemoryPool.Shared.Rent(-2));
    }

    [Fact]
    public unsafe void Pin_GivesTheSpansAddress_WithoutMovingAnything()
    {
        using var owner = EbbMemoryPool.Shared.Rent(256);
        using var handle = owner.Memory.Pin();
        fixed (byte* p = owner.Memory.Span) Assert.Equal((nint)p, (nint)handle.Pointer);
        using var inner = owner.Memory[10..].Pin();
        Assert.Equal((nint)handle.Pointer + 10, (nint)inner.Pointer);
    }

    [Fact]
    public void SecondDispose_DoesNothing_AndUseAfterDisposeThrows()
    {
        long before = InUse.Settled();
        var owner = EbbMemoryPool.Shared.Rent(1000);
        Memory<byte> memory = owner.Memory;
        owner.Dispose();
        owner.Dispose();
        Assert.Throws<ObjectDisposedException>(() => owner.Memory);
        Assert.Throws<ObjectDisposedException>(() => memory.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => memory.Pin());
        Assert.True(InUse.WaitForAtMost(before) <= before, "the block was not freed");
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(65536)]
    [InlineData(256 << 10)] // above the packed owner's 128 KiB: the general one
    public unsafe void DisposeAgain_AfterTheBlockWasRentedAgain_LeavesTheNewRentersBlockAlone(int size)
    {
        var first = EbbMemoryPool.Shared.Rent(size);
        Memory<byte> stale = first.Memory;
        nint firstBlock;
        fixed (byte* p = first.Memory.Span) firstBlock = (nint)p;
        first.Dispose();

        // Rent until Ebb hands the freed block out again: that owner has the same memory, so a
        // stale Dispose that freed "its" block would free the new renter's.
        var others = new List<IMemoryOwner<byte>>();
        IMemoryOwner<byte>? second = null;
        try
        {
            for (int i = 0; i < 4096 && second is null; i++)
            {
                var owner = EbbMemoryPool.Shared.Rent(size);
                fixed (byte* p = owner.Memory.Span)
                    if ((nint)p == firstBlock) second = owner;
                    else others.Add(owner);
            }
            Assert.True(second is not null, "the freed block was not rented again");
            Assert.NotSame(first, second);

            first.Dispose();
            Assert.Throws<ObjectDisposedException>(() => stale.Span.Length);
            second.Memory.Span.Fill(0x3C);
            // Still a live block: asking the size of a freed one throws DoubleFree.
            Assert.True(EbbMemory.UsableSize((void*)firstBlock) >= (nuint)size);
            Assert.Equal(0x3C, second.Memory.Span[^1]);
            second.Dispose(); // frees it now, once, without a DoubleFree
        }
        finally
        {
            foreach (var o in others) o.Dispose();
        }
    }

    [Fact]
    public void Owners_AreSmall_ForPipeSegments()
    {
        // One owner object a rent (owners are not reused: see EbbMemoryPool): 24 bytes up to 128 KiB.
        EbbMemoryPool.Shared.Rent(4096).Dispose();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) EbbMemoryPool.Shared.Rent(4096).Dispose();
        long perRent = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
        Assert.Equal(24, perRent);
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(65536)]
    public async Task Pipe_PumpsDataBetweenTwoThreads_Verified_EveryOwnerReturned_InUseBytesBack(int segmentSize)
    {
        const long total = 64L << 20;
        long before = InUse.Settled();
        var pool = new CountingPool(EbbMemoryPool.Shared);
        var pipe = new Pipe(new PipeOptions(pool: pool, minimumSegmentSize: segmentSize, useSynchronizationContext: false));

        // The writer on a thread of its own, the reader on the thread pool (where the pipe resumes it).
        // The writer's thread rents every segment and the reader's frees them: remote frees,
        // which count as in use until the owner collects them, so the writer's thread trims
        // (collecting them) once the reader is done, as a thread that allocates again would.
        var reader = Task.Run(() => Read(pipe.Reader));
        var writer = new Thread(() =>
        {
            Write(pipe.Writer, total);
            ((IAsyncResult)reader).AsyncWaitHandle.WaitOne();
            EbbMemory.Trim();
        });
        writer.Start();
        writer.Join();
        long read = await reader;

        Assert.Equal(total, read);
        Assert.True(pool.Rented > 0);
        Assert.Equal(0, pool.Outstanding);
        // Back where it started (or below, should blocks other tests freed from other threads be collected meanwhile).
        long after = InUse.WaitForAtMost(before);
        Assert.True(after <= before, $"in use: {before} bytes before, {after} after");
    }

    private static byte Pattern(long position) => (byte)(position * 31 + (position >> 9));

    // Synchronous on its own thread: an await would resume on the thread pool, and the segments be rented there.
    private static void Write(PipeWriter writer, long total)
    {
        long position = 0;
        int step = 0;
        while (position < total)
        {
            // Uneven writes, so segments are filled partly and boundaries fall anywhere.
            int want = (int)Math.Min(total - position, 1 + (step++ * 7919) % 20000);
            Memory<byte> memory = writer.GetMemory(want);
            int n = Math.Min(want, memory.Length);
            Span<byte> span = memory.Span;
            for (int i = 0; i < n; i++) span[i] = Pattern(position + i);
            writer.Advance(n);
            position += n;
            if (step % 4 == 0) writer.FlushAsync().AsTask().GetAwaiter().GetResult();
        }
        writer.Complete();
    }

    private static async Task<long> Read(PipeReader reader)
    {
        long position = 0;
        while (true)
        {
            ReadResult result = await reader.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                ReadOnlySpan<byte> span = segment.Span;
                for (int i = 0; i < span.Length; i++)
                    if (span[i] != Pattern(position + i))
                        throw new InvalidOperationException($"byte {position + i} is {span[i]}, not {Pattern(position + i)}");
                position += span.Length;
            }
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) break;
        }
        await reader.CompleteAsync();
        return position;
    }
}
