using System.Diagnostics;
using System.Globalization;
using System.Net;
using FunctionsObservability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>
/// A deterministic fuzzer over every ingest format, every query parameter and every route of the real
/// app. The rule: bad input gets a clear 4xx (a JSON error body when there is a body); the service never
/// answers 5xx except 503 with Retry-After or 504, never drops a connection without an answer, stays
/// ready, and loses no acknowledged point. Every violation is collected; the test fails once, at the end.
/// </summary>
[Collection(MemorySensitiveCollection.Name)]
public sealed class HttpFuzzTests(ITestOutputHelper output)
{
    /// <summary>The README's "Memory" ceiling with the defaults.</summary>
    private const long MemoryCeilingBytes = 1024L * 1024 * 1024;

    private const int Seed = 20_251_122;

    private const int Senders = 8;

    private static Dictionary<string, string> Settings() => new()
    {
        // Rate limits off, so every case reaches the handlers; small body caps, so 413 costs little.
        ["RateLimits:Ingest:TokensPerSecond"] = "0",
        ["RateLimits:Query:TokensPerSecond"] = "0",
        ["Ingest:MaxBodyBytes"] = IngestSpecialCases.MaxBodyBytes.ToString(CultureInfo.InvariantCulture),
        ["Ingest:MaxDecompressedBytes"] = IngestSpecialCases.MaxDecompressedBytes.ToString(CultureInfo.InvariantCulture),
        ["Query:TimeoutSeconds"] = "20",
    };

    [Fact]
    public async Task Fuzzed_requests_on_every_route_get_a_clear_answer_and_lose_no_acknowledged_point()
    {
        var log = new FuzzServerLog();
        var baseline = PeakMemory.Reset();
        await using var host = await ServiceHost.StartAsync(Settings(), configure: log.Configure);
        var nowMillis = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var (acknowledged, cursor) = await FuzzSeed.WriteAsync(host.Client, nowMillis);

        var random = new Random(Seed);
        var cases = new List<FuzzCase>();
        cases.AddRange(new IngestFuzzGenerator(random, nowMillis).Generate(lineProtocol: 700, json: 650, ndJson: 500, influx: 450));
        cases.AddRange(IngestSpecialCases.Generate(nowMillis));
        cases.AddRange(new RemoteWriteFuzzGenerator(random, nowMillis).Generate(mutated: 400, acknowledged: 80));
        cases.AddRange(new OtlpFuzzGenerator(random, nowMillis).Generate(mutated: 400, acknowledged: 80));
        cases.AddRange(new QueryFuzzGenerator(random, nowMillis, cursor).Generate(points: 650, aggregate: 650, metrics: 150, tags: 300, archive: 200, health: 100));
        var prom = new PromQueryFuzzGenerator(random, nowMillis);
        cases.AddRange(prom.Generate(query: 350, range: 350, series: 100, labels: 60, labelValues: 80, metadata: 40, buildInfo: 20));
        cases.AddRange(new RouteFuzzGenerator(random).Generate(mutated: 600));

        // The slow hostile queries spread over the run, not queued at its end behind the PromQL slots.
        var hostile = prom.Hostile().ToList();
        for (var i = hostile.Count - 1; i >= 0; i--)
        {
            cases.Insert(i * cases.Count / hostile.Count, hostile[i]);
        }

        Assert.DoesNotContain(cases, c => c.Method.Equals("POST", StringComparison.OrdinalIgnoreCase)
            && Uri.UnescapeDataString(c.Target).Contains("archive", StringComparison.OrdinalIgnoreCase));

        using var runner = new FuzzRunner(host.Client.BaseAddress!);
        var watch = Stopwatch.StartNew();
        await runner.RunAsync(cases, Senders);
        watch.Stop();

        // Afterwards: still ready, and every acknowledged seed point still there, by every way of counting.
        var problems = new List<string>();
        using (var ready = await host.Client.GetAsync("/api/health/ready"))
        {
            if (ready.StatusCode != HttpStatusCode.OK)
            {
                problems.Add($"after the fuzz run /api/health/ready answered {(int)ready.StatusCode}: {await ready.Content.ReadAsStringAsync()}");
            }
        }

        // The README's memory ceiling holds for the scenario's share of the process (PeakMemory).
        var peak = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64;
        var footprint = PeakMemory.ScenarioFootprint(baseline);
        output.WriteLine($"peak working set of the process (service and test runner): {peak / (1024 * 1024)} MiB; "
            + $"at the start {baseline / (1024 * 1024)} MiB; the scenario's footprint {footprint / (1024 * 1024)} MiB");
        if (footprint > MemoryCeilingBytes)
        {
            problems.Add($"the scenario's footprint {footprint} bytes (peak {peak}, start {baseline}) is above the README's ceiling of {MemoryCeilingBytes} bytes");
        }

        var (paged, streamed, catalog) = await FuzzSeed.CountAsync(host.Client, problems);
        output.WriteLine($"seed: {acknowledged} points acknowledged; afterwards {paged} by pages, {streamed} by NDJSON stream, {catalog} in /api/metrics");
        if (paged != acknowledged || streamed != acknowledged || catalog != acknowledged)
        {
            problems.Add($"acknowledged seed points lost or duplicated: {acknowledged} acknowledged, {paged} paged, {streamed} streamed, {catalog} in the catalog");
        }

        output.WriteLine(await FuzzAcks.CheckAsync(host.Client, cases, runner.Answers, problems));

        var violations = runner.Violations;
        foreach (var group in FuzzReport.StrayErrors(violations, log))
        {
            var example = group.First().CaseId is { } id ? $"case #{id}: {cases[id].Describe()} -> {runner.Answers[id].Status}" : "no request";
            problems.Add($"the server logged ×{group.Count()} {group.Key} while the answers showed nothing wrong (e.g. {example})");
        }

        var classes = FuzzReport.Classify(violations, log);
        FuzzReport.Write(output, cases.Count, watch.Elapsed, runner, classes, log);
        FuzzReport.WriteSlowest(output, cases, runner, 10);
        Assert.True(violations.Count == 0 && problems.Count == 0, FuzzReport.FailureMessage(violations, classes, problems));
    }
}
