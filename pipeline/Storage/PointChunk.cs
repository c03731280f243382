using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Validated points plus the stored series each of their series indexes resolves to, and the
/// key under which they may be written only once (a queue message id, an Idempotency-Key).
/// </summary>
public readonly record struct PointChunk(ParsedBatch Batch, SeriesEntry?[] Series, string? DedupeKey = null);
