using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// The keyset position after the last point of a page: its timestamp and series, and how many
/// points with exactly that timestamp and series were already returned (a series may hold more
/// than one value at the same instant). Opaque to clients: URL-safe Base64 of 16 bytes.
/// </summary>
public readonly record struct PageCursor(long TimestampMicros, int SeriesId, int Seen)
{
    private const byte Version = 1;

    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[17];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(bytes[1..], TimestampMicros);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[9..], SeriesId);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[13..], Seen);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string? text, out PageCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 32)
        {
            return false;
        }

        // The OperationStatus overload answers InvalidData where TryDecodeFromChars throws FormatException
        // (a character outside the alphabet, misplaced padding, or unused bits that are not zero).
        Span<byte> bytes = stackalloc byte[24];
        if (Base64Url.DecodeFromChars(text, bytes, out var consumed, out var written) != OperationStatus.Done
            || consumed != text.Length || written != 17 || bytes[0] != Version)
        {
            return false;
        }

        var seen = BinaryPrimitives.ReadInt32LittleEndian(bytes[13..]);
        if (seen <= 0)
        {
            return false;
        }

        cursor = new PageCursor(BinaryPrimitives.ReadInt64LittleEndian(bytes[1..]), BinaryPrimitives.ReadInt32LittleEndian(bytes[9..]), seen);
        return true;
    }
}
