using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Ingest;

/// <summary>The validated points of one request, ready for the writer.</summary>
internal sealed record WriteItem(IngestRequest Request, PointChunk Chunk, int LinesReceived);
