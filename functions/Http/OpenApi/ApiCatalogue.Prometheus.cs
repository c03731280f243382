using FunctionsObservability.Functions.Standalone.Security;
using Microsoft.OpenApi;

namespace FunctionsObservability.Functions.Http.OpenApi;

/// <summary>The Prometheus HTTP API, described against <see cref="Prometheus.PromQueryEndpoints"/> and <see cref="Prometheus.PromMetadataEndpoints"/>.</summary>
internal static partial class ApiCatalogue
{
    private const string PromTag = "Prometheus";
    private const string Form = "application/x-www-form-urlencoded";

    private static ApiParameter PromTime(string name, string meaning, bool required = false) =>
        new(name, ParameterLocation.Query, $"{meaning}: Unix seconds with an optional fraction, or RFC 3339.", ApiType.Text, required);

    private static ApiParameter Match => new("match[]", ParameterLocation.Query,
        "A series selector such as up{job=\"api\"}; may repeat, and a series matching any is included.", ApiType.Text, Repeats: true);

    private static ApiParameter PromTimeout => new("timeout", ParameterLocation.Query,
        "Evaluation timeout (a duration such as 10s); it can shorten Query:TimeoutSeconds, not lengthen it.", ApiType.Text);

    private static ApiBody PromForm => new("The same parameters as a form; the body's value wins over the query string's.", [new(Form, null)], Required: false);

    private static ApiResponse[] PromAnswers(string success) =>
    [
        new(200, success, [new(Json, ApiSchemas.PromAnswer)]),
        new(400, "bad_data: a parameter or the query is malformed or outside the supported PromQL; error names the part.", [new(Json, ApiSchemas.PromError)]),
        new(422, "execution: the query selected more than PromQL:MaxSeries series or PromQL:MaxSamples samples.", [new(Json, ApiSchemas.PromError)]),
        Unauthorized(),
        RateLimited(also: " (RateLimits:Query)"),
        new(503, "timeout (the query ran past its timeout) or unavailable (every query slot stayed busy; Retry-After).", [new(Json, ApiSchemas.PromError)], RetryAfter: true),
    ];

    private static ApiOperation[] GetAndPost(string id, string summary, string description, ApiParameter[] parameters, ApiResponse[] responses) =>
    [
        new(HttpMethods.Get, id, summary, description, RouteAccess.Query, parameters, null, responses),
        new(HttpMethods.Post, id + "Form", summary + " (form POST)", description, RouteAccess.Query, [], PromForm, responses),
    ];

    private static ApiRoute PromQuery() => new(Routes.PromQuery, PromTag, GetAndPost("promQuery", "PromQL instant query",
        "Evaluates PromQL at one time, as Prometheus 2.42 does (5-minute lookback). The supported subset is listed in docs/promql.md; "
        + "anything else is bad_data naming the part. Key: a query key.",
        [new("query", ParameterLocation.Query, "The PromQL expression.", ApiType.Text, Required: true), PromTime("time", "Evaluation time; default now"), PromTimeout],
        PromAnswers("resultType vector, matrix, scalar or string.")));

    private static ApiRoute PromQueryRange() => new(Routes.PromQueryRange, PromTag, GetAndPost("promQueryRange", "PromQL range query",
        "Evaluates PromQL at start, start+step, ... up to end; at most PromQL:MaxSteps (11,000) steps. Key: a query key.",
        [
            new("query", ParameterLocation.Query, "The PromQL expression.", ApiType.Text, Required: true),
            PromTime("start", "First evaluation time", required: true),
            PromTime("end", "Last evaluation time, inclusive", required: true),
            new("step", ParameterLocation.Query, "Step between evaluations: seconds or a duration such as 1m.", ApiType.Text, Required: true),
            PromTimeout,
        ],
        PromAnswers("resultType matrix.")));

    private static ApiRoute PromSeries() => new(Routes.PromSeries, PromTag, GetAndPost("promSeries", "Series matching selectors",
        "The label sets of series with points between start and end (default: all time). Key: a query key.",
        [Match with { Required = true }, PromTime("start", "Start"), PromTime("end", "End")],
        PromAnswers("A list of label objects.")));

    private static ApiRoute PromLabels() => new(Routes.PromLabels, PromTag, GetAndPost("promLabels", "Label names",
        "Label names of the series matching match[] (default: every series), sorted. Key: a query key.",
        [Match, PromTime("start", "Start"), PromTime("end", "End")],
        PromAnswers("A sorted list of label names, including __name__.")));

    private static ApiRoute PromLabelValues() => new(Routes.PromLabelValues, PromTag,
    [
        Get("promLabelValues", "Values of one label",
            "Values of the label among the series matching match[] (default: every series); __name__ lists metric names. Key: a query key.",
            RouteAccess.Query,
            [new("name", ParameterLocation.Path, "The label name.", ApiType.Text, Required: true), Match, PromTime("start", "Start"), PromTime("end", "End")],
            PromAnswers("A sorted list of values.")),
    ]);

    private static ApiRoute PromMetadata() => new(Routes.PromMetadata, PromTag,
    [
        Get("promMetadata", "Metric metadata",
            "Each metric with a type read from its name (_total counter, _bucket histogram, else unknown); the store keeps no help text. Key: a query key.",
            RouteAccess.Query,
            [new("metric", ParameterLocation.Query, "Only this metric.", ApiType.Text), new("limit", ParameterLocation.Query, "Most metrics to return.", ApiType.WholeNumber)],
            PromAnswers("An object from metric name to a list of {type, help, unit}.")),
    ]);

    private static ApiRoute PromBuildInfo() => new(Routes.PromBuildInfo, PromTag,
    [
        Get("promBuildInfo", "Build information",
            "version is the Prometheus version whose API this follows (2.42.0), which Grafana reads; revision names this product's version. Key: a query key.",
            RouteAccess.Query, [], PromAnswers("{version, revision, branch, buildUser, buildDate, goVersion}.")),
    ]);
}
