using System.Buffers;
using System.Globalization;
using System.Text.Json;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Functions.Http;

/// <summary>Points (pages or NDJSON stream), aggregates, and the metric catalog.</summary>
internal static class QueryEndpoints
{
    private const int StreamFlushEvery = 4096;

    public static Task PointsAsync(HttpContext context) => QueryTiming.MeasureAsync(context, Routes.QueryPoints, c => RunAsync(c, WritePointsAsync));

    public static Task AggregateAsync(HttpContext context) => QueryTiming.MeasureAsync(context, Routes.QueryAggregate, c => RunAsync(c, WriteAggregateAsync));

    public static Task MetricsAsync(HttpContext context) => QueryTiming.MeasureAsync(context, Routes.Metrics, c => RunAsync(c, WriteMetricsAsync));

    /// <summary>The metric comes from the route: the router's value standalone, the trigger's binding under the host.</summary>
    public static Task TagsAsync(HttpContext context, string metric) =>
        QueryTiming.MeasureAsync(context, Routes.MetricTags, c => RunAsync(c, c2 => WriteTagsAsync(c2, metric)));

    internal static async Task RunAsync(HttpContext context, Func<HttpContext, Task> handler)
    {
        try
        {
            await handler(context).ConfigureAwait(false);
        }
        catch (QueryFailedException exception) when (!context.Response.HasStarted)
        {
            var status = exception.Failure switch
            {
                QueryFailure.BadParameter => StatusCodes.Status400BadRequest,
                QueryFailure.UnknownMetric => StatusCodes.Status404NotFound,
                QueryFailure.Timeout => StatusCodes.Status504GatewayTimeout,
                _ => StatusCodes.Status503ServiceUnavailable,
            };
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                context.Response.Headers.RetryAfter = "1";
            }

            await JsonOutput.ErrorAsync(context.Response, status, exception.Message, exception.Parameter).ConfigureAwait(false);
        }
        catch (Exception exception) when (context.RequestServices.GetRequiredService<StoreDamage>().TryReport(exception))
        {
            // A damaged block: this query fails with its cause; the file takes no more writes (StoreDamage).
            if (!context.Response.HasStarted)
            {
                await JsonOutput.ErrorAsync(context.Response, StatusCodes.Status500InternalServerError,
                    context.RequestServices.GetRequiredService<StoreDamage>().Describe()).ConfigureAwait(false);
            }
            else
            {
                context.Abort();
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; DuckDB was interrupted through the lease's cancellation.
        }
    }

    private static async Task WritePointsAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var options = context.RequestServices.GetRequiredService<QueryOptions>();
        var filter = new SeriesFilter(QueryParameters.RequireMetric(query), QueryParameters.Tags(query));
        var range = QueryParameters.Range(query, requireFrom: false);
        var limit = QueryParameters.Limit(query, options);
        var cursor = QueryParameters.Cursor(query);

        // Every parameter is checked first, so a bad one is named even for an unknown metric.
        MetricSuggestions.EnsureKnown(context.RequestServices.GetRequiredService<SeriesCatalog>(), filter.Metric);
        var service = context.RequestServices.GetRequiredService<PointQueryService>();
        var aborted = context.RequestAborted;

        if (context.Request.Headers.Accept.ToString().Contains("application/x-ndjson", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.ContentType = "application/x-ndjson";
            var body = context.Response.BodyWriter;
            var writer = new Utf8JsonWriter(body, JsonOutput.WriterOptions);
            await using (writer.ConfigureAwait(false))
            {
                var written = 0;
                await foreach (var point in service.StreamAsync(filter, range, aborted).ConfigureAwait(false))
                {
                    JsonOutput.WritePoint(writer, point);
                    writer.Flush();
                    writer.Reset();
                    body.Write("\n"u8);
                    if (++written % StreamFlushEvery == 0)
                    {
                        // Waiting on the flush is the backpressure: a slow client slows the read.
                        await body.FlushAsync(aborted).ConfigureAwait(false);
                    }
                }
            }

            return;
        }

        var page = await service.GetPageAsync(
            new PointPageRequest(filter, range, limit, cursor), aborted).ConfigureAwait(false);
        await JsonOutput.WriteAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("points");
            foreach (var point in page.Points)
            {
                JsonOutput.WritePoint(writer, point);
            }

            writer.WriteEndArray();
            if (page.Next is { } next)
            {
                writer.WriteString("nextCursor", next.Encode());
            }
            else
            {
                writer.WriteNull("nextCursor");
            }

            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task WriteAggregateAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var request = new AggregateRequest(
            new SeriesFilter(QueryParameters.RequireMetric(query), QueryParameters.Tags(query)),
            QueryParameters.Range(query, requireFrom: true),
            QueryParameters.Step(query),
            QueryParameters.Function(query),
            QueryParameters.GroupBy(query));
        MetricSuggestions.EnsureKnown(context.RequestServices.GetRequiredService<SeriesCatalog>(), request.Filter.Metric);
        if (request.Range.ToMicros == long.MaxValue)
        {
            var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            // Up to the end of the bucket that holds the current time, so the last bucket is whole.
            var nowMicros = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
            request = request with { Range = request.Range with { ToMicros = ((nowMicros / request.StepMicros) + 1) * request.StepMicros } };
        }

        var series = await context.RequestServices.GetRequiredService<AggregateQueryService>()
            .QueryAsync(request, context.RequestAborted).ConfigureAwait(false);
        await AggregateJson.WriteAsync(context.Response, series, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task WriteMetricsAsync(HttpContext context)
    {
        var catalog = context.RequestServices.GetRequiredService<SeriesCatalog>();
        var metrics = catalog.Metrics.Order(StringComparer.Ordinal).ToList();
        return JsonOutput.WriteAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("metrics");
            foreach (var name in metrics)
            {
                var series = catalog.ForMetric(name);
                long points = 0;
                var persisted = 0;
                foreach (var entry in series)
                {
                    points += entry.PointCount;
                    persisted += entry.PointCount > 0 ? 1 : 0;
                }

                if (persisted == 0)
                {
                    continue;
                }

                writer.WriteStartObject();
                writer.WriteString("metric", name);
                writer.WriteNumber("series", persisted);
                writer.WriteNumber("points", points);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static Task WriteTagsAsync(HttpContext context, string metric)
    {
        var catalog = context.RequestServices.GetRequiredService<SeriesCatalog>();
        MetricSuggestions.EnsureKnown(catalog, metric);
        var series = catalog.ForMetric(metric).Where(static s => s.PointCount > 0).ToList();

        var tags = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var entry in series)
        {
            foreach (var (key, value) in entry.Descriptor.Tags)
            {
                if (!tags.TryGetValue(key, out var values))
                {
                    tags[key] = values = new SortedSet<string>(StringComparer.Ordinal);
                }

                values.Add(value);
            }
        }

        return JsonOutput.WriteAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("metric", metric);
            writer.WriteStartObject("tags");
            foreach (var (key, values) in tags)
            {
                writer.WriteStartArray(key);
                foreach (var value in values)
                {
                    writer.WriteStringValue(value);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }
}
