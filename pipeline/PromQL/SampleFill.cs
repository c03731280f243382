using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// A read of some series from the store for the <see cref="SeriesSampleCache"/>: it notes which of
/// them a commit touched while the read ran, because the read may or may not hold those points,
/// and the cache keeps none of those series.
/// </summary>
public sealed class SampleFill : IDisposable
{
    private readonly SeriesSampleCache _cache;
    private readonly HashSet<int> _seriesIds;
    private HashSet<int>? _touched;
    private bool _allTouched;

    internal SampleFill(SeriesSampleCache cache, long allMetricsVersion, IEnumerable<SeriesEntry> series)
    {
        _cache = cache;
        AllMetricsVersion = allMetricsVersion;
        _seriesIds = [.. series.Select(s => s.Id)];
    }

    /// <summary><see cref="DataVersions.AllMetrics"/> before the read began.</summary>
    public long AllMetricsVersion { get; }

    public void Dispose() => _cache.EndFill(this);

    /// <summary>Under the cache's lock.</summary>
    internal void Touch(SeriesEntry?[] series)
    {
        foreach (var entry in series)
        {
            if (entry is not null && _seriesIds.Contains(entry.Id))
            {
                (_touched ??= []).Add(entry.Id);
            }
        }
    }

    /// <summary>Under the cache's lock.</summary>
    internal bool Touched(int seriesId) => _allTouched || _touched?.Contains(seriesId) == true;

    /// <summary>Under the cache's lock: after a commit the cache could not follow, nothing this read finds is kept.</summary>
    internal void TouchAll() => _allTouched = true;
}
