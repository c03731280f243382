using FunctionsObservability.Pipeline.Model;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Ingest;

/// <summary>
/// Applies the input limits to parsed points and resolves their series. A line with any bad point
/// is rejected as a whole, so a partial write never stores half of a line.
/// </summary>
public sealed class PointValidator
{
    private readonly IngestOptions _options;
    private readonly SeriesCatalog _catalog;
    private readonly TimeProvider _time;

    public PointValidator(IngestOptions options, SeriesCatalog catalog, TimeProvider time)
    {
        _options = options;
        _catalog = catalog;
        _time = time;
    }

    /// <summary>
    /// Removes the points of bad lines from <paramref name="batch"/>, records why, and returns the
    /// resolved series of each series index (null where the series itself was rejected).
    /// </summary>
    public SeriesEntry?[] Validate(ParsedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var series = batch.Series;
        var resolved = new SeriesEntry?[series.Count];
        string?[]? seriesErrors = null;
        for (var i = 0; i < series.Count; i++)
        {
            var error = CheckSeries(series[i]);
            if (error is null && !_catalog.TryResolve(series[i], out resolved[i]!))
            {
                error = $"series {series[i]} would exceed the limit of {_catalog.MaxSeries} series";
            }

            if (error is not null)
            {
                (seriesErrors ??= new string?[series.Count])[i] = error;
            }
        }

        var nowMicros = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        var oldest = nowMicros - (_options.MaxTimestampAgeDays * 86_400_000_000L);
        var newest = nowMicros + (_options.MaxTimestampFutureMinutes * 60_000_000L);

        HashSet<int>? badLines = null;
        var indexes = batch.SeriesIndexes;
        var timestamps = batch.Timestamps;
        var values = batch.Values;
        var lines = batch.Lines;
        for (var i = 0; i < batch.Count; i++)
        {
            var line = lines[i];
            if (badLines is not null && badLines.Contains(line))
            {
                continue;
            }

            var error = seriesErrors?[indexes[i]]
                ?? CheckValue(values[i], series[indexes[i]])
                ?? CheckTimestamp(timestamps[i], oldest, newest);
            if (error is not null)
            {
                (badLines ??= []).Add(line);
                batch.AddError(line, error);
            }
        }

        if (badLines is not null)
        {
            batch.RemoveLines(badLines);
        }

        return resolved;
    }

    private string? CheckSeries(SeriesDescriptor descriptor)
    {
        var nameError = CheckName(descriptor.Metric, "metric name", _options.MaxNameLength);
        if (nameError is not null)
        {
            return nameError;
        }

        if (descriptor.Tags.Length > _options.MaxTagsPerPoint)
        {
            return $"{descriptor.Tags.Length} tags, more than the limit of {_options.MaxTagsPerPoint}";
        }

        foreach (var (key, value) in descriptor.Tags)
        {
            var error = CheckName(key, "tag key", _options.MaxNameLength)
                ?? CheckName(value, "value of tag", _options.MaxTagValueLength, key);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    /// <param name="tag">For a tag value, its key: named in the message, which is built only when there is an error (this runs for every series of every request).</param>
    private static string? CheckName(string text, string what, int maxLength, string? tag = null)
    {
        if (text.Length == 0)
        {
            return $"{Describe(what, tag)} is empty";
        }

        if (text.Length > maxLength)
        {
            return $"{Describe(what, tag)} \"{Shorten(text)}\" is {text.Length} characters, longer than the limit of {maxLength}";
        }

        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return $"{Describe(what, tag)} \"{Shorten(text)}\" contains a control character (U+{(int)c:X4})";
            }
        }

        return null;
    }

    private static string Describe(string what, string? tag) => tag is null ? what : $"{what} \"{tag}\"";

    private static string? CheckValue(double value, SeriesDescriptor series) =>
        double.IsFinite(value) ? null : $"value of {series.Metric} is {value}; NaN and Infinity are not stored";

    private string? CheckTimestamp(long micros, long oldest, long newest)
    {
        if (micros < oldest)
        {
            return $"timestamp {Format(micros)} is more than {_options.MaxTimestampAgeDays} days in the past{UnitHint(micros, oldest, newest)}";
        }

        return micros > newest
            ? $"timestamp {Format(micros)} is more than {_options.MaxTimestampFutureMinutes} minutes in the future{UnitHint(micros, oldest, newest)}"
            : null;
    }

    /// <summary>
    /// A timestamp off by a power of a thousand is almost always a unit mistake (epoch seconds sent
    /// where nanoseconds or milliseconds are read): say what it would be in the right unit, and how to send it.
    /// </summary>
    private static string UnitHint(long micros, long oldest, long newest)
    {
        foreach (var (factor, name) in new[] { (1_000L, "1,000"), (1_000_000L, "1,000,000"), (1_000_000_000L, "1,000,000,000") })
        {
            if (micros < oldest && micros != 0 && micros != long.MinValue && Math.Abs(micros) <= long.MaxValue / factor && micros * factor is var larger && larger >= oldest && larger <= newest)
            {
                return $"; it would be on {Day(larger)} if it were {name} times larger: check its unit ({UnitAdvice})";
            }

            if (micros > newest && micros / factor is var smaller && smaller >= oldest && smaller <= newest)
            {
                return $"; it would be on {Day(smaller)} if it were {name} times smaller: check its unit ({UnitAdvice})";
            }
        }

        return "";
    }

    /// <summary>The day only: digits lost to the wrong unit make anything finer a guess.</summary>
    private static string Day(long micros) => DateTimeOffset.FromUnixTimeMilliseconds(micros / 1000).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private const string UnitAdvice = "line protocol reads nanoseconds unless precision=s, ms or us says otherwise; JSON reads epoch milliseconds or RFC 3339";

    private static string Format(long micros) =>
        micros / 1000 is var ms && ms >= -62135596800000 && ms <= 253402300799999
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("O", System.Globalization.CultureInfo.InvariantCulture)
            : $"{micros} µs since 1970 (beyond year 9999)";

    /// <summary>The first 61 characters and "...", never cutting a surrogate pair in half (the message must stay valid text).</summary>
    private static string Shorten(string text)
    {
        if (text.Length <= 64)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[60]) ? 60 : 61;
        return string.Concat(text.AsSpan(0, cut), "...");
    }
}
