using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>
/// What the worker said: its stdout and stderr, the logs it sent over gRPC, and the fake host's own
/// notes, in arrival order. Failure messages carry the tail of it.
/// </summary>
public sealed class WorkerLog
{
    private const int MaxLines = 5_000;
    private const int TailLines = 250;

    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Add(string source, string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds,7:F2}s {source,-4}| {line}"));
        while (_lines.Count > MaxLines && _lines.TryDequeue(out _))
        {
        }
    }

    public bool Contains(string text) => _lines.Any(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>The last lines, for a failure message.</summary>
    public override string ToString()
    {
        var lines = _lines.ToArray();
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"--- worker log (last {Math.Min(lines.Length, TailLines)} of {lines.Length} lines) ---\n");
        foreach (var line in lines.Skip(Math.Max(0, lines.Length - TailLines)))
        {
            builder.Append(line).Append('\n');
        }

        return builder.Append("--- end of worker log ---").ToString();
    }
}
