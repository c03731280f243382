using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>
/// <c>smallwrites</c>: N keep-alive connections, each POSTing a fresh L-line request as soon as the
/// previous one is answered, for a fixed time. Connection w's request n carries lines
/// <c>stress,client=cW,slot=sK value=n T0+n(ms)</c> for K = 0..L-1, so every (series, time) pair is
/// unique and the store must hold exactly L points per acknowledged request. When the time is up
/// no new request starts, the ones in flight are awaited, and then the points are counted.
/// </summary>
internal static class SmallWritesCommand
{
    public static async Task<int> RunAsync(Options options)
    {
        var url = options.String("url");
        var path = options.String("path", "/api/v2/write?precision=ms");
        var connections = options.Int("connections", 64);
        var linesPerRequest = options.Int("lines", 10);
        var seconds = options.Double("seconds", 30);
        var warmup = options.Double("warmup", 1);
        var t0Ms = options.Long("t0-ms", 1_706_745_600_000); // 2024-02-01T00:00:00Z
        var pid = options.OptionalString("pid") is { } p ? int.Parse(p, CultureInfo.InvariantCulture) : (int?)null;
        var target = options.String("target", "server");
        var timeout = TimeSpan.FromSeconds(options.Double("timeout", 30));
        var verifyWait = TimeSpan.FromSeconds(options.Double("verify-wait", 10));
        var api = PeerCount.CheckApi(options.String("api", "ours"));
        options.EnsureAllUsed();

        using var client = Http.Create(url, connections, timeout);
        var contentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        var uri = Http.Relative(path);
        var state = new SharedState();
        var results = new WorkerResult[connections];

        var clock = Stopwatch.StartNew();
        var warmupEnd = TimeSpan.FromSeconds(warmup);
        var end = warmupEnd + TimeSpan.FromSeconds(seconds);
        await using var meter = new ResourceMeter(pid);
        var meterStarted = 0;

        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
        {
            var result = results[w] = new WorkerResult();
            var prefixes = Enumerable.Range(0, linesPerRequest)
                .Select(k => $"stress,client=c{w},slot=s{k} value=").ToArray();
            var body = new StringBuilder(linesPerRequest * 48);
            for (long n = 1; ; n++)
            {
                var startedAt = clock.Elapsed;
                if (startedAt >= end)
                {
                    break;
                }

                if (startedAt >= warmupEnd && Interlocked.Exchange(ref meterStarted, 1) == 0)
                {
                    meter.Start();
                    state.TimedStart = startedAt;
                }

                var timed = startedAt >= warmupEnd;
                body.Clear();
                var tail = string.Create(CultureInfo.InvariantCulture, $"{n} {t0Ms + n}\n");
                foreach (var prefix in prefixes)
                {
                    body.Append(prefix).Append(tail);
                }

                var ok = false;
                try
                {
                    using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToString()));
                    content.Headers.ContentType = contentType;
                    using var response = await client.PostAsync(uri, content);
                    var text = await response.Content.ReadAsStringAsync();
                    ok = response.IsSuccessStatusCode;
                    if (!ok)
                    {
                        state.RecordError($"HTTP {(int)response.StatusCode} {IngestCommand.Truncate(text)}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    state.RecordError($"{e.GetType().Name}: {e.Message}");
                }

                var finishedAt = clock.Elapsed;
                if (ok)
                {
                    result.Acked++;
                }

                if (timed)
                {
                    result.TimedRequests++;
                    result.TimedErrors += ok ? 0 : 1;
                    result.Latencies.Add((finishedAt - startedAt).TotalMilliseconds);
                    state.NoteFinish(finishedAt);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        if (meterStarted == 0)
        {
            meter.Start();
        }

        var usage = await meter.StopAsync();
        var timedWall = (state.LastFinish - state.TimedStart).TotalSeconds;
        var requests = results.Sum(r => r.TimedRequests);
        var timedErrors = results.Sum(r => r.TimedErrors);
        var ackedRequests = results.Sum(r => r.Acked);
        var sorted = results.SelectMany(r => r.Latencies).Order().ToArray();
        // Timestamps are t0 + n ms, n < requests per connection: a day from t0 holds them all.
        var counter = PeerCount.Counter(client, api, "stress", t0Ms / 1000, (t0Ms / 1000) + 86_400);
        await PeerCount.MakeVisibleAsync(client, api);
        var verify = await PointCounter.VerifyAsync(counter, "stress_", ackedRequests * linesPerRequest, verifyWait, TimeSpan.FromMilliseconds(250));

        JsonOut.Print(new JsonObject
        {
            ["cmd"] = "smallwrites",
            ["client"] = "csharp",
            ["target"] = target,
            ["api"] = api,
            ["url"] = url + path,
            ["connections"] = connections,
            ["lines_per_request"] = linesPerRequest,
            ["seconds"] = seconds,
            ["warmup_s"] = warmup,
            ["timed_wall_s"] = JsonOut.Num(timedWall, 3),
            ["requests"] = requests,
            ["errors"] = timedErrors,
            ["errors_total"] = state.Errors,
            ["first_error"] = state.FirstError,
            ["requests_per_s"] = JsonOut.Num((requests - timedErrors) / timedWall, 0),
            ["lines_per_s"] = JsonOut.Num((requests - timedErrors) * linesPerRequest / timedWall, 0),
            ["latency_ms"] = IngestCommand.LatencyJson(sorted),
            ["acked_requests_total"] = ackedRequests,
            ["server_pid"] = pid,
            ["server_cpu_s"] = JsonOut.Num(usage.ServerCpuSeconds, 2),
            ["server_cpu_cores"] = JsonOut.Num(usage.ServerCpuSeconds / usage.WallSeconds, 2),
            ["server_cpu_us_per_request"] = JsonOut.Num(usage.ServerCpuSeconds * 1e6 / Math.Max(1, requests - timedErrors), 1),
            ["client_cpu_s"] = JsonOut.Num(usage.OwnCpuSeconds, 2),
            ["client_cpu_cores"] = JsonOut.Num(usage.OwnCpuSeconds / usage.WallSeconds, 2),
            ["other_cpu_cores"] = JsonOut.Num(usage.OtherCpuCores, 2),
            ["server_peak_rss_mib"] = JsonOut.Num(usage.ServerPeakRssMiB, 0),
            ["server_max_polled_rss_mib"] = JsonOut.Num(usage.ServerMaxPolledRssMiB, 0),
            ["count"] = verify,
        });
        return state.Errors == 0 && verify["ok"]?.GetValue<bool>() == true ? 0 : 3;
    }

    private sealed class WorkerResult
    {
        public long Acked { get; set; }

        public long TimedRequests { get; set; }

        public long TimedErrors { get; set; }

        public List<double> Latencies { get; } = new(4096);
    }

    private sealed class SharedState
    {
        private readonly Lock _gate = new();
        private long _lastFinishTicks;

        public TimeSpan TimedStart { get; set; }

        public TimeSpan LastFinish => TimeSpan.FromTicks(Interlocked.Read(ref _lastFinishTicks));

        public long Errors { get; private set; }

        public string? FirstError { get; private set; }

        public void NoteFinish(TimeSpan at)
        {
            long seen;
            while ((seen = Interlocked.Read(ref _lastFinishTicks)) < at.Ticks
                && Interlocked.CompareExchange(ref _lastFinishTicks, at.Ticks, seen) != seen)
            {
            }
        }

        public void RecordError(string message)
        {
            lock (_gate)
            {
                Errors++;
                FirstError ??= message;
            }
        }
    }
}
