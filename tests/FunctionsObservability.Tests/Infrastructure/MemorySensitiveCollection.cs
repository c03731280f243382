namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>
/// Tests that measure process-wide allocation or memory run alone, after the parallel ones,
/// so that other tests' allocations do not count against them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemorySensitiveCollection
{
    public const string Name = "Memory-sensitive";
}
