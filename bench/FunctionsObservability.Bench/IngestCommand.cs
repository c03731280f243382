using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>
/// <c>ingest</c>: POSTs every batch file of a generated workload with C concurrent keep-alive
/// senders (each takes the next file in order), then counts the stored points. All files are in
/// memory before the clock starts. A 2xx answer means committed; anything else, or a socket
/// error or time-out, is an error, with no retry.
/// </summary>
internal static class IngestCommand
{
    public static async Task<int> RunAsync(Options options)
    {
        var url = options.String("url");
        var dir = Path.GetFullPath(options.String("data"));
        var concurrency = options.Int("concurrency", 4);
        var limitFiles = options.Int("limit-files", int.MaxValue);
        var pid = options.OptionalString("pid") is { } p ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        var target = options.String("target", "server");
        var timeout = TimeSpan.FromSeconds(options.Double("timeout", 300));
        var verifyWait = TimeSpan.FromSeconds(options.Double("verify-wait", 10));
        var warmup = options.Int("warmup", 0);
        var path = options.OptionalString("path");
        var api = PeerCount.CheckApi(options.String("api", "ours"));
        options.EnsureAllUsed();
        var (result, exitCode) = await IngestAsync(url, dir, concurrency, pid, target, timeout, verifyWait, warmup, limitFiles, path, api);
        JsonOut.Print(result);
        return exitCode;
    }

    /// <summary>Sends the workload in <paramref name="dir"/> and returns the figures (the ingest JSON) and the exit code.</summary>
    public static async Task<(JsonObject Result, int ExitCode)> IngestAsync(
        string url, string dir, int concurrency, int? pid, string target, TimeSpan timeout, TimeSpan verifyWait,
        int warmup = 0, int limitFiles = int.MaxValue, string? path = null, string api = "ours", long alreadyStored = 0)
    {
        var manifest = Generator.ReadManifest(dir);
        var precision = manifest["precision"]!.GetValue<string>();
        path ??= $"/api/v2/write?precision={precision}";
        if (concurrency < 1)
        {
            throw new UsageException("--concurrency must be at least 1");
        }

        var files = Directory.GetFiles(dir, "batch-*.lp").Order(StringComparer.Ordinal).Take(limitFiles).ToArray();
        var bodies = files.Select(File.ReadAllBytes).ToArray();
        var lineCounts = bodies.Select(b => b.AsSpan().Count((byte)'\n')).ToArray();
        var fieldsPerLine = manifest["fields"]?.GetValue<int>() ?? 2;

        using var client = Http.Create(url, concurrency, timeout);
        var contentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        var latencies = new double[bodies.Length];
        var acked = new bool[bodies.Length];
        var statusCounts = new Dictionary<int, int>();
        string? firstError = null;
        var next = -1;

        if (warmup > 0)
        {
            await WarmUpAsync(client, path, contentType, bodies, warmup, concurrency);
        }

        await using var meter = new ResourceMeter(pid);
        meter.Start();
        var ackClock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Math.Min(concurrency, bodies.Length)).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Length)
            {
                var start = Stopwatch.GetTimestamp();
                int status;
                string? error = null;
                try
                {
                    using var content = new ByteArrayContent(bodies[i]);
                    content.Headers.ContentType = contentType;
                    using var response = await client.PostAsync(Http.Relative(path), content);
                    var text = await response.Content.ReadAsStringAsync();
                    status = (int)response.StatusCode;
                    if (!response.IsSuccessStatusCode)
                    {
                        error = $"{Path.GetFileName(files[i])}: HTTP {status} {Truncate(text)}";
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    status = 0;
                    error = $"{Path.GetFileName(files[i])}: {e.GetType().Name}: {e.Message}";
                }

                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                acked[i] = error is null;
                lock (statusCounts)
                {
                    statusCounts[status] = statusCounts.GetValueOrDefault(status) + 1;
                    firstError ??= error;
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var ackedWall = ackClock.Elapsed.TotalSeconds;

        long linesAcked = 0, bytesAcked = 0;
        for (var i = 0; i < bodies.Length; i++)
        {
            if (acked[i])
            {
                linesAcked += lineCounts[i];
                bytesAcked += bodies[i].Length;
            }
        }

        var valuesAcked = linesAcked * fieldsPerLine;
        var errors = acked.Count(a => !a);
        var sorted = latencies.Order().ToArray();
        // The clock runs on until a count through the store's own query API returns every
        // acknowledged value: "visible to queries" (VictoriaMetrics buffers ~1 s before rows are searchable).
        var counter = PeerCount.Counter(client, api, "cpu",
            manifest["first_ts"]!.GetValue<long>(), manifest["last_ts"]!.GetValue<long>());
        var flushMs = await PeerCount.MakeVisibleAsync(client, api);
        var verify = await PointCounter.VerifyAsync(counter, "cpu_", valuesAcked + alreadyStored, verifyWait, TimeSpan.FromMilliseconds(50));
        var usage = await meter.StopAsync();
        var visible = verify["ok"]?.GetValue<bool>() == true;
        // Without every value visible the "visible" wall is only the wait limit: fall back to the acknowledged wall.
        var wall = visible ? usage.WallSeconds : ackedWall;

        var result = new JsonObject
        {
            ["cmd"] = "ingest",
            ["target"] = target,
            ["api"] = api,
            ["url"] = url + path,
            ["concurrency"] = concurrency,
            ["files"] = bodies.Length,
            ["lines_sent"] = lineCounts.Sum(),
            ["requests"] = bodies.Length,
            ["errors"] = errors,
            ["status_counts"] = new JsonObject(statusCounts.OrderBy(kv => kv.Key)
                .Select(kv => KeyValuePair.Create(kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)kv.Value))),
            ["first_error"] = firstError,
            ["warmup_lines"] = warmup > 0 ? lineCounts.Take(warmup).Sum() : 0,
            ["warmup_field_values"] = warmup > 0 ? (long)lineCounts.Take(warmup).Sum() * fieldsPerLine : 0,
            ["lines_acked"] = linesAcked,
            ["field_values_acked"] = valuesAcked,
            ["bytes_acked"] = bytesAcked,
            ["visible"] = visible,
            ["wall_s"] = JsonOut.Num(wall, 3),
            ["lines_per_s"] = JsonOut.Num(linesAcked / wall, 0),
            ["values_per_s"] = JsonOut.Num(valuesAcked / wall, 0),
            ["mib_per_s"] = JsonOut.Num(bytesAcked / 1048576.0 / wall, 1),
            ["acked_wall_s"] = JsonOut.Num(ackedWall, 3),
            ["values_per_s_acked"] = JsonOut.Num(valuesAcked / ackedWall, 0),
            ["visible_after_ack_ms"] = JsonOut.Num((usage.WallSeconds - ackedWall) * 1000, 0),
            ["force_flush_ms"] = flushMs is { } f ? JsonOut.Num(f, 1) : null,
            ["latency_ms"] = LatencyJson(sorted),
            ["server_pid"] = pid,
            ["server_cpu_s"] = JsonOut.Num(usage.ServerCpuSeconds, 2),
            ["server_cpu_cores"] = JsonOut.Num(usage.ServerCpuSeconds / usage.WallSeconds, 2),
            ["server_cpu_s_per_m_values"] = JsonOut.Num(usage.ServerCpuSeconds / (valuesAcked / 1e6), 2),
            ["sender_cpu_s"] = JsonOut.Num(usage.OwnCpuSeconds, 2),
            ["sender_cpu_cores"] = JsonOut.Num(usage.OwnCpuSeconds / usage.WallSeconds, 2),
            ["other_cpu_cores"] = JsonOut.Num(usage.OtherCpuCores, 2),
            ["server_peak_rss_mib"] = JsonOut.Num(usage.ServerPeakRssMiB, 0),
            ["server_max_polled_rss_mib"] = JsonOut.Num(usage.ServerMaxPolledRssMiB, 0),
            ["count"] = verify,
        };
        return (result, errors == 0 && verify["ok"]?.GetValue<bool>() == true ? 0 : 3);
    }

    public static JsonObject LatencyJson(double[] sorted) => new()
    {
        ["n"] = sorted.Length,
        ["mean"] = JsonOut.Num(sorted.Length == 0 ? double.NaN : sorted.Average(), 2),
        ["p50"] = JsonOut.Num(Stats.Percentile(sorted, 50), 2),
        ["p95"] = JsonOut.Num(Stats.Percentile(sorted, 95), 2),
        ["p99"] = JsonOut.Num(Stats.Percentile(sorted, 99), 2),
        ["max"] = JsonOut.Num(sorted.Length == 0 ? double.NaN : sorted[^1], 2),
    };

    public static string Truncate(string text) => text.Length > 300 ? text[..300] + "..." : text;

    /// <summary>
    /// Sends the first bodies once under another measurement name (wrm instead of cpu, so the
    /// lines keep their length), so a fresh server's JIT warm-up is not part of the measured run.
    /// The counts that prove nothing was lost look only at cpu_ metrics.
    /// </summary>
    private static async Task WarmUpAsync(HttpClient client, string path, MediaTypeHeaderValue contentType, byte[][] bodies, int count, int concurrency)
    {
        var warm = bodies.Take(count).Select(b =>
        {
            var copy = (byte[])b.Clone();
            for (var i = 0; i + 3 < copy.Length; i++)
            {
                if ((i == 0 || copy[i - 1] == (byte)'\n') && copy[i] == (byte)'c' && copy[i + 1] == (byte)'p' && copy[i + 2] == (byte)'u' && copy[i + 3] == (byte)',')
                {
                    copy[i] = (byte)'w';
                    copy[i + 1] = (byte)'r';
                    copy[i + 2] = (byte)'m';
                }
            }

            return copy;
        }).ToArray();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, warm.Length)).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < warm.Length)
            {
                using var content = new ByteArrayContent(warm[i]);
                content.Headers.ContentType = contentType;
                using var response = await client.PostAsync(Http.Relative(path), content);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"warm-up request answered {(int)response.StatusCode}");
                }
            }
        })));
    }
}
