using System.Buffers;
using System.Globalization;
using System.Text.Json;
using FunctionsObservability.Pipeline.Archive;

namespace FunctionsObservability.Functions.Http;

/// <summary>
/// <c>POST</c> runs an archive now; <c>GET</c> shows the manifest by partition (routes in
/// <see cref="Routes.ArchiveAdmin"/>). Both need the admin key.
/// </summary>
internal static class AdminArchiveEndpoints
{
    private const int DefaultPartitions = 1000;
    private const int MaxPartitions = 10_000;

    /// <summary>Most runs one <c>untilDone=true</c> request makes (each within the usual per-run limits).</summary>
    private const int MaxRunsUntilDone = 1000;

    private const string NdJson = "application/x-ndjson";

    public static Task HandleAsync(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method) ? RunAsync(context) : ShowAsync(context);

    private static async Task RunAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var untilDone = false;
        if (query["untilDone"].ToString() is { Length: > 0 } until && !bool.TryParse(until, out untilDone))
        {
            await JsonOutput.ErrorAsync(context.Response, StatusCodes.Status400BadRequest, "untilDone must be true or false", "untilDone").ConfigureAwait(false);
            return;
        }

        var runner = context.RequestServices.GetRequiredService<ArchiveRunner>();
        var aborted = context.RequestAborted;
        if (context.Request.Headers.Accept.ToString().Contains(NdJson, StringComparison.OrdinalIgnoreCase))
        {
            await StreamAsync(context, runner, untilDone, aborted).ConfigureAwait(false);
            return;
        }

        var (result, runs) = untilDone
            ? await runner.RunUntilDoneAsync(MaxRunsUntilDone, null, aborted).ConfigureAwait(false)
            : new ArchiveBacklogResult(await runner.RunAsync(aborted).ConfigureAwait(false), 1);
        var status = StatusOf(result);
        if (status != StatusCodes.Status200OK)
        {
            context.Response.Headers.RetryAfter = "60";
        }

        await JsonOutput.WriteAsync(context.Response, json => WriteSummary(json, result, untilDone ? runs : null, eventName: null), status).ConfigureAwait(false);
    }

    /// <summary>
    /// One NDJSON line per partition as it is committed (or fails), flushed at once, then the
    /// summary line. Nothing is written before the run holds the lock, so a 409 is still a 409;
    /// once lines went out the status is 200 and the summary line's event tells how it ended.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, ArchiveRunner runner, bool untilDone, CancellationToken aborted)
    {
        var progress = new NdJsonProgress(context.Response, untilDone);
        try
        {
            var (result, runs) = untilDone
                ? await runner.RunUntilDoneAsync(MaxRunsUntilDone, progress, aborted).ConfigureAwait(false)
                : new ArchiveBacklogResult(await runner.RunAsync(progress, aborted).ConfigureAwait(false), 1);
            if (!progress.Started)
            {
                context.Response.StatusCode = StatusOf(result);
                if (context.Response.StatusCode != StatusCodes.Status200OK)
                {
                    context.Response.Headers.RetryAfter = "60";
                }
            }

            await progress.WriteLineAsync(json => WriteSummary(json, result, untilDone ? runs : null, eventName: StatusText(result)), aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client left: the run stopped between partitions, and what it committed stays committed.
        }
    }

    private static int StatusOf(ArchiveRunResult result) =>
        result.Skipped ? StatusCodes.Status409Conflict
            : result.Error is not null || result.PartitionsFailed > 0 ? StatusCodes.Status503ServiceUnavailable
            : StatusCodes.Status200OK;

    private static string StatusText(ArchiveRunResult result) => result.Skipped ? "skipped" : result.Succeeded ? "completed" : "failed";

    /// <param name="eventName">The NDJSON line's event (a run's own line is "run"); null for the plain JSON answer.</param>
    /// <param name="run">Which run of an untilDone request this line sums up.</param>
    private static void WriteSummary(Utf8JsonWriter json, ArchiveRunResult result, int? runs, string? eventName, int? run = null)
    {
        json.WriteStartObject();
        if (eventName is not null)
        {
            json.WriteString("event", eventName);
        }

        if (run is { } number)
        {
            json.WriteNumber("run", number);
        }

        json.WriteString("status", StatusText(result));
        json.WriteString("summary", result.Describe());
        json.WriteNumber("filesArchived", result.FilesArchived);
        json.WriteNumber("rowsArchived", result.RowsArchived);
        json.WriteNumber("bytesArchived", result.BytesArchived);
        json.WriteNumber("partitionsFailed", result.PartitionsFailed);
        json.WriteNumber("partitionsDeferred", result.PartitionsDeferred);
        json.WriteBoolean("morePending", result.MorePending);
        json.WriteNumber("elapsedMs", Math.Round(result.Elapsed.TotalMilliseconds, 1));
        if (result.Error is not null)
        {
            json.WriteString("error", result.Error);
        }

        if (runs is { } count)
        {
            json.WriteNumber("runs", count);
        }

        json.WriteEndObject();
    }

    /// <summary>Writes the run's progress as NDJSON lines, each flushed to the client as it is written.</summary>
    private sealed class NdJsonProgress(HttpResponse response, bool untilDone) : IArchiveProgress
    {
        public bool Started { get; private set; }

        public ValueTask PartitionAsync(ArchivePartitionProgress partition, CancellationToken cancellationToken) =>
            WriteLineAsync(json =>
            {
                json.WriteStartObject();
                json.WriteString("event", partition.Outcome switch
                {
                    ArchivePartitionOutcome.Archived => "partition",
                    ArchivePartitionOutcome.Deferred => "partitionDeferred",
                    _ => "partitionFailed",
                });
                json.WriteNumber("run", partition.Run);
                json.WriteString("metric", partition.Metric);
                json.WriteString("hour", JsonOutput.FormatTimestamp(partition.HourStartMicros));
                json.WriteNumber("rows", partition.Rows);
                json.WriteNumber("bytes", partition.Bytes);
                if (partition.Path is not null)
                {
                    json.WriteString("path", partition.Path);
                }

                if (partition.Error is not null)
                {
                    json.WriteString("error", partition.Error);
                }

                json.WriteNumber("done", partition.Done);
                json.WriteNumber("total", partition.Total);
                json.WriteEndObject();
            }, cancellationToken);

        /// <summary>Under <c>untilDone</c>, each run's own summary (<c>"event":"run"</c>) before the next run starts.</summary>
        public ValueTask RunFinishedAsync(int run, ArchiveRunResult result, CancellationToken cancellationToken) =>
            !untilDone ? ValueTask.CompletedTask : WriteLineAsync(json => WriteSummary(json, result, runs: null, eventName: "run", run), cancellationToken);

        public async ValueTask WriteLineAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
        {
            if (!Started)
            {
                Started = true;
                response.ContentType = NdJson;
            }

            var body = response.BodyWriter;
            var writer = new Utf8JsonWriter(body, JsonOutput.WriterOptions);
            await using (writer.ConfigureAwait(false))
            {
                write(writer);
            }

            body.Write("\n"u8);
            await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task ShowAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var metric = query["metric"].ToString();
        var limit = DefaultPartitions;
        if (query["limit"].ToString() is { Length: > 0 } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPartitions))
        {
            return JsonOutput.ErrorAsync(context.Response, StatusCodes.Status400BadRequest, $"limit must be a whole number from 1 to {MaxPartitions}", "limit");
        }

        var services = context.RequestServices;
        var files = services.GetRequiredService<ArchiveManifest>().All();
        var runner = services.GetRequiredService<ArchiveRunner>();
        var options = services.GetRequiredService<ArchivingOptions>();
        var cache = services.GetRequiredService<ArchiveCache>();
        var partitions = files
            .Where(f => metric.Length == 0 || string.Equals(f.Metric, metric, StringComparison.Ordinal))
            .GroupBy(f => (f.Metric, f.HourStartMicros))
            .OrderBy(g => g.Key.Metric, StringComparer.Ordinal).ThenBy(g => g.Key.HourStartMicros)
            .ToList();
        return JsonOutput.WriteAsync(context.Response, json =>
        {
            json.WriteStartObject();
            json.WriteBoolean("enabled", options.Enabled);
            json.WriteString("hotWindowStart", JsonOutput.FormatTimestamp(runner.HotWindowStart()));
            json.WriteNumber("retentionDays", options.RetentionDays);
            json.WriteNumber("files", files.Count);
            json.WriteNumber("rows", files.Sum(f => f.Rows));
            json.WriteNumber("bytes", files.Sum(f => f.Bytes));
            json.WriteNumber("partitions", partitions.Count);
            json.WriteStartObject("cache");
            json.WriteNumber("bytes", cache.CachedBytes);
            json.WriteNumber("capacityBytes", cache.CapacityBytes);
            json.WriteEndObject();
            json.WriteStartArray("partitionList");
            foreach (var partition in partitions.Take(limit))
            {
                json.WriteStartObject();
                json.WriteString("metric", partition.Key.Metric);
                json.WriteString("hour", JsonOutput.FormatTimestamp(partition.Key.HourStartMicros));
                json.WriteNumber("rows", partition.Sum(f => f.Rows));
                json.WriteNumber("bytes", partition.Sum(f => f.Bytes));
                json.WriteStartArray("files");
                foreach (var file in partition.OrderBy(f => f.Sequence))
                {
                    json.WriteStartObject();
                    json.WriteString("path", file.Path);
                    json.WriteNumber("rows", file.Rows);
                    json.WriteNumber("bytes", file.Bytes);
                    json.WriteString("minTimestamp", JsonOutput.FormatTimestamp(file.MinTimestampMicros));
                    json.WriteString("maxTimestamp", JsonOutput.FormatTimestamp(file.MaxTimestampMicros));
                    json.WriteString("archivedAt", JsonOutput.FormatTimestamp(file.ArchivedAtMicros));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteBoolean("truncated", partitions.Count > limit);
            json.WriteEndObject();
        });
    }
}
