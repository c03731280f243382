using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Ingest;

/// <summary>What happened to one ingest request.</summary>
public sealed record IngestResult(
    IngestOutcome Outcome,
    int LinesReceived,
    int PointsWritten,
    int ErrorCount,
    IReadOnlyList<LineError> Errors,
    string? Message = null)
{
    public static IngestResult Refused(IngestOutcome outcome, string message) => new(outcome, 0, 0, 0, [], message);
}
