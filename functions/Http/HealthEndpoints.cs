using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Functions.Http;

/// <summary>Liveness at <c>/api/health</c>; readiness, with the writer and buffer state, at <c>/api/health/ready</c>.</summary>
internal static class HealthEndpoints
{
    private static long DuckDbMemoryBytes(MetricsDatabase database)
    {
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT CAST(coalesce(sum(memory_usage_bytes), 0) AS BIGINT) FROM duckdb_memory()";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static void MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/health", context => JsonOutput.WriteAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status", "alive");
            writer.WriteEndObject();
        }));

        routes.MapGet("/api/health/ready", context =>
        {
            var pipeline = context.RequestServices.GetRequiredService<IngestPipeline>();
            var writer = context.RequestServices.GetRequiredService<PointWriter>();
            var ready = pipeline.IsAcceptingWrites && pipeline.IsWriterRunning;
            var duckdbMemory = DuckDbMemoryBytes(context.RequestServices.GetRequiredService<MetricsDatabase>());
            return JsonOutput.WriteAsync(context.Response, json =>
            {
                json.WriteStartObject();
                json.WriteString("status", ready ? "ready" : "not ready");
                json.WriteString("writer", pipeline.IsWriterRunning ? (pipeline.IsAcceptingWrites ? "running" : "draining") : "stopped");
                json.WriteNumber("bufferDepth", pipeline.BufferDepth);
                json.WriteNumber("unclusteredRows", writer.RecentRows);
                json.WriteNumber("series", context.RequestServices.GetRequiredService<SeriesCatalog>().Count);
                var gc = GC.GetGCMemoryInfo();
                json.WriteNumber("managedHeapBytes", gc.HeapSizeBytes);
                json.WriteNumber("managedCommittedBytes", gc.TotalCommittedBytes);
                json.WriteNumber("processWorkingSetBytes", Environment.WorkingSet);
                json.WriteNumber("duckdbMemoryBytes", duckdbMemory);
                if (context.RequestServices.GetService<Queues.QueueListenerEnabled>() is not null)
                {
                    var queue = context.RequestServices.GetRequiredService<Queues.QueueListenerStatus>();
                    json.WriteString("queueListener", queue.Reachable ? "listening" : "storage unreachable");
                    json.WriteNumber("queueStorageFailures", queue.Failures);
                }

                var archive = context.RequestServices.GetRequiredService<Pipeline.Archive.ArchiveManifest>();
                var cache = context.RequestServices.GetRequiredService<Pipeline.Archive.ArchiveCache>();
                json.WriteBoolean("archiveEnabled", context.RequestServices.GetRequiredService<Pipeline.Archive.ArchivingOptions>().Enabled);
                json.WriteNumber("archivedFiles", archive.FileCount);
                json.WriteNumber("archiveCacheBytes", cache.CachedBytes);
                json.WriteEndObject();
            }, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
    }
}
