using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FunctionsObservability.Tests.Live;

/// <summary>
/// A light tail reader for the fan-out test: it records when the batch whose points all carry
/// value k arrived, and which batches came in which order, without keeping the events.
/// </summary>
internal sealed class CountingSubscriber
{
    private readonly List<int> _order = [];
    private readonly Action<int> _onBatch;

    private CountingSubscriber(Action<int> onBatch) => _onBatch = onBatch;

    public IReadOnlyList<int> Order => _order;

    /// <summary>Stopwatch timestamps of arrival, by batch number.</summary>
    public Dictionary<int, long> ArrivedAt { get; } = [];

    public bool Ended { get; private set; }

    public Task Reading { get; private set; } = Task.CompletedTask;

    public static async Task<CountingSubscriber> StartAsync(HttpClient client, string path, Action<int> onBatch, CancellationToken cancellationToken)
    {
        var subscriber = new CountingSubscriber(onBatch);
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        subscriber.Reading = Task.Run(() => subscriber.ReadAsync(response, body, cancellationToken), CancellationToken.None);
        return subscriber;
    }

    private async Task ReadAsync(HttpResponseMessage response, Stream body, CancellationToken cancellationToken)
    {
        using (response)
        await using (body)
        {
            using var reader = new StreamReader(body, Encoding.UTF8);
            try
            {
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (!line.StartsWith("data: [", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var now = Stopwatch.GetTimestamp();
                    var batch = FirstValue(line);
                    _order.Add(batch);
                    ArrivedAt.TryAdd(batch, now);
                    _onBatch(batch);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (IOException)
            {
            }
            catch (HttpRequestException)
            {
            }

            Ended = true;
        }
    }

    private static int FirstValue(string line)
    {
        const string Key = "\"value\":";
        var start = line.IndexOf(Key, StringComparison.Ordinal) + Key.Length;
        var end = start;
        while (end < line.Length && line[end] is not (',' or '}'))
        {
            end++;
        }

        return (int)double.Parse(line.AsSpan(start, end - start), CultureInfo.InvariantCulture);
    }
}
