using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Pipeline.Query;

namespace FunctionsObservability.Pipeline.Live;

/// <summary>
/// Writes the tail's Server-Sent Events frames. A batch's points go out as <c>event: points</c>
/// frames of at most <see cref="TailOptions.MaxPointsPerEvent"/> points; only the last frame of a
/// batch carries the <c>id</c>, so a client that resumes from it has every part, and one cut off
/// between parts resumes from the batch before and gets the whole batch again.
/// </summary>
internal sealed class TailEncoder(int maxPointsPerEvent)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly List<int> _matched = [];

    /// <summary>The frames of the points in <paramref name="batch"/> that <paramref name="filter"/> selects; empty when none.</summary>
    public List<byte[]> Encode(CommittedPoints batch, SeriesFilter filter)
    {
        var frames = new List<byte[]>();
        var selected = SelectSeries(batch, filter);
        if (selected is null)
        {
            return frames;
        }

        _matched.Clear();
        var seriesOfPoint = batch.SeriesOfPoint;
        for (var i = 0; i < seriesOfPoint.Length; i++)
        {
            if (selected[seriesOfPoint[i]])
            {
                _matched.Add(i);
            }
        }

        for (var start = 0; start < _matched.Count; start += maxPointsPerEvent)
        {
            var end = Math.Min(start + maxPointsPerEvent, _matched.Count);
            frames.Add(PointsFrame(batch, start, end, end == _matched.Count ? batch.Sequence : null));
        }

        return frames;
    }

    public static byte[] Reset(string message) => MessageFrame("reset", message);

    public static byte[] Dropped(string message) => MessageFrame("dropped", message);

    /// <summary>
    /// A comment, plus the id of the last batch the subscriber has been sent everything of: an
    /// id-only event moves the client's Last-Event-ID without dispatching an event (the SSE
    /// parsing rules), so a client that was idle for long resumes from where it really is.
    /// </summary>
    public static byte[] Heartbeat(long? deliveredThrough) => Encoding.UTF8.GetBytes(deliveredThrough is { } id
        ? string.Create(CultureInfo.InvariantCulture, $": heartbeat\nid: {id}\n\n")
        : ": heartbeat\n\n");

    /// <summary>Tells the client how long to wait before it reconnects; sent first on every stream.</summary>
    public static readonly byte[] Preamble = Encoding.UTF8.GetBytes("retry: 2000\n\n");

    private static bool[]? SelectSeries(CommittedPoints batch, SeriesFilter filter)
    {
        bool[]? selected = null;
        for (var s = 0; s < batch.Series.Length; s++)
        {
            if (batch.Series[s] is { } entry
                && string.Equals(entry.Descriptor.Metric, filter.Metric, StringComparison.Ordinal)
                && (filter.Tags.Count == 0 || SeriesSelection.Matches(entry, filter.Tags)))
            {
                selected ??= new bool[batch.Series.Length];
                selected[s] = true;
            }
        }

        return selected;
    }

    private byte[] PointsFrame(CommittedPoints batch, int start, int end, long? id)
    {
        _buffer.ResetWrittenCount();
        _buffer.Write("event: points\n"u8);
        if (id is { } sequence)
        {
            WriteAscii(string.Create(CultureInfo.InvariantCulture, $"id: {sequence}\n"));
        }

        _buffer.Write("data: "u8);
        using (var writer = new Utf8JsonWriter(_buffer, PointJson.WriterOptions))
        {
            writer.WriteStartArray();
            for (var m = start; m < end; m++)
            {
                var i = _matched[m];
                PointJson.WritePoint(writer, batch.Series[batch.SeriesOfPoint[i]]!.Descriptor, batch.Timestamps[i], batch.Values[i]);
            }

            writer.WriteEndArray();
        }

        _buffer.Write("\n\n"u8);
        return _buffer.WrittenSpan.ToArray();
    }

    private void WriteAscii(string text)
    {
        var span = _buffer.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        _buffer.Advance(written);
    }

    private static byte[] MessageFrame(string name, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(Encoding.UTF8.GetBytes($"event: {name}\ndata: "));
        using (var writer = new Utf8JsonWriter(buffer, PointJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}
