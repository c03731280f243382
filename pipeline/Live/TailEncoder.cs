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
    private readonly List<int> _matched = [];

    /// <summary>
    /// Appends to <paramref name="output"/> the events of the points in <paramref name="index"/>'s
    /// batch that <paramref name="filter"/> selects; returns how many events it wrote (0 when none).
    /// </summary>
    public int Append(ArrayBufferWriter<byte> output, BatchIndex index, SeriesFilter filter)
    {
        index.Select(filter, _matched);
        var events = 0;
        for (var start = 0; start < _matched.Count; start += maxPointsPerEvent)
        {
            var end = Math.Min(start + maxPointsPerEvent, _matched.Count);
            AppendEvent(output, index, start, end, end == _matched.Count ? index.Batch.Sequence : null);
            events++;
        }

        return events;
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

    /// <summary>
    /// One <c>points</c> event. Each point is its series' JSON prefix (metric and tags, encoded once
    /// per batch by <see cref="BatchIndex.JsonPrefix"/>), its timestamp and its value: the same
    /// text <see cref="PointJson.WritePoint"/> writes, at a fraction of the cost per point.
    /// </summary>
    private void AppendEvent(ArrayBufferWriter<byte> output, BatchIndex index, int start, int end, long? id)
    {
        output.Write("event: points\n"u8);
        if (id is { } sequence)
        {
            output.Write("id: "u8);
            WriteFormatted(output, sequence, default);
            output.Write("\n"u8);
        }

        output.Write("data: ["u8);
        var batch = index.Batch;
        for (var m = start; m < end; m++)
        {
            var i = _matched[m];
            if (m > start)
            {
                output.Write(","u8);
            }

            output.Write(index.JsonPrefix(batch.SeriesOfPoint[i]));
            var micros = batch.Timestamps[i];
            WriteFormatted(output, PointJson.ToDateTime(micros), PointJson.TimestampFormat(micros));
            output.Write("\",\"value\":"u8);
            WriteFormatted(output, batch.Values[i], default);
            output.Write("}"u8);
        }

        output.Write("]\n\n"u8);
    }

    private static void WriteFormatted<T>(ArrayBufferWriter<byte> output, T value, ReadOnlySpan<char> format)
        where T : IUtf8SpanFormattable
    {
        var span = output.GetSpan(64);
        if (!value.TryFormat(span, out var written, format, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"{value} did not fit in 64 bytes");
        }

        output.Advance(written);
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
