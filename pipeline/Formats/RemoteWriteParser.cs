using System.Buffers;
using FunctionsObservability.Pipeline.Formats.Prometheus;
using FunctionsObservability.Pipeline.Model;
using Google.Protobuf;
using Snappier;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary>
/// Prometheus remote_write 1.0: a snappy block (not the framed format) around a protobuf
/// <c>WriteRequest</c>. Each time series is one unit, numbered from 1 in request order (the
/// <see cref="LineError.Line"/> of its errors); its <c>__name__</c> label is the metric, its other
/// labels are tags, and each sample is a point.
/// </summary>
/// <remarks>
/// A stale marker (a NaN with the bits <see cref="StaleMarkerBits"/>) says the series is gone, not
/// that it has a value: it is skipped, not stored and not an error. Any other NaN reaches the
/// validator, which rejects it as it does on every route. A label with an empty value is absent,
/// as Prometheus treats it.
/// </remarks>
public sealed class RemoteWriteParser(int maxDecodedBytes) : IPointParser
{
    public const ulong StaleMarkerBits = 0x7ff0000000000002;

    private const string NameLabel = "__name__";

    public void Parse(ReadOnlySpan<byte> payload, ParseSettings settings, ParsedBatch into)
    {
        ArgumentNullException.ThrowIfNull(into);
        int length;
        try
        {
            length = Snappy.GetUncompressedLength(payload);
        }
        catch (InvalidDataException exception)
        {
            Reject(into, $"the body is not a snappy block (remote_write sends snappy's block format, not its framed one): {exception.Message}");
            return;
        }

        if (length > maxDecodedBytes)
        {
            Reject(into, $"the snappy body expands to {length} bytes, more than the limit of {maxDecodedBytes} bytes");
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            WriteRequest request;
            try
            {
                var written = Snappy.Decompress(payload, buffer);
                request = WriteRequest.Parser.ParseFrom(buffer.AsSpan(0, written));
            }
            catch (InvalidDataException exception)
            {
                Reject(into, $"the body is not a snappy block (remote_write sends snappy's block format, not its framed one): {exception.Message}");
                return;
            }
            catch (InvalidProtocolBufferException exception)
            {
                Reject(into, $"the body is not a protobuf WriteRequest: {exception.Message}");
                return;
            }

            into.LineCount = request.Timeseries.Count;
            for (var i = 0; i < request.Timeseries.Count; i++)
            {
                ReadSeries(request.Timeseries[i], i + 1, into);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void ReadSeries(TimeSeries series, int unit, ParsedBatch into)
    {
        string? metric = null;
        var tags = new List<KeyValuePair<string, string>>(series.Labels.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var label in series.Labels)
        {
            if (!names.Add(label.Name))
            {
                into.AddError(unit, $"time series {unit} has the label \"{label.Name}\" twice");
                return;
            }

            if (label.Name == NameLabel)
            {
                metric = label.Value;
            }
            else if (label.Value.Length > 0)
            {
                tags.Add(new(label.Name, label.Value));
            }
        }

        if (string.IsNullOrEmpty(metric))
        {
            into.AddError(unit, $"time series {unit} has no {NameLabel} label, so it names no metric");
            return;
        }

        var index = -1;
        foreach (var sample in series.Samples)
        {
            if (BitConverter.DoubleToUInt64Bits(sample.Value) == StaleMarkerBits)
            {
                continue;
            }

            if (sample.Timestamp is > long.MaxValue / 1000 or < long.MinValue / 1000)
            {
                into.AddError(unit, $"time series {unit} ({metric}) has the timestamp {sample.Timestamp} ms, outside any date");
                return;
            }

            if (index < 0)
            {
                index = into.AddSeries(SeriesDescriptor.Create(metric, tags));
            }

            into.Add(index, sample.Timestamp * 1000, sample.Value, unit);
        }
    }

    private static void Reject(ParsedBatch into, string message)
    {
        into.LineCount = 1;
        into.AddError(1, message);
    }
}
