using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;

namespace FunctionsObservability.Bench;

/// <summary>
/// Queue ingest: sends line-protocol messages to the queue the service listens to, and measures
/// the time from the first send until every point is committed (the service drains while the
/// producer fills), and how long the producer alone took to send.
/// </summary>
internal static class QueueCommand
{
    public static async Task<int> RunAsync(Options options)
    {
        var url = options.String("url");
        var connection = options.String("connection");
        var queueName = options.String("queue", "metrics-ingest");
        var messages = options.Int("messages", 1000);
        var points = options.Int("points", 1000);
        options.EnsureAllUsed();

        var queue = new QueueClient(connection, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        var baseSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 86_400;
        var fill = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            int m;
            while ((m = Interlocked.Increment(ref next)) < messages)
            {
                var body = new StringBuilder();
                for (var i = 0; i < points; i++)
                {
                    body.Append(CultureInfo.InvariantCulture, $"qbench,host=h{i % 100} v={i} {baseSeconds - (m * (points / 100)) - (i / 100)}\n");
                }

                await queue.SendMessageAsync(JsonSerializer.Serialize(new { contentType = "text/plain", precision = "s", payload = body.ToString() }));
            }
        })));
        var fillSeconds = fill.Elapsed.TotalSeconds;

        using var client = Http.Create(url, 1, TimeSpan.FromSeconds(30));
        long expected = (long)messages * points;
        long stored = 0;
        var clock = fill;
        double? firstSeen = null;
        while (clock.Elapsed < TimeSpan.FromMinutes(10))
        {
            stored = (await PointCounter.CountAsync(client, "qbench_")).Stored ?? 0;
            if (stored > 0 && firstSeen is null)
            {
                firstSeen = clock.Elapsed.TotalSeconds;
            }

            if (stored >= expected)
            {
                break;
            }

            await Task.Delay(100);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        JsonOut.Print(new JsonObject
        {
            ["cmd"] = "queue",
            ["messages"] = messages,
            ["points_per_message"] = points,
            ["expected"] = expected,
            ["stored"] = stored,
            ["lost_or_duplicated"] = stored - expected,
            ["fill_s"] = JsonOut.Num(fillSeconds, 2),
            ["total_s"] = JsonOut.Num(seconds, 2),
            ["points_per_s"] = JsonOut.Num(expected / seconds, 0),
            ["messages_per_s"] = JsonOut.Num(messages / seconds, 0),
        });
        return stored == expected ? 0 : 3;
    }
}
