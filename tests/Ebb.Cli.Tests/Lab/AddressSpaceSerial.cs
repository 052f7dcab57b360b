namespace Ebb.Cli.Tests.Lab;

/// <summary>
/// Tests that run an experiment reading this process's own maps before and after a mapping (the
/// mmap lab): a test in another class mapping memory at the same moment can merge into the same
/// maps line and change what the experiment sees, so these run with no other test at once.
/// </summary>
[CollectionDefinition(nameof(AddressSpaceSerial), DisableParallelization = true)]
public sealed class AddressSpaceSerial;
