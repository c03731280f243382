using System.Globalization;
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

    public static Task HandleAsync(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method) ? RunAsync(context) : ShowAsync(context);

    private static async Task RunAsync(HttpContext context)
    {
        var result = await context.RequestServices.GetRequiredService<ArchiveRunner>().RunAsync(context.RequestAborted).ConfigureAwait(false);
        var status = result.Skipped ? StatusCodes.Status409Conflict
            : result.Error is not null || result.PartitionsFailed > 0 ? StatusCodes.Status503ServiceUnavailable
            : StatusCodes.Status200OK;
        if (status != StatusCodes.Status200OK)
        {
            context.Response.Headers.RetryAfter = "60";
        }

        await JsonOutput.WriteAsync(context.Response, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", result.Skipped ? "skipped" : result.Succeeded ? "completed" : "failed");
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

            json.WriteEndObject();
        }, status).ConfigureAwait(false);
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
