using FunctionsObservability.Tests.WorkerProtocol.Rpc;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>What the worker tells the host about itself: capabilities and the functions it indexed.</summary>
[Collection(WorkerCollection.Name)]
public sealed class WorkerMetadataTests(WorkerFixture fixture)
{
    private static readonly (string Name, string Route, string[] Methods, string AuthLevel)[] HttpFunctions =
    [
        ("Ingest", "ingest", ["post"], "function"),
        ("InfluxWrite", "v2/write", ["post"], "function"),
        ("PrometheusWrite", "v1/write", ["post"], "function"),
        ("OtlpMetrics", "v1/metrics", ["post"], "function"),
        ("QueryPoints", "query/points", ["get"], "function"),
        ("QueryAggregate", "query/aggregate", ["get"], "function"),
        ("Metrics", "metrics", ["get"], "function"),
        ("MetricTags", "metrics/{metric}/tags", ["get"], "function"),
        ("Tail", "tail", ["get"], "function"),
        ("PromQuery", "v1/query", ["get", "post"], "function"),
        ("PromQueryRange", "v1/query_range", ["get", "post"], "function"),
        ("PromSeries", "v1/series", ["get", "post"], "function"),
        ("PromLabels", "v1/labels", ["get", "post"], "function"),
        ("PromLabelValues", "v1/label/{name}/values", ["get"], "function"),
        ("PromMetadata", "v1/metadata", ["get"], "function"),
        ("PromBuildInfo", "v1/status/buildinfo", ["get"], "function"),
        ("Explorer", "ui", ["get"], "anonymous"),
        ("ExplorerAsset", "ui/assets/{*asset}", ["get"], "anonymous"),
        ("Health", "health", ["get"], "anonymous"),
        ("HealthReady", "health/ready", ["get"], "anonymous"),
        ("ArchiveAdmin", "ops/archive", ["get", "post"], "admin"),
    ];

    private WorkerHarness Worker => fixture.Worker;

    [Fact]
    public void Handshake_WorkerReportsHttpUri_AndLoadsEveryFunction()
    {
        Worker.Verify(() =>
        {
            Assert.True(Worker.InitResponse.Capabilities.ContainsKey("HttpUri"), "no HttpUri capability: " + Worker.InitResponse.Capabilities);
            Assert.Equal(Uri.UriSchemeHttp, Worker.HttpUri!.Scheme);
            Assert.False(Worker.MetadataResponse.UseDefaultMetadataIndexing);

            // The fixture loaded each function and required a Success answer for each.
            Assert.Equal(Worker.MetadataResponse.FunctionMetadataResults.Count, Worker.Functions.Count);
        });
    }

    [Fact]
    public void Metadata_ListsEveryFunction_WithTriggerRouteMethodsAuthLevel()
    {
        var expectedNames = HttpFunctions.Select(f => f.Name).Concat(["IngestQueue", "Archive", "Retention"]).Order(StringComparer.Ordinal);
        var mismatches = new List<string>();
        foreach (var (name, route, methods, authLevel) in HttpFunctions)
        {
            if (!Worker.Functions.TryGetValue(name, out var function))
            {
                mismatches.Add($"{name}: missing");
                continue;
            }

            var trigger = function.Trigger;
            Expect(mismatches, name, "trigger type", "httpTrigger", trigger.Type);
            Expect(mismatches, name, "route", route, trigger.Text("route"));
            Expect(mismatches, name, "methods", string.Join(",", methods), string.Join(",", trigger.Texts("methods").Select(m => m.ToLowerInvariant()).Order(StringComparer.Ordinal)));
            Expect(mismatches, name, "authLevel", authLevel, trigger.Text("authLevel"));
            ExpectBindingInfo(mismatches, function, trigger.Name, "httpTrigger", BindingInfo.Types.Direction.In);
        }

        Worker.Verify(() =>
        {
            Assert.Equal(expectedNames, Worker.Functions.Keys.Order(StringComparer.Ordinal));
            Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Append("functions as reported:").Concat(Worker.Functions.Values.Select(f => f.ToString()))));
        });
    }

    [Fact]
    public void Metadata_IngestQueue_TriggersOnMetricsIngest_AndReturnsToThePoisonQueue()
    {
        var function = Worker.Function("IngestQueue");
        var trigger = function.Trigger;
        var output = function.Binding("$return");
        var mismatches = new List<string>();
        Expect(mismatches, function.Name, "trigger type", "queueTrigger", trigger.Type);
        Expect(mismatches, function.Name, "trigger name", "message", trigger.Name);
        Expect(mismatches, function.Name, "queueName", "metrics-ingest", trigger.Text("queueName"));
        Expect(mismatches, function.Name, "connection", "AzureWebJobsStorage", trigger.Text("connection"));
        ExpectBindingInfo(mismatches, function, "message", "queueTrigger", BindingInfo.Types.Direction.In);
        Expect(mismatches, function.Name, "$return type", "queue", output?.Type);
        Expect(mismatches, function.Name, "$return direction", "out", output?.Direction);
        Expect(mismatches, function.Name, "$return queueName", "metrics-ingest-poison", output?.Text("queueName"));
        ExpectBindingInfo(mismatches, function, "$return", "queue", BindingInfo.Types.Direction.Out);

        Worker.Verify(() => Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Append(function.ToString()))));
    }

    [Theory]
    [InlineData("Archive", "%ArchiveSchedule%")]
    [InlineData("Retention", "%RetentionSchedule%")]
    public void Metadata_Timers_TakeTheirScheduleFromAppSettings(string name, string schedule)
    {
        var function = Worker.Function(name);
        var trigger = function.Trigger;
        var mismatches = new List<string>();
        Expect(mismatches, name, "trigger type", "timerTrigger", trigger.Type);
        Expect(mismatches, name, "trigger name", "timer", trigger.Name);
        Expect(mismatches, name, "schedule", schedule, trigger.Text("schedule"));
        ExpectBindingInfo(mismatches, function, "timer", "timerTrigger", BindingInfo.Types.Direction.In);

        Worker.Verify(() => Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Append(function.ToString()))));
    }

    private static void Expect(List<string> mismatches, string function, string what, string expected, string? actual)
    {
        if (!string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
        {
            mismatches.Add($"{function}: {what} is '{actual ?? "<none>"}', expected '{expected}'");
        }
    }

    /// <summary>The typed binding map, which the worker builds the function's definition from on load.</summary>
    private static void ExpectBindingInfo(List<string> mismatches, LoadedFunction function, string binding, string type, BindingInfo.Types.Direction direction)
    {
        if (!function.Metadata.Bindings.TryGetValue(binding, out var info))
        {
            mismatches.Add($"{function.Name}: no '{binding}' in the bindings map ({string.Join(", ", function.Metadata.Bindings.Keys)})");
            return;
        }

        Expect(mismatches, function.Name, $"bindings[{binding}].type", type, info.Type);
        Expect(mismatches, function.Name, $"bindings[{binding}].direction", direction.ToString(), info.Direction.ToString());
    }
}
