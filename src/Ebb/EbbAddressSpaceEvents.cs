using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Tracing;

namespace Ebb;

/// <summary>
/// Tells a diagnostics session (EventPipe, the channel <c>dotnet-trace</c> and <c>ebb map PID</c>
/// use) which ranges of this process's address space Ebb holds: the kernel here cannot name
/// mappings (no <c>[anon:ebb]</c>), so a tool looking at another process's maps has to ask. When
/// a session enables the source, it answers once with <see cref="EbbAddressSpace.Regions"/>, a
/// <c>Region</c> event per range and an <c>End</c> event (the protocol is described at
/// <see cref="EbbAddressSpace.EventSourceName"/>). Created when the allocator starts (a process
/// that never allocated with Ebb has no such source, and a session gets no answer).
/// </summary>
[EventSource(Name = EbbAddressSpace.EventSourceName)]
internal sealed class EbbAddressSpaceEvents : EventSource
{
    private static EbbAddressSpaceEvents? s_log;
    private static readonly Lock s_gate = new();

    // The name passed in, not read from the attribute: the parameterless base constructor reads
    // [EventSource] through reflection, which loads enough of it to cost every process that
    // allocates with Ebb about 1 MiB of resident memory (bench/results/rss-baseline-20261206.md).
    // The attribute stays for tools that read it from the assembly.
    private EbbAddressSpaceEvents() : base(EbbAddressSpace.EventSourceName, EventSourceSettings.EtwManifestEventFormat) { }

    /// <summary>Creates the source (once): from then on a session can ask.</summary>
    internal static void Start()
    {
        lock (s_gate) s_log ??= new EbbAddressSpaceEvents();
    }

    /// <summary>
    /// A session enabled the source: answer it at once, on the thread that enables it (the
    /// diagnostics server's, before the session's start is acknowledged), so the answer is in the
    /// session's buffers by the time the tool hears that the session started.
    /// </summary>
    protected override void OnEventCommand(EventCommandEventArgs command)
    {
        if (command.Command != EventCommand.Enable) return;
        string request = command.Arguments is { } a && a.TryGetValue("RequestId", out string? id) && id is not null ? id : "";
        Answer(request);
    }

    // An EventSource takes every instance method for an event unless told otherwise.
    [NonEvent]
    private void Answer(string request)
    {
        if (!IsEnabled()) return;
        var regions = EbbAddressSpace.Regions();
        foreach (var r in regions) Region(request, (long)r.Start, (long)r.Length, r.Kind.ToString());
        End(request, regions.Count);
    }

    /// <summary>One range Ebb holds: <paramref name="Start"/>, <paramref name="Length"/> bytes, an <see cref="EbbRegionKind"/> name.</summary>
    [Event(1, Level = EventLevel.Informational)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The payload is strings and integers: nothing for the trimmer to keep.")]
    private unsafe void Region(string RequestId, long Start, long Length, string Kind)
    {
        fixed (char* request = RequestId)
        fixed (char* kind = Kind)
        {
            EventData* data = stackalloc EventData[4];
            data[0] = new EventData { DataPointer = (nint)request, Size = (RequestId.Length + 1) * sizeof(char) };
            data[1] = new EventData { DataPointer = (nint)(&Start), Size = sizeof(long) };
            data[2] = new EventData { DataPointer = (nint)(&Length), Size = sizeof(long) };
            data[3] = new EventData { DataPointer = (nint)kind, Size = (Kind.Length + 1) * sizeof(char) };
            WriteEventCore(1, 4, data);
        }
    }

    /// <summary>The answer to request <paramref name="RequestId"/> is complete: <paramref name="Count"/> ranges.</summary>
    [Event(2, Level = EventLevel.Informational)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The payload is strings and integers: nothing for the trimmer to keep.")]
    private unsafe void End(string RequestId, int Count)
    {
        fixed (char* request = RequestId)
        {
            EventData* data = stackalloc EventData[2];
            data[0] = new EventData { DataPointer = (nint)request, Size = (RequestId.Length + 1) * sizeof(char) };
            data[1] = new EventData { DataPointer = (nint)(&Count), Size = sizeof(int) };
            WriteEventCore(2, 2, data);
        }
    }
}
