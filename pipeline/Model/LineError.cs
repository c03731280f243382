namespace FunctionsObservability.Pipeline.Model;

/// <summary>
/// Why one input unit was rejected. <see cref="Line"/> is the 1-based line number for line protocol
/// and NDJSON, and the 1-based index of the point for a JSON array.
/// </summary>
public readonly record struct LineError(int Line, string Message);
