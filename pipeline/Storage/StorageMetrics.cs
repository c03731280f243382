using System.Diagnostics.Metrics;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// The store's size, read when a reader collects: the DuckDB file and its WAL on disk, the series
/// the catalog holds, their points, and the rows waiting in the head. Nothing is counted on the
/// write path; every figure is read from what the store already keeps.
/// </summary>
public sealed class StorageMetrics : IDisposable
{
    public const string MeterName = "FunctionsObservability.Storage";

    private readonly Meter _meter;

    public StorageMetrics(SeriesCatalog catalog, PointWriter writer, StorageOptions options, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(options);
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        var database = options.DatabasePath;
        _meter.CreateObservableGauge("fo.storage.file.size", () => FileSizes(database), "By",
            "Bytes on disk of the DuckDB file (file=database) and of its write-ahead log (file=wal).");
        _meter.CreateObservableGauge("fo.storage.series", () => catalog.Count, "{series}", "Series in the catalog.");
        _meter.CreateObservableGauge("fo.storage.points", () => PointCount(catalog), "{point}", "Points stored, hot and archived, summed over the catalog's series.");
        _meter.CreateObservableGauge("fo.storage.head.rows", () => writer.RecentRows, "{row}", "Acknowledged rows in the in-memory head, not yet applied to the file.");
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> FileSizes(string database)
    {
        yield return new Measurement<long>(SizeOf(database), new KeyValuePair<string, object?>("file", "database"));
        yield return new Measurement<long>(SizeOf(database + ".wal"), new KeyValuePair<string, object?>("file", "wal"));
    }

    private static long SizeOf(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? file.Length : 0;
    }

    private static long PointCount(SeriesCatalog catalog)
    {
        long points = 0;
        foreach (var metric in catalog.Metrics)
        {
            foreach (var series in catalog.ForMetric(metric))
            {
                points += series.PointCount;
            }
        }

        return points;
    }
}
