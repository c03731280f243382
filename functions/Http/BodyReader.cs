using System.Buffers;
using System.IO.Compression;
using FunctionsObservability.Pipeline.Ingest;
using Microsoft.AspNetCore.Http.Features;

namespace FunctionsObservability.Functions.Http;

/// <summary>A request body read into a pooled buffer, or the reason it was refused.</summary>
internal readonly record struct BodyReadResult(byte[]? Buffer, int Length, int Status, string? Error)
{
    public bool Succeeded => Buffer is not null;
}

/// <summary>
/// Reads an ingest body with both limits enforced while reading: the wire size through Kestrel,
/// and the expanded size of a gzip body by counting as it inflates, so a gzip bomb stops at the
/// cap instead of allocating what it would expand to.
/// </summary>
internal static class BodyReader
{
    private const int InitialBufferBytes = 64 * 1024;

    public static async Task<BodyReadResult> ReadAsync(HttpRequest request, IngestOptions options, CancellationToken cancellationToken)
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
        Stream source;
        int cap;
        string capMessage;
        if (string.IsNullOrEmpty(encoding) || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            source = request.Body;
            cap = options.MaxBodyBytes;
            capMessage = $"the body is larger than the limit of {options.MaxBodyBytes} bytes";
        }
        else if (encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
        {
            source = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
            cap = options.MaxDecompressedBytes;
            capMessage = $"the gzip body expands to more than the limit of {options.MaxDecompressedBytes} bytes";
        }
        else
        {
            return new BodyReadResult(null, 0, StatusCodes.Status415UnsupportedMediaType, $"Content-Encoding \"{encoding}\" is not supported; use gzip or none");
        }

        var initial = (int)Math.Clamp(request.ContentLength ?? InitialBufferBytes, 1024, cap);
        var buffer = ArrayPool<byte>.Shared.Rent(initial);
        var length = 0;
        try
        {
            try
            {
                while (true)
                {
                    var limit = Math.Min(buffer.Length, cap);
                    if (length == limit)
                    {
                        if (length == cap)
                        {
                            // The cap is reached: one more byte means too large, so probe for it
                            // rather than growing the buffer past the cap.
                            var probe = new byte[1];
                            if (await source.ReadAsync(probe, cancellationToken).ConfigureAwait(false) == 0)
                            {
                                break;
                            }

                            ArrayPool<byte>.Shared.Return(buffer);
                            return TooLarge(capMessage);
                        }

                        var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, cap));
                        buffer.AsSpan(0, length).CopyTo(grown);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = grown;
                        continue;
                    }

                    var read = await source.ReadAsync(buffer.AsMemory(length, limit - length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                }
            }
            finally
            {
                if (!ReferenceEquals(source, request.Body))
                {
                    await source.DisposeAsync().ConfigureAwait(false);
                }
            }

            return new BodyReadResult(buffer, length, StatusCodes.Status200OK, null);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return TooLarge($"the body is larger than the limit of {options.MaxBodyBytes} bytes");
        }
        catch (InvalidDataException exception)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return new BodyReadResult(null, 0, StatusCodes.Status400BadRequest, $"the gzip body is corrupt: {exception.Message}");
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static BodyReadResult TooLarge(string message) => new(null, 0, StatusCodes.Status413PayloadTooLarge, message);
}
