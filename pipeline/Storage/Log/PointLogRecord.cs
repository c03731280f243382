using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Storage.Log;

/// <summary>A series first written in a log record: replay registers it before its points.</summary>
internal readonly record struct LoggedSeries(int Id, int MetricId, SeriesDescriptor Descriptor);

/// <summary>A dedupe key committed with a log record, so a redelivery after a crash finds it.</summary>
internal readonly record struct LoggedKey(string Key, int Points, long CommittedAtMicros);

/// <summary>One group commit as read back from the log.</summary>
internal sealed record DecodedRecord(long Sequence, LoggedSeries[] Series, LoggedKey[] Keys, int[] SeriesIds, long[] Timestamps, double[] Values);

/// <summary>
/// The bytes of one group commit in the point log: a 16-byte header (payload length, CRC-32 of
/// the payload, sequence number), then the series the group introduces, its dedupe keys, and its
/// points as three columns. Columns keep encoding a copy of memory, so logging costs little
/// next to the fsync.
/// </summary>
internal static class PointLogRecord
{
    public const int HeaderSize = 16;
    private const byte FormatVersion = 1;

    /// <summary>Writes the record for <paramref name="chunks"/> into <paramref name="buffer"/>.</summary>
    public static void Encode(ArrayBufferWriter<byte> buffer, long sequence, IReadOnlyList<SeriesEntry> newSeries, IReadOnlyList<PointChunk> chunks, long committedAtMicros)
    {
        buffer.ResetWrittenCount();
        buffer.GetSpan(HeaderSize);
        buffer.Advance(HeaderSize);
        var start = buffer.WrittenCount;

        WriteByte(buffer, FormatVersion);
        WriteInt(buffer, newSeries.Count);
        foreach (var series in newSeries)
        {
            WriteInt(buffer, series.Id);
            WriteInt(buffer, series.MetricId);
            WriteString(buffer, series.Descriptor.Metric);
            WriteInt(buffer, series.Descriptor.Tags.Length);
            foreach (var (key, value) in series.Descriptor.Tags)
            {
                WriteString(buffer, key);
                WriteString(buffer, value);
            }
        }

        var keys = 0;
        var rows = 0;
        foreach (var chunk in chunks)
        {
            keys += chunk.DedupeKey is null ? 0 : 1;
            rows += chunk.Batch.Count;
        }

        WriteInt(buffer, keys);
        foreach (var chunk in chunks)
        {
            if (chunk.DedupeKey is { } key)
            {
                WriteString(buffer, key);
                WriteInt(buffer, chunk.Batch.Count);
                WriteLong(buffer, committedAtMicros);
            }
        }

        WriteInt(buffer, rows);
        foreach (var chunk in chunks)
        {
            var indexes = chunk.Batch.SeriesIndexes;
            var span = MemoryMarshal.Cast<byte, int>(buffer.GetSpan(indexes.Length * sizeof(int)));
            for (var i = 0; i < indexes.Length; i++)
            {
                span[i] = chunk.Series[indexes[i]]!.Id;
            }

            buffer.Advance(indexes.Length * sizeof(int));
        }

        foreach (var chunk in chunks)
        {
            WriteRaw(buffer, MemoryMarshal.AsBytes(chunk.Batch.Timestamps));
        }

        foreach (var chunk in chunks)
        {
            WriteRaw(buffer, MemoryMarshal.AsBytes(chunk.Batch.Values));
        }

        var written = buffer.WrittenSpan;
        var payload = written[start..];
        var header = MemoryMarshal.AsMemory(buffer.WrittenMemory).Span[..HeaderSize];
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.HashToUInt32(payload));
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], sequence);
    }

    /// <summary>Reads the header at the start of <paramref name="header"/>; false when it cannot start a record.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out int payloadLength, out uint crc, out long sequence)
    {
        payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header);
        crc = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        sequence = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        return payloadLength > 0 && sequence > 0;
    }

    public static bool Verify(ReadOnlySpan<byte> payload, uint crc) => Crc32.HashToUInt32(payload) == crc;

    /// <summary>Decodes a payload whose checksum matched; throws <see cref="InvalidDataException"/> when it does not parse.</summary>
    public static DecodedRecord Decode(long sequence, ReadOnlySpan<byte> payload)
    {
        var reader = new SpanReader(payload);
        if (reader.Byte() != FormatVersion)
        {
            throw new InvalidDataException("unknown point log record version");
        }

        var series = new LoggedSeries[reader.Count()];
        for (var i = 0; i < series.Length; i++)
        {
            var id = reader.Int();
            var metricId = reader.Int();
            var metric = reader.String();
            var tags = new KeyValuePair<string, string>[reader.Count()];
            for (var t = 0; t < tags.Length; t++)
            {
                tags[t] = new(reader.String(), reader.String());
            }

            series[i] = new LoggedSeries(id, metricId, SeriesDescriptor.Create(metric, tags));
        }

        var keys = new LoggedKey[reader.Count()];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = new LoggedKey(reader.String(), reader.Int(), reader.Long());
        }

        var rows = reader.Count();
        var ids = MemoryMarshal.Cast<byte, int>(reader.Raw(rows * sizeof(int))).ToArray();
        var timestamps = MemoryMarshal.Cast<byte, long>(reader.Raw(rows * sizeof(long))).ToArray();
        var values = MemoryMarshal.Cast<byte, double>(reader.Raw(rows * sizeof(double))).ToArray();
        return new DecodedRecord(sequence, series, keys, ids, timestamps, values);
    }

    private static void WriteByte(ArrayBufferWriter<byte> buffer, byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    private static void WriteInt(ArrayBufferWriter<byte> buffer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    private static void WriteLong(ArrayBufferWriter<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteInt(buffer, length);
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(length));
        buffer.Advance(length);
    }

    private static void WriteRaw(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer.GetSpan(bytes.Length));
        buffer.Advance(bytes.Length);
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public byte Byte() => Raw(1)[0];

        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Raw(4));

        public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Raw(8));

        public int Count()
        {
            var count = Int();
            return count >= 0 && count <= _data.Length ? count : throw new InvalidDataException("a count in a point log record is out of range");
        }

        public string String() => Encoding.UTF8.GetString(Raw(Count()));

        public ReadOnlySpan<byte> Raw(int length)
        {
            if (length < 0 || _position + length > _data.Length)
            {
                throw new InvalidDataException("a point log record ends early");
            }

            var slice = _data.Slice(_position, length);
            _position += length;
            return slice;
        }
    }
}
