using FunctionsObservability.Pipeline.Query;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace FunctionsObservability.Functions.Http;

/// <summary>
/// At start-up compiles the aggregate route before a request needs it: the store's query path
/// (<see cref="QueryWarmup"/>), then parsing the parameters and writing an answer, into nothing.
/// A failure is logged there and start-up goes on.
/// </summary>
internal sealed class QueryWarmupService : IHostedService
{
    private readonly QueryWarmup _warmup;

    public QueryWarmupService(QueryWarmup warmup) => _warmup = warmup;

    public Task StartAsync(CancellationToken cancellationToken) => _warmup.RunAsync(WriteAnAnswerAsync, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task WriteAnAnswerAsync(CancellationToken cancellationToken)
    {
        MethodPrecompiler.Compile(typeof(QueryEndpoints), typeof(MetricSuggestions), typeof(QueryParameters), typeof(AggregateJson), typeof(JsonOutput),
            typeof(Prometheus.PromQueryEndpoints), typeof(Prometheus.PromApiParameters), typeof(Prometheus.PromApiOutput));
        var query = new QueryCollection(new Dictionary<string, StringValues>
        {
            ["metric"] = "m",
            ["tag"] = "host:h",
            ["from"] = "2026-01-01T00:00:00Z",
            ["to"] = "1767226000000",
            ["step"] = "1m",
            ["fn"] = "avg",
            ["groupBy"] = "host",
        });
        var request = new AggregateRequest(
            new SeriesFilter(QueryParameters.RequireMetric(query), QueryParameters.Tags(query)),
            QueryParameters.Range(query, requireFrom: true),
            QueryParameters.Step(query),
            QueryParameters.Function(query),
            QueryParameters.GroupBy(query));
        AggregateSeries[] answer = [new(request.Filter.Tags, new List<BucketValue> { new(request.Range.FromMicros, 0.5) })];
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        await AggregateJson.WriteAsync(context.Response, answer, cancellationToken).ConfigureAwait(false);
        await context.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
