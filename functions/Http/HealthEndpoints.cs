using FunctionsObservability.Pipeline.Archive;
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

    public static Task AliveAsync(HttpContext context) => JsonOutput.WriteAsync(context.Response, writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("status", "alive");
        writer.WriteEndObject();
    });

    public static Task ReadyAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var pipeline = services.GetRequiredService<IngestPipeline>();
        var writer = services.GetRequiredService<PointWriter>();
        var fullSince = writer.FullSince;
        var damage = services.GetRequiredService<StoreDamage>();
        var damaged = damage.Reason;
        var ready = pipeline.IsAcceptingWrites && pipeline.IsWriterRunning && fullSince is null && damaged is null;
        var duckdbMemory = DuckDbMemoryBytes(services.GetRequiredService<MetricsDatabase>());
        return JsonOutput.WriteAsync(context.Response, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", ready ? "ready" : "not ready");
            json.WriteString("writer", pipeline.IsWriterRunning ? (pipeline.IsAcceptingWrites ? "running" : "draining") : "stopped");
            json.WriteNumber("bufferDepth", pipeline.BufferDepth);
            json.WriteString("storage", damaged is not null ? "damaged" : fullSince is null ? "writable" : "full");
            if (damaged is not null)
            {
                json.WriteString("storageDamage", damaged);
            }

            if (fullSince is { } since)
            {
                json.WriteString("storageFullSince", since);
            }

            var budget = services.GetRequiredService<IngestMemoryBudget>();
            json.WriteNumber("ingestMemoryBytes", budget.ReservedBytes);
            json.WriteNumber("ingestMemoryBudgetBytes", budget.TotalBytes);
            json.WriteNumber("unclusteredRows", writer.RecentRows);
            json.WriteNumber("series", services.GetRequiredService<SeriesCatalog>().Count);
            var gc = GC.GetGCMemoryInfo();
            json.WriteNumber("managedHeapBytes", gc.HeapSizeBytes);
            json.WriteNumber("managedCommittedBytes", gc.TotalCommittedBytes);
            json.WriteNumber("processWorkingSetBytes", Environment.WorkingSet);
            json.WriteNumber("duckdbMemoryBytes", duckdbMemory);

            // Registered only where the app listens to the queue itself (standalone with a storage connection).
            if (services.GetService<Standalone.Queues.QueueListenerStatus>() is { } queue)
            {
                json.WriteString("queueListener", queue.Reachable ? "listening" : "storage unreachable");
                json.WriteNumber("queueStorageFailures", queue.Failures);
            }

            json.WriteBoolean("archiveEnabled", services.GetRequiredService<ArchivingOptions>().Enabled);
            json.WriteNumber("archivedFiles", services.GetRequiredService<ArchiveManifest>().FileCount);
            json.WriteNumber("archiveCacheBytes", services.GetRequiredService<ArchiveCache>().CachedBytes);
            json.WriteEndObject();
        }, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
