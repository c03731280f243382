using System.Globalization;
using System.Text.Json;

namespace FunctionsObservability.Functions.Queues;

/// <summary>
/// The queue trigger's settings, read from the same files the Functions host reads
/// (<c>IngestQueue/function.json</c> and <c>host.json</c>), so standalone and hosted runs agree.
/// </summary>
internal sealed record QueueTriggerSettings(
    string QueueName,
    string PoisonQueueName,
    string ConnectionSetting,
    int BatchSize,
    int MaxDequeueCount,
    TimeSpan VisibilityTimeout,
    TimeSpan MaxPollingInterval,
    bool Base64)
{
    public const string FunctionName = "IngestQueue";

    public static QueueTriggerSettings Load()
    {
        var hostJson = Find("host.json");
        var functionJson = Find(Path.Combine(FunctionName, "function.json"));
        using var function = JsonDocument.Parse(File.ReadAllText(functionJson));
        using var host = JsonDocument.Parse(File.ReadAllText(hostJson));
        var bindings = function.RootElement.GetProperty("bindings").EnumerateArray().ToList();
        var trigger = bindings.Single(b => b.GetProperty("type").GetString() == "queueTrigger");
        var poison = bindings.SingleOrDefault(b => b.GetProperty("type").GetString() == "queue");
        var queueName = trigger.GetProperty("queueName").GetString()!;

        var queues = host.RootElement.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("queues", out var q) ? q : default;
        int Int(string name, int fallback) => queues.ValueKind == JsonValueKind.Object && queues.TryGetProperty(name, out var v) ? v.GetInt32() : fallback;
        TimeSpan Time(string name, TimeSpan fallback) => queues.ValueKind == JsonValueKind.Object && queues.TryGetProperty(name, out var v)
            ? TimeSpan.Parse(v.GetString()!, CultureInfo.InvariantCulture)
            : fallback;
        var encoding = queues.ValueKind == JsonValueKind.Object && queues.TryGetProperty("messageEncoding", out var e) ? e.GetString() : "base64";

        // The Functions defaults, where host.json is silent.
        return new QueueTriggerSettings(
            queueName,
            poison.ValueKind == JsonValueKind.Object ? poison.GetProperty("queueName").GetString()! : queueName + "-poison",
            trigger.TryGetProperty("connection", out var connection) ? connection.GetString()! : "AzureWebJobsStorage",
            Int("batchSize", 16),
            Int("maxDequeueCount", 5),
            Time("visibilityTimeout", TimeSpan.FromSeconds(30)),
            Time("maxPollingInterval", TimeSpan.FromMinutes(1)),
            string.Equals(encoding, "base64", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Beside the binary (dotnet run, tests), or one folder up (the published layout: app/ under the function root).</summary>
    private static string Find(string relative)
    {
        foreach (var folder in new[] { AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "..") })
        {
            var path = Path.GetFullPath(Path.Combine(folder, relative));
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"{relative} was not found beside the app or one folder up; the queue listener takes its settings from it", relative);
    }
}
