using System.Runtime.CompilerServices;
using Ebb;

/// <summary>
/// Scenarios for the checked and guarded modes' child-process tests: each makes one heap
/// mistake under the mode the test sets, prints `key=value` lines (the line of the
/// allocating statement, what was caught) and leaves the report to Ebb (stderr). A guard
/// fault ends the process inside the scenario.
/// </summary>
internal static unsafe class CheckScenarios
{
    /// <summary>Runs scenario <paramref name="name"/>; null when it is not one of these.</summary>
    public static int? Run(string name) => name switch
    {
        "check-overflow" => Overflow(),
        "check-overflow-unhandled" => OverflowUnhandled(),
        "heap-overflow" => HeapOverflow(),
        "heap-dispose" => HeapDispose(),
        "heap-apis" => HeapApis(),
        "uaf-read" => UseAfterFreeRead(),
        "leak" => Leak(),
        "sampled-realloc" => SampledRealloc(),
        _ => null,
    };

    // The caller's line, so a scenario can print the line of its own allocating statement.
    private static int Line([CallerLineNumber] int line = 0) => line;

    private static void Print(string key, object value) => Console.WriteLine($"{key}={value}");

    private static string Caught(Action a)
    {
        try { a(); }
        catch (EbbMemoryException e) { return EbbMemoryException.KindName(e.Kind); }
        return "nothing";
    }

    /// <summary>A 20-byte block, its byte 20 written, then freed: the report names the allocating line; the program catches the error.</summary>
    private static int Overflow()
    {
        byte* p = (byte*)EbbMemory.Alloc(20); int allocLine = Line();
        Print("alloc_line", allocLine);
        p[20] = 1;
        try
        {
            EbbMemory.Free(p);
            Print("caught", "nothing");
        }
        catch (EbbMemoryException e)
        {
            Print("caught", EbbMemoryException.KindName(e.Kind));
            Console.Out.Flush();
            // The program swallows the error: the report must already be on stderr.
        }
        return 0;
    }

    /// <summary>The same mistake, the error left to the runtime's "Unhandled exception." handling.</summary>
    private static int OverflowUnhandled()
    {
        byte* p = (byte*)EbbMemory.Alloc(20); int allocLine = Line();
        Print("alloc_line", allocLine);
        Console.Out.Flush();
        p[20] = 1;
        EbbMemory.Free(p);
        return 0;
    }

    /// <summary>The same mistake with an EbbHeap's block.</summary>
    private static int HeapOverflow()
    {
        using var heap = new EbbHeap();
        byte* p = (byte*)heap.Alloc(20); int allocLine = Line();
        Print("alloc_line", allocLine);
        Console.Out.Flush();
        p[20] = 1;
        Print("caught", Caught(() => heap.Free(p)));
        return 0;
    }

    /// <summary>An EbbHeap's block freed by Dispose, then freed again: a double free (or invalid free), not a crash.</summary>
    private static int HeapDispose()
    {
        var heap = new EbbHeap();
        byte* p = (byte*)heap.Alloc(32);
        byte* q = (byte*)heap.AlignedAlloc(40, 64);
        byte* kept = (byte*)heap.Alloc(48);
        heap.Free(kept);
        heap.Dispose();
        Print("caught", Caught(() => EbbMemory.Free(p)));
        Print("caught_aligned", Caught(() => EbbMemory.Free(q)));
        EbbMemory.Validate();
        Print("validated", 1);
        return 0;
    }

    /// <summary>Every EbbHeap allocation API, overflowed by one byte: which are caught at free.</summary>
    private static int HeapApis()
    {
        var heap = new EbbHeap();
        Print("alloc", OneByteOver(heap, (byte*)heap.Alloc(24), 24));
        Print("alloc_zeroed", OneByteOver(heap, (byte*)heap.AllocZeroed(24), 24));
        Print("try_alloc", OneByteOver(heap, (byte*)heap.TryAlloc(24), 24));
        Print("aligned_alloc", OneByteOver(heap, (byte*)heap.AlignedAlloc(24, 64), 24));
        byte* r = (byte*)heap.Alloc(8);
        r = (byte*)heap.Realloc(r, 24);
        Print("realloc", OneByteOver(heap, r, 24));
        byte* a = (byte*)heap.AlignedAlloc(8, 32);
        a = (byte*)heap.AlignedRealloc(a, 24, 32);
        Print("aligned_realloc", OneByteOver(heap, a, 24));
        Print("usable_size", heap.UsableSize(heap.Alloc(24)));
        // The overflowed blocks are still live (their frees threw): Dispose frees them and finds the first again.
        Print("dispose", Caught(heap.Dispose));
        return 0;
    }

    private static string OneByteOver(EbbHeap heap, byte* p, int size)
    {
        p[size] = 0x11;
        return Caught(() => heap.Free(p));
    }

    /// <summary>Under EBB_GUARD=sample:1: a block read right after its free (no time for a background thread).</summary>
    private static int UseAfterFreeRead()
    {
        byte* p = (byte*)EbbMemory.Alloc(64); int allocLine = Line();
        Print("sampled", Ebb.Checks.Checker.InSampledPool(p) ? 1 : 0);
        Print("alloc_line", allocLine);
        EbbMemory.Free(p); int freeLine = Line();
        Print("free_line", freeLine);
        Console.Out.Flush();
        byte b = Volatile.Read(ref p[8]);
        Print("read", b);
        return 0;
    }

    /// <summary>
    /// Reallocs that the sampling countdown does not choose (run with a rate so low none is):
    /// each grows its block within its size class, which release mode does in place.
    /// </summary>
    private static int SampledRealloc()
    {
        int inPlace = 0;
        for (int i = 0; i < 100; i++)
        {
            byte* p = (byte*)EbbMemory.Alloc(100);
            p[99] = 7;
            byte* q = (byte*)EbbMemory.Realloc(p, 104);
            if (q == p && q[99] == 7) inPlace++;
            EbbMemory.Free(q);
        }
        Print("in_place", inPlace);
        return 0;
    }

    /// <summary>A block never freed (EBB_LEAKS=1 reports it at exit).</summary>
    private static int Leak()
    {
        void* p = EbbMemory.Alloc(100);
        Print("leaked", (nint)p != 0 ? 1 : 0);
        return 0;
    }
}
