using System.Diagnostics.Metrics;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>Instruments of the archive and retention runs and of the query-side archive cache.</summary>
public sealed class ArchiveMetrics : IDisposable
{
    public const string MeterName = "FunctionsObservability.Archive";

    private readonly Meter _meter;

    public ArchiveMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        FilesArchived = _meter.CreateCounter<long>("fo.archive.files", "{file}", "Parquet files uploaded and committed to the manifest.");
        RowsArchived = _meter.CreateCounter<long>("fo.archive.rows", "{point}", "Points moved from DuckDB to archived files.");
        BytesArchived = _meter.CreateCounter<long>("fo.archive.bytes", "By", "Bytes of Parquet uploaded.");
        PartitionFailures = _meter.CreateCounter<long>("fo.archive.failures", "{partition}", "Partitions a run could not archive; their rows stayed hot.");
        FilesExpired = _meter.CreateCounter<long>("fo.retention.files", "{file}", "Archived files deleted by retention.");
        RowsExpired = _meter.CreateCounter<long>("fo.retention.rows", "{point}", "Points deleted by retention, archived or hot.");
        CacheDownloads = _meter.CreateCounter<long>("fo.archive.cache.downloads", "{file}", "Archived files fetched into the query cache.");
        CacheHits = _meter.CreateCounter<long>("fo.archive.cache.hits", "{file}", "Archived files a query found in the cache.");
    }

    public Counter<long> FilesArchived { get; }

    public Counter<long> RowsArchived { get; }

    public Counter<long> BytesArchived { get; }

    public Counter<long> PartitionFailures { get; }

    public Counter<long> FilesExpired { get; }

    public Counter<long> RowsExpired { get; }

    public Counter<long> CacheDownloads { get; }

    public Counter<long> CacheHits { get; }

    public void Dispose() => _meter.Dispose();
}
