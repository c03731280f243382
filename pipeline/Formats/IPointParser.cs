using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary>
/// Turns a request body into points. A parser never throws for bad input: each bad unit becomes an
/// error in the batch (with its line number) and parsing goes on with the next unit.
/// </summary>
public interface IPointParser
{
    void Parse(ReadOnlySpan<byte> payload, ParseSettings settings, ParsedBatch into);
}
