using System.Text.Json;
using FunctionsObservability.Pipeline.PromQL;

namespace FunctionsObservability.Tests.PromQL.Oracle;

/// <summary>Our engine in this process over an in-memory source holding exactly the samples sent; answers go through <see cref="PromJson"/>.</summary>
public sealed class InProcessQuerySide : IPromQuerySide
{
    private PromEngine? _engine;

    public string Name => "engine (in process)";

    public Task LoadAsync(IReadOnlyList<OracleSeries> series, CancellationToken cancellationToken)
    {
        var source = new InMemorySeriesSource();
        foreach (var s in series)
        {
            source.Add(s.Labels, s.TimestampsMs.Zip(s.Values));
        }

        _engine = new PromEngine(source, new PromEngineOptions());
        return Task.CompletedTask;
    }

    public Task<PromAnswer> InstantAsync(string query, long timeMs, CancellationToken cancellationToken) =>
        AnswerAsync(() => _engine!.InstantAsync(query, timeMs, cancellationToken));

    public Task<PromAnswer> RangeAsync(string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken) =>
        AnswerAsync(() => _engine!.RangeAsync(query, startMs, endMs, stepMs, cancellationToken));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static async Task<PromAnswer> AnswerAsync(Func<Task<PromResult>> run)
    {
        try
        {
            var result = await run();
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                PromJson.WriteData(writer, result);
            }

            using var document = JsonDocument.Parse(buffer.ToArray());
            return PromAnswer.FromData(document.RootElement);
        }
        catch (PromQueryException error)
        {
            return PromAnswer.FromError(error.ErrorTypeName, error.Message);
        }
    }
}
