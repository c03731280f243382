using FunctionsObservability.Pipeline.Model;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>The aggregate path run once at start-up (<see cref="QueryWarmup"/>).</summary>
public sealed partial class AggregateQueryService
{
    /// <summary>
    /// Runs the statements of the common aggregate shapes once over a series no table holds (id
    /// -1, which every zone map prunes, so no stored block is read), to compile the whole path and
    /// open a reader connection before the first request needs them (<see cref="QueryWarmup"/>).
    /// </summary>
    internal async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var filter = new SeriesFilter("", [new("host", "")]);
        var selection = SeriesSelection.Of(filter, [new SeriesEntry(-1, -1, SeriesDescriptor.Create("", filter.Tags), persisted: true)]);
        var minutes = new TimeRange(MinuteSpan.MinuteMicros, 3 * MinuteSpan.MinuteMicros);
        var ragged = minutes with { ToMicros = minutes.ToMicros + 1 };
        AggregateRequest[] shapes =
        [
            new(filter, ragged, MinuteSpan.MinuteMicros, AggregateFunction.Avg, null),
            new(filter, minutes, MinuteSpan.MinuteMicros, AggregateFunction.Max, "host"),
            new(filter, ragged, 1_000_000, AggregateFunction.P90, null),
        ];
        foreach (var shape in shapes)
        {
            await RunAsync(shape, selection, cancellationToken).ConfigureAwait(false);
        }

        // The public entry, as far as it goes for a metric that has no series.
        await QueryAsync(shapes[0], cancellationToken).ConfigureAwait(false);

        // No row came back either: read one of the same column types.
        using (var lease = await _executor.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            lease.Command.CommandText = "SELECT CAST(-1 AS INTEGER), CAST(0 AS BIGINT), CAST(0 AS DOUBLE), CAST(0 AS DOUBLE)";
            using var reader = lease.Command.ExecuteReader();
            while (reader.Read())
            {
                _ = (reader.GetInt32(0), reader.IsDBNull(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3));
            }
        }

        // And fold the way rows would be folded.
        foreach (var fold in (ReadOnlySpan<bool>)[true, false])
        {
            var groups = AggregateGroups.Build(selection, "host");
            var accumulator = new BucketAccumulator(AggregateFunction.Avg, MinuteSpan.MinuteMicros, groups.Count, fold);
            accumulator.Add(groups.GroupOfSeries(-1), 1, 1, 1);
            accumulator.Add(groups.GroupOfValue(""), fold ? 1 : 2, 1, 1);
            accumulator.ToSeries(groups, filter.Tags, "host");
        }
    }
}
