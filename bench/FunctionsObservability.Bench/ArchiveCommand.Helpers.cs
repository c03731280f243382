using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;

namespace FunctionsObservability.Bench;

internal static partial class ArchiveCommand
{
    // ---- helpers ------------------------------------------------------------------------------

    private static List<string> ServerArguments(Settings s, string store, string dataDir, string container)
    {
        var arguments = new List<string>
        {
            $"--Storage:DataDirectory={dataDir}",
            "--Timers:Enabled=false",
            "--Archive:MaxPartitionsPerRun=1000",
            "--Archive:RunTimeoutSeconds=3600",
        };
        if (store == "blob")
        {
            arguments.Add("--Archive:Kind=Blob");
            arguments.Add($"--Archive:ConnectionString={s.Connection}");
            arguments.Add($"--Archive:ContainerName={container}");
        }
        else
        {
            arguments.Add("--Archive:Kind=Local");
            arguments.Add($"--Archive:LocalDirectory={Path.Combine(dataDir, "archive")}");
        }

        return arguments;
    }

    /// <summary>Generates (or reuses) a workload under --data (default work/data), removing older ones of the same kind (their start day has passed).</summary>
    private static JsonObject Workload(Settings s, string name, GenParams p)
    {
        var root = s.Data ?? Path.Combine(s.Work, "data");
        Directory.CreateDirectory(root);
        var kind = name[..name.LastIndexOf('-')];
        foreach (var old in Directory.EnumerateDirectories(root, kind + "-*").Where(d => Path.GetFileName(d) != name))
        {
            Directory.Delete(old, recursive: true);
        }

        return Generator.Generate(Path.Combine(root, name), p);
    }

    private static JsonObject DuckDbBytes(string dataDir)
    {
        var result = new JsonObject();
        long total = 0;
        foreach (var file in Directory.EnumerateFiles(dataDir, "*.duckdb*").Order(StringComparer.Ordinal))
        {
            var length = new FileInfo(file).Length;
            result[Path.GetFileName(file)] = length;
            total += length;
        }

        result["total"] = total;
        return result;
    }

    private static JsonArray ArchiveLogLines(string log)
    {
        if (!File.Exists(log))
        {
            return [];
        }

        return new JsonArray(File.ReadLines(log)
            .Where(l => l.Contains("Archived ", StringComparison.Ordinal) || l.Contains("Archive run", StringComparison.Ordinal))
            .Take(200)
            .Select(l => (JsonNode?)l)
            .ToArray());
    }

    private static JsonObject Pick(JsonObject source, params string[] keys)
    {
        var result = new JsonObject();
        foreach (var key in keys)
        {
            result[key] = source[key]?.DeepClone();
        }

        return result;
    }

    /// <summary>The same JSON, numbers equal to 1e-9 relative (sums may add up in another order).</summary>
    private static bool SameAnswer(string a, string b)
    {
        if (a == b)
        {
            return true;
        }

        try
        {
            return Same(JsonNode.Parse(a), JsonNode.Parse(b));
        }
        catch (JsonException)
        {
            return false;
        }

        static bool Same(JsonNode? x, JsonNode? y) => (x, y) switch
        {
            (null, null) => true,
            (JsonObject ox, JsonObject oy) => ox.Count == oy.Count && ox.All(kv => oy.TryGetPropertyValue(kv.Key, out var v) && Same(kv.Value, v)),
            (JsonArray ax, JsonArray ay) => ax.Count == ay.Count && ax.Zip(ay).All(p => Same(p.First, p.Second)),
            (JsonValue vx, JsonValue vy) when vx.TryGetValue<double>(out var dx) && vy.TryGetValue<double>(out var dy) =>
                Math.Abs(dx - dy) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(dx), Math.Abs(dy))),
            _ => JsonNode.DeepEquals(x, y),
        };
    }

    private static string Shape(byte[] body)
    {
        try
        {
            var node = JsonNode.Parse(body);
            if (node?["series"] is JsonArray series)
            {
                return $"{series.Count} series x {(series.Count > 0 ? series[0]?["points"]?.AsArray().Count ?? 0 : 0)} points";
            }

            if (node?["points"] is JsonArray points)
            {
                return $"{points.Count} points";
            }

            return "other";
        }
        catch (JsonException)
        {
            return "not JSON";
        }
    }

    private static List<string> ParseStores(string text)
    {
        var stores = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => t.ToLowerInvariant()).ToList();
        if (stores.Any(t => t is not ("blob" or "local")))
        {
            throw new UsageException("stores are blob and/or local, comma-separated (or an empty string for none)");
        }

        return stores;
    }

    private static string FreshDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        Directory.CreateDirectory(path);
        Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(path)!, "logs"));
        return path;
    }

    private static void Cleanup(Settings s, string dataDir)
    {
        if (!s.KeepData)
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static long Today() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() / Day * Day;

    private static string Iso(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string MachineDescription()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{Environment.ProcessorCount} cores, {model ?? "unknown CPU"}, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
    }

    private static void Progress(string text) =>
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] archive: {text}");

    private sealed record Settings(
        string Server, string? Connection, string Work, string? Data, long Points, int Hosts, int Concurrency, int DaysAgo,
        int QueryHosts, int QueryInterval, int Runs, int Restarts, TimeSpan QuietWait, bool KeepData, string Commit);

    private sealed record Timed(int Status, double Milliseconds, byte[] Body);
}
