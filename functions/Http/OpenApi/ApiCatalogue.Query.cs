using FunctionsObservability.Functions.Standalone.Security;
using Microsoft.OpenApi;

namespace FunctionsObservability.Functions.Http.OpenApi;

/// <summary>The read routes, described against <see cref="QueryEndpoints"/> and <see cref="QueryParameters"/>.</summary>
internal static partial class ApiCatalogue
{
    private const string EventStream = "text/event-stream";

    private static ApiRoute QueryPoints() => new(Routes.QueryPoints, "Query",
    [
        Get("queryPoints", "Raw points, in pages or as an NDJSON stream",
            "Points ordered by timestamp, then series. As JSON, keyset pages: pass nextCursor back as cursor for the next page, "
            + "so walking the pages returns every point once, even while points arrive. With Accept: application/x-ndjson the same "
            + "URL streams every matching point, one JSON object per line (limit and cursor do not apply). Key: a query key.",
            RouteAccess.Query,
            [
                Metric,
                Time("from", "The first time, inclusive"),
                Time("to", "The end, exclusive"),
                Tag,
                new("limit", ParameterLocation.Query, "Points per page, 1 to Query:MaxPageSize (10000).", ApiType.WholeNumber with { Default = "1000" }),
                new("cursor", ParameterLocation.Query, "nextCursor of the previous page; a cursor the service did not issue is a 400 naming cursor.", ApiType.Text),
            ],
            [
                new(200, "A page (application/json), or every point as NDJSON (Accept: application/x-ndjson).",
                    [new(Json, ApiSchemas.PointsPage), new(NdJson, ApiSchemas.Point)]),
                BadQueryParameter,
                UnknownMetric,
                .. QueryRefusals(),
            ]),
    ]);

    private static ApiRoute QueryAggregate() => new(Routes.QueryAggregate, "Query",
    [
        Get("queryAggregate", "Aggregate points into time buckets",
            "Buckets aligned to multiples of step since the Unix epoch; empty buckets are left out. Without groupBy all matching "
            + "series are aggregated together. More than Query:MaxBuckets buckets, Query:MaxSeries groups or Query:MaxPoints values "
            + "is a 400 naming step or groupBy. Identical requests are answered from memory until the metric's data changes. Key: a query key.",
            RouteAccess.Query,
            [
                Metric,
                Time("from", "The first time, inclusive", required: true),
                Time("to", "The end, exclusive; defaults to the end of the bucket that holds the current time"),
                new("step", ParameterLocation.Query, "The bucket width: a whole number with ms, s, m, h or d (10s, 1m, 1h).",
                    ApiType.Text, Required: true),
                new("fn", ParameterLocation.Query, "The function over each bucket.",
                    ApiType.OneOf("avg", "avg", "min", "max", "sum", "count", "p50", "p90", "p99")),
                Tag,
                new("groupBy", ParameterLocation.Query, "One tag key: a series of buckets per value of that tag.", ApiType.Text),
            ],
            [
                new(200, "The buckets per group; large answers are streamed as they are written.", [new(Json, ApiSchemas.Aggregate)]),
                BadQueryParameter,
                UnknownMetric,
                .. QueryRefusals(),
            ]),
    ]);

    private static ApiRoute Metrics() => new(Routes.Metrics, "Metrics",
    [
        Get("listMetrics", "Metrics with their series and point counts",
            "From the in-memory catalog: exact committed counts, without a query. Key: a query key.",
            RouteAccess.Query, [],
            new(200, "Every metric that has points.", [new(Json, ApiSchemas.MetricList)]),
            Unauthorized(),
            RateLimited(also: " (RateLimits:Query)")),
    ]);

    private static ApiRoute MetricTags() => new(Routes.MetricTags, "Metrics",
    [
        Get("metricTags", "A metric's tag keys and values",
            "From the in-memory catalog. Key: a query key.",
            RouteAccess.Query,
            [new("metric", ParameterLocation.Path, "The metric's name.", ApiType.Text, Required: true)],
            new(200, "The tag keys and their values, sorted.", [new(Json, ApiSchemas.MetricTags)]),
            UnknownMetric,
            Unauthorized(),
            RateLimited(also: " (RateLimits:Query)")),
    ]);

    private static ApiRoute Tail() => new(Routes.Tail, "Query",
    [
        Get("tail", "Live tail of committed points (Server-Sent Events)",
            "A text/event-stream of the points committed for the metric from now on, one event per committed batch. Events: "
            + "'event: points' with 'id: <batch sequence>' and data a JSON array of Point objects (a batch of more than Tail:MaxPointsPerEvent points "
            + "comes as several events, and only the last carries the id); "
            + "'event: reset' (data {\"message\"}) when Last-Event-ID is outside the resume window, so points may have been missed: re-query, the stream carries on; "
            + "'event: dropped' (data {\"message\"}) when this subscriber fell behind (its buffer, Tail:SubscriberBufferBytes, filled), after which the server closes the stream; "
            + "': heartbeat' comments while idle, with an id-only line that moves the client's Last-Event-ID. "
            + "Reconnect with Last-Event-ID to resume after the last batch seen. Key: a query key.",
            RouteAccess.Query,
            [
                Metric,
                Tag,
                new("Last-Event-ID", ParameterLocation.Header, "The id of the last points event seen: the stream resumes after it.", ApiType.Text),
                new("lastEventId", ParameterLocation.Query, "The same as the Last-Event-ID header, for clients that cannot set headers; the header wins.", ApiType.Text),
            ],
            new(200, "The event stream; it stays open until the client leaves, the subscriber falls behind (event: dropped) or the service stops.",
                [new(EventStream, null, "event: points\nid: 42\ndata: [{\"metric\":\"cpu_usage_user\",\"tags\":{\"host\":\"h1\"},\"timestamp\":\"2026-01-01T00:00:00Z\",\"value\":12.5}]\n\n: heartbeat\n\n")]),
            BadQueryParameter,
            UnknownMetric,
            Unauthorized(),
            RateLimited(also: " (RateLimits:Query), or this client has too many tail subscriptions open"),
            new(503, "Too many tail subscriptions are open on the service.", ErrorBody(), RetryAfter: true)),
    ]);
}
