namespace Ebb.Tests.Allocator;

/// <summary>Tests that must not share the allocator with other tests running at the same time.</summary>
[CollectionDefinition(nameof(AllocatorSerial), DisableParallelization = true)]
public sealed class AllocatorSerial;
