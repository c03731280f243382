using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary>Per-request inputs to a parser.</summary>
/// <param name="Precision">Unit of line-protocol timestamps.</param>
/// <param name="DefaultTimestampMicros">Server time, used for line-protocol lines without a timestamp.</param>
/// <param name="MaxLineBytes">Longest accepted line (line protocol and NDJSON), in bytes, excluding the newline.</param>
public readonly record struct ParseSettings(TimestampPrecision Precision, long DefaultTimestampMicros, int MaxLineBytes);
