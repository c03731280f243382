using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using FunctionsObservability.Pipeline.Ingest;
using Microsoft.AspNetCore.Http.Features;

namespace FunctionsObservability.Functions.Http;

/// <summary>A request body read into a buffer, or the reason it was refused.</summary>
internal readonly record struct BodyReadResult(byte[]? Buffer, int Length, bool Pooled, int Status, string? Error)
{
    public bool Succeeded => Buffer is not null;
}

/// <summary>
/// Reads an ingest body with every limit enforced while reading: the wire size through Kestrel, the
/// expanded size of a gzip body by counting as it inflates (a gzip bomb stops at the cap instead of
/// allocating what it would expand to), the memory budget shared by all requests (the buffer grows
/// only as bytes arrive, and each growth is charged first), and a deadline for the whole body, so a
/// client that trickles bytes holds neither memory nor time it was not given.
/// </summary>
internal static class BodyReader
{
    /// <summary>What a body starts with; a slow sender never gets more until its bytes arrive.</summary>
    private const int InitialBufferBytes = 64 * 1024;

    /// <summary>Buffers up to this size come from the shared pool; larger ones are left to the GC, so the pool never keeps them alive.</summary>
    private const int MaxPooledBytes = 1024 * 1024;

    /// <param name="snappyIsFormat">
    /// Prometheus remote_write: <c>Content-Encoding: snappy</c> names the format's own framing,
    /// which its parser decodes under the same expansion limit, so the body is taken as it is.
    /// </param>
    public static async Task<BodyReadResult> ReadAsync(HttpRequest request, IngestOptions options, IngestMemoryLease lease, CancellationToken aborted, bool snappyIsFormat = false)
    {
        if (request.ContentLength > options.MaxBodyBytes)
        {
            return TooLarge($"the body is {request.ContentLength} bytes, more than the limit of {options.MaxBodyBytes} bytes");
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = options.MaxBodyBytes;
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (snappyIsFormat && encoding.Equals("snappy", StringComparison.OrdinalIgnoreCase))
        {
            encoding = string.Empty;
        }

        if (!gzip && !string.IsNullOrEmpty(encoding) && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return Refused(StatusCodes.Status415UnsupportedMediaType, $"Content-Encoding \"{encoding}\" is not supported; use gzip or none");
        }

        try
        {
            if (!gzip && TryTakeWhole(request, lease, options, out var whole))
            {
                return whole;
            }
        }
        catch (Exception exception) when (Refusal(exception, options, aborted) is { } refusal)
        {
            return refusal;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(TimeSpan.FromSeconds(options.BodyTimeoutSeconds));
        using var wire = new GrowingBuffer();
        using var expanded = new GrowingBuffer();
        try
        {
            var refused = await FillAsync(wire, request.Body, request.ContentLength, eager: false, options.MaxBodyBytes, lease, options, deadline.Token).ConfigureAwait(false);
            if (refused is null && gzip)
            {
                refused = await ExpandAsync(wire, expanded, lease, options).ConfigureAwait(false);

                // The compressed bytes are done with: give them back now, not when the request ends.
                lease.Release(wire.Capacity);
                wire.Dispose();
            }

            return refused ?? (gzip ? expanded : wire).Detach();
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            return Refused(StatusCodes.Status408RequestTimeout, $"the body did not arrive within {options.BodyTimeoutSeconds} s (Ingest:BodyTimeoutSeconds); send it faster or in smaller requests");
        }
        catch (Exception exception) when (Refusal(exception, options, aborted) is { } refusal)
        {
            return refusal;
        }
    }

    /// <summary>
    /// A small body has usually arrived with its headers. Taken as it lies in Kestrel's buffer it needs
    /// one copy and no deadline, whose timer and linked token cost more than the copy; a body that is
    /// not all there yet goes the long way.
    /// </summary>
    private static bool TryTakeWhole(HttpRequest request, IngestMemoryLease lease, IngestOptions options, out BodyReadResult result)
    {
        result = default;
        var reader = request.BodyReader;
        if (request.ContentLength is not (> 0 and <= InitialBufferBytes) || !reader.TryRead(out var read))
        {
            return false;
        }

        var body = read.Buffer;
        if (!read.IsCompleted || body.Length != request.ContentLength)
        {
            reader.AdvanceTo(body.Start);
            return false;
        }

        var length = (int)body.Length;
        var verdict = lease.TryGrowTo(length);
        if (verdict != BudgetVerdict.Granted)
        {
            reader.AdvanceTo(body.End);
            result = OverBudget(verdict, options);
            return true;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(length);
        body.CopyTo(buffer);
        reader.AdvanceTo(body.End);
        result = new BodyReadResult(buffer, length, Pooled: true, StatusCodes.Status200OK, null);
        return true;
    }

    /// <summary>What a failure to read the body answers; null for failures that are not the client's (they propagate).</summary>
    private static BodyReadResult? Refusal(Exception exception, IngestOptions options, CancellationToken aborted) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge($"the body is larger than the limit of {options.MaxBodyBytes} bytes"),
        BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } => Refused(StatusCodes.Status408RequestTimeout, "the body arrived slower than the server's minimum data rate, or stopped arriving"),
        BadHttpRequestException bad => Refused(StatusCodes.Status400BadRequest, $"the body could not be read: {bad.Message}"),
        InvalidDataException corrupt => Refused(StatusCodes.Status400BadRequest, $"the gzip body is corrupt: {corrupt.Message}"),

        // Kestrel's framing errors (a chunk size that overflows, say) arrive as IOException.
        IOException io when !aborted.IsCancellationRequested => Refused(StatusCodes.Status400BadRequest, $"the body could not be read: {io.Message}"),
        _ => null,
    };

    /// <summary>
    /// Reads <paramref name="source"/> to its end into <paramref name="buffer"/>, growing it only
    /// as bytes arrive and charging each growth to the lease first.
    /// </summary>
    /// <returns>Null when the whole source was read; else the refusal.</returns>
    private static async Task<BodyReadResult?> FillAsync(GrowingBuffer buffer, Stream source, long? expected, bool eager, int cap, IngestMemoryLease lease, IngestOptions options, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (buffer.Free == 0)
            {
                if (buffer.Length == cap)
                {
                    // At the cap: one more byte means too large, so probe for it rather than growing past it.
                    return await source.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) == 0
                        ? null
                        : TooLarge(cap == options.MaxDecompressedBytes && source is GZipStream
                            ? $"the gzip body expands to more than the limit of {options.MaxDecompressedBytes} bytes"
                            : $"the body is larger than the limit of {options.MaxBodyBytes} bytes");
                }

                var next = NextSize(buffer.Capacity, expected, eager, cap);
                var verdict = lease.TryGrowTo(lease.Bytes + next - buffer.Capacity);
                if (verdict != BudgetVerdict.Granted)
                {
                    return OverBudget(verdict, options);
                }

                buffer.Grow(next);
            }

            var read = await source.ReadAsync(buffer.FreeMemory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            buffer.Advance(read);
        }
    }

    /// <summary>
    /// Inflates a gzip body that has fully arrived. Its trailer states the expanded size (modulo
    /// 4 GiB), so an honest body is inflated into one buffer of the right size, and a bomb that
    /// states its size is refused before any of it is inflated; a trailer that lies only costs the
    /// liar the usual doubling, within its share of the budget and the cap.
    /// </summary>
    private static async Task<BodyReadResult?> ExpandAsync(GrowingBuffer compressed, GrowingBuffer expanded, IngestMemoryLease lease, IngestOptions options)
    {
        long? stated = compressed.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(compressed.Written[^4..]) : null;
        if (stated > options.MaxDecompressedBytes)
        {
            return TooLarge($"the gzip body states it expands to {stated} bytes, more than the limit of {options.MaxDecompressedBytes} bytes");
        }

        using var gzip = new GZipStream(compressed.AsStream(), CompressionMode.Decompress);
        return await FillAsync(expanded, gzip, stated is > 0 ? stated : null, eager: true, options.MaxDecompressedBytes, lease, options, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Double, or jump straight to the declared length once the first buffer has filled: a client
    /// that has sent 64 KiB is sending, and one copy is cheaper than a chain of doublings.
    /// </summary>
    private static int NextSize(int capacity, long? expected, bool eager, int cap)
    {
        if (capacity == 0)
        {
            // A sender's bytes may trickle: start small. Bytes already in memory: take the size they state.
            return (int)Math.Min(expected is > 0 && (eager || expected < InitialBufferBytes) ? expected.Value : InitialBufferBytes, cap);
        }

        var doubled = (long)capacity * 2;
        return (int)Math.Min(expected is { } length && length > doubled ? length : doubled, cap);
    }

    private static BodyReadResult OverBudget(BudgetVerdict verdict, IngestOptions options) => verdict == BudgetVerdict.ClientShareSpent
        ? Refused(StatusCodes.Status429TooManyRequests, $"this client's requests hold its share of the ingest memory budget ({options.ClientMemoryBudgetBytes} bytes of bodies in flight); retry when earlier requests have finished")
        : Refused(StatusCodes.Status503ServiceUnavailable, $"the service holds its whole ingest memory budget ({options.MemoryBudgetBytes} bytes of bodies in flight); retry later");

    private static BodyReadResult TooLarge(string message) => Refused(StatusCodes.Status413PayloadTooLarge, message);

    private static BodyReadResult Refused(int status, string message) => new(null, 0, false, status, message);

    /// <summary>The body's bytes so far; pooled while small, plain arrays when large.</summary>
    private sealed class GrowingBuffer : IDisposable
    {
        private byte[]? _array;
        private bool _pooled;

        public int Length { get; private set; }

        /// <summary>What the budget was charged for; a pooled array may be longer, and the rest stays unused.</summary>
        public int Capacity { get; private set; }

        public int Free => Capacity - Length;

        public Memory<byte> FreeMemory => _array.AsMemory(Length, Free);

        public ReadOnlySpan<byte> Written => _array.AsSpan(0, Length);

        public Stream AsStream() => new MemoryStream(_array ?? [], 0, Length, writable: false);

        public void Grow(int size)
        {
            var pooled = size <= MaxPooledBytes;
            var grown = pooled ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
            _array?.AsSpan(0, Length).CopyTo(grown);
            Return();
            _array = grown;
            _pooled = pooled;
            Capacity = size;
        }

        public void Advance(int count) => Length += count;

        public BodyReadResult Detach()
        {
            var result = new BodyReadResult(_array ?? [], Length, _pooled, StatusCodes.Status200OK, null);
            _array = null;
            return result;
        }

        public void Dispose() => Return();

        private void Return()
        {
            if (_array is not null && _pooled)
            {
                ArrayPool<byte>.Shared.Return(_array);
            }

            _array = null;
        }
    }
}
