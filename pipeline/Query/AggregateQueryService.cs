using System.Globalization;
using System.Text;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// Time-bucket aggregates. Buckets are aligned to multiples of the step since the Unix epoch. The
/// number of buckets and of groups is checked before DuckDB runs anything, from the range and the
/// in-memory catalog, so an oversized request costs nothing.
/// </summary>
public sealed class AggregateQueryService
{
    private readonly SeriesCatalog _catalog;
    private readonly QueryExecutor _executor;
    private readonly QueryOptions _options;

    public AggregateQueryService(SeriesCatalog catalog, QueryExecutor executor, QueryOptions options)
    {
        _catalog = catalog;
        _executor = executor;
        _options = options;
    }

    public async Task<IReadOnlyList<AggregateSeries>> QueryAsync(AggregateRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var buckets = CountBuckets(request.Range, request.StepMicros);
        if (buckets > _options.MaxBuckets)
        {
            throw new QueryFailedException(QueryFailure.BadParameter,
                $"the range holds {buckets} buckets of this step, more than the limit of {_options.MaxBuckets}; use a larger step or a shorter range", "step");
        }

        var selection = SeriesSelection.Resolve(_catalog, request.Filter);
        if (selection.IsEmpty)
        {
            return [];
        }

        if (request.GroupBy is { } groupKey)
        {
            var groups = CountGroups(selection, groupKey);
            if (groups > _options.MaxSeries)
            {
                throw new QueryFailedException(QueryFailure.BadParameter,
                    $"grouping by \"{groupKey}\" gives {groups} series, more than the limit of {_options.MaxSeries}; add a tag filter", "groupBy");
            }
        }

        using var lease = await _executor.AcquireAsync(cancellationToken).ConfigureAwait(false);
        lease.Command.CommandText = BuildSql(request, selection);
        var result = new List<AggregateSeries>();
        try
        {
            using var reader = lease.Command.ExecuteReader();
            string? currentGroup = null;
            List<BucketValue>? points = null;
            var first = true;
            while (reader.Read())
            {
                var group = reader.IsDBNull(0) ? null : reader.GetString(0);
                if (first || !string.Equals(group, currentGroup, StringComparison.Ordinal))
                {
                    points = [];
                    result.Add(new AggregateSeries(GroupTags(request, group), points));
                    currentGroup = group;
                    first = false;
                }

                points!.Add(new BucketValue(reader.GetInt64(1), reader.GetDouble(2)));
            }
        }
        catch (OperationCanceledException exception)
        {
            throw lease.Translate(exception);
        }

        return result;
    }

    private static long CountBuckets(TimeRange range, long step)
    {
        var from = Math.Floor((double)range.FromMicros / step);
        var to = Math.Ceiling((double)range.ToMicros / step);
        var count = to - from;
        return count >= long.MaxValue ? long.MaxValue : (long)count;
    }

    private static int CountGroups(SeriesSelection selection, string key)
    {
        var values = new HashSet<string?>(StringComparer.Ordinal);
        foreach (var entry in selection.Series)
        {
            string? value = null;
            foreach (var tag in entry.Descriptor.Tags)
            {
                if (string.Equals(tag.Key, key, StringComparison.Ordinal))
                {
                    value = tag.Value;
                    break;
                }
            }

            values.Add(value);
        }

        return values.Count;
    }

    private static IReadOnlyList<KeyValuePair<string, string>> GroupTags(AggregateRequest request, string? group)
    {
        var tags = new List<KeyValuePair<string, string>>(request.Filter.Tags);
        if (request.GroupBy is { } key && group is not null && !tags.Exists(t => t.Key == key))
        {
            tags.Add(new(key, group));
        }

        return tags;
    }

    private static string BuildSql(AggregateRequest request, SeriesSelection selection)
    {
        var culture = CultureInfo.InvariantCulture;
        var step = request.StepMicros;
        var aggregate = request.Function switch
        {
            AggregateFunction.Avg => "avg(p.value)",
            AggregateFunction.Min => "min(p.value)",
            AggregateFunction.Max => "max(p.value)",
            AggregateFunction.Sum => "sum(p.value)",
            AggregateFunction.Count => "CAST(count(*) AS DOUBLE)",
            AggregateFunction.P50 => "quantile_cont(p.value, 0.5)",
            AggregateFunction.P90 => "quantile_cont(p.value, 0.9)",
            AggregateFunction.P99 => "quantile_cont(p.value, 0.99)",
            _ => throw new ArgumentOutOfRangeException(nameof(request)),
        };

        var sql = new StringBuilder();
        var group = request.GroupBy is null ? "CAST(NULL AS VARCHAR)" : "t.tag_value";
        sql.Append(culture, $"SELECT {group} AS grp, p.ts - ((p.ts % {step}) + {step}) % {step} AS bucket, {aggregate} AS v FROM all_points p");
        if (request.GroupBy is { } key)
        {
            sql.Append(culture, $" LEFT JOIN series_tags t ON t.series_id = p.series_id AND t.tag_key = '{key.Replace("'", "''", StringComparison.Ordinal)}'");
        }

        sql.Append(" WHERE ");
        selection.AppendPredicate(sql, "p.series_id");
        if (request.Range.FromMicros != long.MinValue)
        {
            sql.Append(culture, $" AND p.ts >= {request.Range.FromMicros}");
        }

        if (request.Range.ToMicros != long.MaxValue)
        {
            sql.Append(culture, $" AND p.ts < {request.Range.ToMicros}");
        }

        sql.Append(" GROUP BY ALL ORDER BY grp NULLS LAST, bucket");
        return sql.ToString();
    }
}
