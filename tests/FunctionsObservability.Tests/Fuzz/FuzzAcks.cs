using System.Text.Json;
using FunctionsObservability.Pipeline.Formats.Otlp;
using Google.Protobuf;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>
/// The points of the untouched remote_write and OTLP cases (<see cref="FuzzCase.AckPoints"/>, each case its
/// own series): every point of an acknowledged case must be stored afterwards, and no more than were sent.
/// remote_write acknowledges with 204; OTLP with 200 and no <c>partialSuccess</c>.
/// </summary>
internal static class FuzzAcks
{
    public static bool Acknowledged(FuzzCase c, FuzzAnswer a)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(a);
        if (a.Failure is not null)
        {
            return false;
        }

        if (c.Target.StartsWith(RemoteWriteFuzzGenerator.Path, StringComparison.Ordinal))
        {
            return a.Status == 204;
        }

        if (a.Status != 200)
        {
            return false;
        }

        try
        {
            return a.MediaType == "application/x-protobuf"
                ? ExportMetricsServiceResponse.Parser.ParseFrom(a.Bytes).PartialSuccess is null
                : !JsonDocument.Parse(a.Body).RootElement.TryGetProperty("partialSuccess", out _);
        }
        catch (Exception exception) when (exception is InvalidProtocolBufferException or JsonException)
        {
            return false;
        }
    }

    /// <summary>Compares what each ack metric holds in the catalog with what was acknowledged and sent; problems go to <paramref name="problems"/>.</summary>
    public static async Task<string> CheckAsync(HttpClient client, IReadOnlyList<FuzzCase> cases, FuzzAnswer[] answers, List<string> problems)
    {
        using var response = await client.GetAsync("/api/metrics");
        var catalog = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("metric").GetString()!, m => m.GetProperty("points").GetInt64());
        var summary = new List<string>();
        foreach (var (metric, family) in new[] { (RemoteWriteFuzzGenerator.AckMetric, "ingest-rw-ack"), (OtlpFuzzGenerator.AckMetric, "ingest-otlp-ack") })
        {
            var ids = Enumerable.Range(0, cases.Count).Where(i => cases[i].Family == family).ToList();
            var sent = ids.Sum(i => (long)cases[i].AckPoints);
            var acknowledged = ids.Where(i => Acknowledged(cases[i], answers[i])).Sum(i => (long)cases[i].AckPoints);
            var stored = catalog.GetValueOrDefault(metric);
            summary.Add($"{metric}: {sent} sent, {acknowledged} acknowledged, {stored} stored");
            if (stored < acknowledged || stored > sent)
            {
                problems.Add($"{metric}: {acknowledged} points acknowledged of {sent} sent, but {stored} stored");
            }

            if (ids.Count > 0 && acknowledged == 0)
            {
                problems.Add($"{family}: none of {ids.Count} valid bodies was acknowledged (e.g. {cases[ids[0]].Describe()} -> {answers[ids[0]].Status} {FuzzCase.Escape(answers[ids[0]].Body, 200)})");
            }
        }

        return string.Join("; ", summary);
    }
}
