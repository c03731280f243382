using System.Buffers;
using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Ingest;

/// <summary>
/// One body on its way through the mesh. It owns its payload buffer until the parse block is done
/// with it, then its parsed points until the writer has committed them.
/// </summary>
public sealed class IngestRequest
{
    private readonly TaskCompletionSource<IngestResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _pooledPayload;
    private byte[]? _payload;

    /// <param name="payload">The body; when <paramref name="pooledPayload"/> is true it was rented from <see cref="ArrayPool{T}.Shared"/> and is returned after parsing.</param>
    public IngestRequest(byte[] payload, int length, bool pooledPayload, PayloadFormat format, ParseSettings settings, bool strict)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)payload.Length, nameof(length));
        _payload = payload;
        Length = length;
        _pooledPayload = pooledPayload;
        Format = format;
        Settings = settings;
        Strict = strict;
    }

    public PayloadFormat Format { get; }

    public ParseSettings Settings { get; }

    public bool Strict { get; }

    /// <summary>
    /// When set, the points are committed at most once under this key within the dedupe window
    /// (a queue message id, an HTTP Idempotency-Key), even if the request is delivered again.
    /// </summary>
    public string? DedupeKey { get; init; }

    public int Length { get; }

    /// <summary>What the payload holds of the ingest memory budget; released with the payload.</summary>
    public IDisposable? MemoryLease { get; init; }

    public Task<IngestResult> Completion => _completion.Task;

    internal ParsedBatch? Batch { get; set; }

    /// <summary>Set when the caller did not wait for the commit (asynchronous acknowledgement).</summary>
    internal bool Detached { get; set; }

    internal bool IsCompleted => _completion.Task.IsCompleted;

    internal ReadOnlySpan<byte> Payload => _payload.AsSpan(0, Length);

    internal void Complete(IngestResult result)
    {
        ReleasePayload();
        Batch?.Dispose();
        Batch = null;
        _completion.TrySetResult(result);
    }

    /// <summary>Returns the payload buffer to the pool and its bytes to the budget; safe to call more than once.</summary>
    public void ReleasePayload()
    {
        var payload = Interlocked.Exchange(ref _payload, null);
        if (payload is null)
        {
            return;
        }

        if (_pooledPayload)
        {
            ArrayPool<byte>.Shared.Return(payload);
        }

        MemoryLease?.Dispose();
    }
}
