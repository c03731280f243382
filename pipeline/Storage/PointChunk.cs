using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>Validated points plus the stored series each of their series indexes resolves to.</summary>
public readonly record struct PointChunk(ParsedBatch Batch, SeriesEntry?[] Series);
