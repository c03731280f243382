using System.Buffers;
using System.Globalization;
using FunctionsObservability.Functions.Standalone.Security;
using FunctionsObservability.Pipeline.Live;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;
using Microsoft.AspNetCore.Http.Features;

namespace FunctionsObservability.Functions.Http;

/// <summary>
/// <c>GET /api/tail</c>: committed points of one metric as Server-Sent Events. The stream writes
/// only what the subscriber's own queue holds (<see cref="TailSubscription"/>); a write stuck on a
/// client that stopped reading ends when the fan-out drops it.
/// </summary>
internal static class TailEndpoints
{
    /// <summary>How long the <c>dropped</c> frame may take to reach a client that was dropped mid-write.</summary>
    private static readonly TimeSpan DroppedFrameTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Bytes written to the response between flushes.</summary>
    private const int SliceBytes = 16 * 1024;

    public static Task TailAsync(HttpContext context) => QueryEndpoints.RunAsync(context, StreamAsync);

    private static async Task StreamAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var filter = new SeriesFilter(QueryParameters.RequireMetric(query), QueryParameters.Tags(query));
        var lastEventId = LastEventId(context.Request);
        MetricSuggestions.EnsureKnown(context.RequestServices.GetRequiredService<SeriesCatalog>(), filter.Metric);

        var tail = context.RequestServices.GetRequiredService<LiveTail>();
        using var subscription = tail.Subscribe(filter, ClientOf(context), lastEventId, out var refusal);
        if (subscription is null)
        {
            await RefuseAsync(context, refusal, tail.Options).ConfigureAwait(false);
            return;
        }

        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        using var writeEnded = CancellationTokenSource.CreateLinkedTokenSource(ended.Token, subscription.Dropped);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var heartbeat = TimeSpan.FromSeconds(tail.Options.HeartbeatSeconds);
        var body = response.BodyWriter;
        var written = new List<TailDelivery>();
        try
        {
            await body.WriteAsync(TailSubscription.Preamble, writeEnded.Token).ConfigureAwait(false);
            while (await subscription.NextAsync(heartbeat, ended.Token).ConfigureAwait(false) is { } first)
            {
                // All that waits goes out with one flush: a subscriber costs a write per fan-out round, not per batch.
                written.Add(first);
                while (subscription.TryTake(out var more))
                {
                    written.Add(more);
                }

                if (!await WriteAsync(body, written, writeEnded.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (subscription.Dropped.IsCancellationRequested && !ended.IsCancellationRequested)
        {
            // Dropped while a write waited on the client: try to say so, then cut the connection.
            Release(written);
            using var last = new CancellationTokenSource(DroppedFrameTimeout);
            try
            {
                if (await subscription.NextAsync(heartbeat, last.Token).ConfigureAwait(false) is { } dropped)
                {
                    using (dropped)
                    {
                        await body.WriteAsync(dropped.Bytes, last.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The client reads nothing; the abort below tells it.
            }

            context.Abort();
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The client left, or the service is stopping: the stream simply ends.
        }
        finally
        {
            Release(written);
        }
    }

    /// <summary>
    /// Writes the deliveries in slices, flushing (and so waiting for the client) after each, so the
    /// response pipe holds little more than a slice however large a frame is; the deliveries are
    /// let go only once written. False when the client has gone.
    /// </summary>
    private static async Task<bool> WriteAsync(System.IO.Pipelines.PipeWriter body, List<TailDelivery> deliveries, CancellationToken cancellationToken)
    {
        var unflushed = 0;
        foreach (var delivery in deliveries)
        {
            var bytes = delivery.Bytes;
            while (!bytes.IsEmpty)
            {
                var slice = bytes[..Math.Min(bytes.Length, SliceBytes - unflushed)];
                body.Write(slice.Span);
                bytes = bytes[slice.Length..];
                unflushed += slice.Length;
                if (unflushed >= SliceBytes)
                {
                    unflushed = 0;
                    if ((await body.FlushAsync(cancellationToken).ConfigureAwait(false)).IsCompleted)
                    {
                        return false;
                    }
                }
            }
        }

        var result = await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        Release(deliveries);
        return !result.IsCompleted;
    }

    private static void Release(List<TailDelivery> deliveries)
    {
        foreach (var delivery in deliveries)
        {
            delivery.Dispose();
        }

        deliveries.Clear();
    }

    /// <summary>The <c>Last-Event-ID</c> header a reconnecting EventSource sends, or the same as a parameter.</summary>
    private static long? LastEventId(HttpRequest request)
    {
        var text = request.Headers["Last-Event-ID"].ToString();
        var name = "Last-Event-ID";
        if (text.Length == 0)
        {
            text = request.Query["lastEventId"].ToString();
            name = "lastEventId";
        }

        if (text.Length == 0)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new QueryFailedException(QueryFailure.BadParameter, $"{name} \"{text}\" is not an event id of this stream (a non-negative integer)", name);
    }

    /// <summary>The key's name when keys are on (standalone), else the client's address.</summary>
    private static string ClientOf(HttpContext context) =>
        context.Features.Get<CallerFeature>()?.Identity
        ?? context.Connection.RemoteIpAddress?.ToString()
        ?? "unknown";

    private static Task RefuseAsync(HttpContext context, TailRefusal refusal, TailOptions options)
    {
        context.Response.Headers.RetryAfter = "5";
        return refusal == TailRefusal.ClientFull
            ? JsonOutput.ErrorAsync(context.Response, StatusCodes.Status429TooManyRequests,
                $"this client already has {options.MaxSubscribersPerClient} live tail subscriptions (Tail:MaxSubscribersPerClient); close one, or retry later")
            : JsonOutput.ErrorAsync(context.Response, StatusCodes.Status503ServiceUnavailable,
                $"the service already serves {options.MaxSubscribers} live tail subscriptions (Tail:MaxSubscribers); retry later");
    }
}
