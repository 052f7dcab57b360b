using Ebb.DotNetHost;
using System.Runtime.CompilerServices;
using Ebb.Checks;
using Ebb.Os;

namespace Ebb.Tests.Checks;

// The stack depot, with the native frame-pointer walk (when the build found a C compiler)
// and without it (the StackTrace fallback): the same answers either way.
public unsafe class StackDepotTests
{
    private static readonly bool s_libraryBuilt = File.Exists(Path.Combine(AppContext.BaseDirectory, NativeHelpers.LibraryName));

    public static TheoryData<bool> Walks => new() { true, false };

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static uint SiteAlpha(StackDepot depot) => depot.Capture();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static uint SiteBeta(StackDepot depot) => depot.Capture();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static uint CallsAlpha(StackDepot depot) => SiteAlpha(depot) + 0 * SiteAlpha(depot);

    private static string FirstFrame(StackDepot depot, uint id) => depot.Frames(id).Split('\n')[0];

    [Fact]
    public void SharedDepot_UsesTheNativeWalk_WhenTheLibraryWasBuilt()
    {
        Assert.Equal(s_libraryBuilt, StackDepot.Shared.IsNative);
        Assert.Equal(s_libraryBuilt, NativeHelpers.Loaded);
    }

    [Theory]
    [MemberData(nameof(Walks))]
    public void TwoSites_GetDifferentIds_NamingTheirMethods(bool native)
    {
        var depot = new StackDepot(native);
        uint a = SiteAlpha(depot), b = SiteBeta(depot);
        Assert.NotEqual(StackDepot.None, a);
        Assert.NotEqual(a, b);
        // The first frame is the caller of the depot (Ebb's own frames are left out).
        Assert.Contains(nameof(SiteAlpha), FirstFrame(depot, a));
        Assert.Contains(nameof(SiteBeta), FirstFrame(depot, b));
        Assert.Contains(nameof(TwoSites_GetDifferentIds_NamingTheirMethods), depot.Frames(a));
        Assert.Equal(2, depot.Count);
    }

    [Theory]
    [MemberData(nameof(Walks))]
    public void TheSameSiteTwice_GetsTheSameId_AndADifferentCallerADifferentOne(bool native)
    {
        var depot = new StackDepot(native);
        // One call site in a loop: the same return addresses both times.
        var ids = new uint[2];
        for (int i = 0; i < ids.Length; i++) ids[i] = SiteAlpha(depot);
        uint first = ids[0];
        Assert.Equal(first, ids[1]);
        uint viaOther = CallsAlpha(depot);
        Assert.NotEqual(first, viaOther);
        Assert.Contains(nameof(CallsAlpha), depot.Frames(viaOther));
        Assert.DoesNotContain(nameof(CallsAlpha), depot.Frames(first));
    }

    [Theory]
    [MemberData(nameof(Walks))]
    public void NativeText_IsTheFramesAsUtf8(bool native)
    {
        var depot = new StackDepot(native);
        uint a = SiteAlpha(depot);
        string fromNative = new((sbyte*)depot.FramesUtf8(a));
        Assert.Equal(depot.Frames(a), fromNative);
        Assert.Equal("    (stacks not captured: EBB_STACKS=0)", depot.Frames(StackDepot.None));
    }

    [Theory]
    [MemberData(nameof(Walks))]
    public void ConcurrentCaptures_AgreeOnEachSitesId(bool native)
    {
        var depot = new StackDepot(native);
        const int Threads = 4, Rounds = 300;
        var alpha = new uint[Threads * Rounds];
        var beta = new uint[Threads * Rounds];
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                alpha[t * Rounds + i] = SiteAlpha(depot);
                beta[t * Rounds + i] = SiteBeta(depot);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        // One text per site, so one id per site, whichever thread saw it first and however
        // often the JIT recompiled the loop (new return addresses, same frames).
        Assert.Single(alpha.Distinct());
        Assert.Single(beta.Distinct());
        Assert.NotEqual(alpha[0], beta[0]);
        Assert.Contains(nameof(SiteAlpha), FirstFrame(depot, alpha[0]));
        Assert.Contains(nameof(SiteBeta), FirstFrame(depot, beta[0]));
    }

    [Fact]
    public void NativeWalk_SeesEveryFrameOfANestedCall()
    {
        nint fn = NativeHelpers.Export("ebb_stack_capture");
        if (!s_libraryBuilt) { Assert.Equal(0, fn); return; }
        var capture = (delegate* unmanaged[Cdecl, SuppressGCTransition]<ulong*, int, int>)fn;
        int shallow = Nest(0, capture, out ulong outer);
        int deep = Nest(5, capture, out ulong outerDeep);
        // Five more managed frames on the way, five more return addresses in the chain.
        Assert.InRange(shallow, 3, 200);
        Assert.Equal(shallow + 5, deep);
        Assert.NotEqual(0ul, outer);
        Assert.NotEqual(0ul, outerDeep);
    }

    // Recurses `n` times, then walks; the recursion is not a tail call (the result is used after it).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Nest(int n, delegate* unmanaged[Cdecl, SuppressGCTransition]<ulong*, int, int> capture, out ulong first)
    {
        if (n > 0)
        {
            int depth = Nest(n - 1, capture, out first);
            GC.KeepAlive(capture == null ? null : "");
            return depth;
        }
        ulong* ips = stackalloc ulong[256];
        int got = capture(ips, 256);
        first = got > 0 ? ips[0] : 0;
        return got;
    }
    [Theory]
    [MemberData(nameof(Walks))]
    public void TwoDepots_SeeingTheSameWalk_EachGiveTheirOwnId(bool native)
    {
        var first = new StackDepot(native);
        var second = new StackDepot(native);
        // Two other stacks first, so the shared site's id in the first depot is not 1.
        SiteAlpha(first);
        SiteBeta(first);
        var ids = new List<(StackDepot Depot, uint Id)>();
        // One call site, so the same walk (cached by the native side) for both depots.
        foreach (var depot in new[] { first, second, first, second }) ids.Add((depot, SiteGamma(depot)));
        Assert.Equal(3u, ids[0].Id);
        Assert.Equal(1u, ids[1].Id);
        Assert.Equal(ids[0], ids[2]);
        Assert.Equal(ids[1], ids[3]);
        Assert.Contains(nameof(SiteGamma), FirstFrame(second, ids[1].Id));
        Assert.Equal(1, second.Count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static uint SiteGamma(StackDepot depot) => depot.Capture();

    // The native walk's per-thread cache: a walk recognised from the cache must give what a
    // fresh walk gives, also when a path from the same frame address differs only deep down.
    [Fact]
    public void NativeHash_FromTheCache_TellsPathsApartThatDifferOnlyDeepDown()
    {
        nint fn = NativeHelpers.Export("ebb_stack_hash");
        if (!s_libraryBuilt) { Assert.Equal(0, fn); return; }
        var hash = (delegate* unmanaged[Cdecl, SuppressGCTransition]<int, int*, ulong>)fn;
        var first = new ulong[4];
        for (int round = 0; round < 50; round++)
        {
            // Same frame sizes all the way, so the walk starts at the same address each time;
            // the paths part 12 frames below it (the outer callers) or right above it (the leaf's caller).
            ulong[] now = [OuterA(12, hash), OuterB(12, hash), OuterA(0, hash), OuterB(0, hash)];
            if (round == 0) now.CopyTo(first, 0);
            else Assert.Equal(first, now);
        }
        Assert.Equal(4, first.Distinct().Count());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong OuterA(int n, delegate* unmanaged[Cdecl, SuppressGCTransition]<int, int*, ulong> hash)
    {
        ulong h = Down(n, hash);
        GC.KeepAlive(hash == null ? null : "");
        return h;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong OuterB(int n, delegate* unmanaged[Cdecl, SuppressGCTransition]<int, int*, ulong> hash)
    {
        ulong h = Down(n, hash);
        GC.KeepAlive(hash == null ? null : "");
        return h;
    }

    // Recurses `n` times, then hashes (not a tail call: the result is used after it).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong Down(int n, delegate* unmanaged[Cdecl, SuppressGCTransition]<int, int*, ulong> hash)
    {
        if (n > 0)
        {
            ulong h = Down(n - 1, hash);
            GC.KeepAlive(hash == null ? null : "");
            return h;
        }
        int depth;
        return hash(32, &depth);
    }
}
