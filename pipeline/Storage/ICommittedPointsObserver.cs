namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Told of each group commit by the writer, after its points are durable and visible to readers
/// and before they are acknowledged, on the writer's thread: it must be quick and must not throw.
/// </summary>
public interface ICommittedPointsObserver
{
    void Committed(IReadOnlyList<PointChunk> chunks);
}
