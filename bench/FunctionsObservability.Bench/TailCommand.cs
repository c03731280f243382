using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>
/// <c>tail</c> (issue 13): the same ingest on a fresh server with no live-tail subscribers and with
/// N of them (S of which stop reading once subscribed), alternating, then paced batches to time
/// delivery to the readers. Readers watch one host each (<c>cpu_usage_user{host=hI}</c>), the way a
/// dashboard per host would; the stalled ones watch the whole metric, so they fall behind at once.
/// </summary>
internal static class TailCommand
{
    public static async Task<int> RunAsync(Options options)
    {
        var s = new TailSettings(
            Server: options.String("server"),
            Data: Path.GetFullPath(options.String("data")),
            Work: Path.GetFullPath(options.String("work", "bench/work/tail")),
            Subscribers: options.Int("subscribers", 1000),
            Stalled: options.Int("stalled", 100),
            Rounds: options.Int("rounds", 3),
            Concurrency: options.Int("concurrency", 4),
            Paced: options.Int("paced", 100),
            PaceMs: options.Int("pace-ms", 100),
            ReaderMetric: options.String("reader-metric", "cpu_usage_user"));
        var jsonOut = options.OptionalString("json");
        var mdOut = options.OptionalString("md");
        var command = options.String("command", "tail");
        options.EnsureAllUsed();

        var runs = new JsonArray();
        var ok = true;
        for (var round = 1; round <= s.Rounds; round++)
        {
            foreach (var with in new[] { false, true })
            {
                var (run, runOk) = await RunOnceAsync(s, round, with);
                ok &= runOk;
                runs.Add(run);
                Console.Error.WriteLine($"tail: round {round} {(with ? "with" : "without")} subscribers: {run["values_per_s"]} values/s");
            }
        }

        var result = Summarise(s, runs);
        result["ok"] = ok;
        if (jsonOut is not null)
        {
            await File.WriteAllTextAsync(jsonOut, result.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }

        if (mdOut is not null)
        {
            await File.WriteAllTextAsync(mdOut, TailReport.Markdown(result, command));
        }

        JsonOut.Print(result);
        return ok ? 0 : 3;
    }

    private static async Task<(JsonObject Run, bool Ok)> RunOnceAsync(TailSettings s, int round, bool with)
    {
        var label = $"tail-r{round}-{(with ? "with" : "none")}";
        var dataDir = Path.Combine(s.Work, label);
        if (Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true);
        }

        Directory.CreateDirectory(dataDir);
        var manifest = Generator.ReadManifest(s.Data);
        var hosts = manifest["hosts"]!.GetValue<int>();
        var perHost = manifest["points_per_series"]!.GetValue<long>();
        var firstTs = manifest["first_ts"]!.GetValue<long>();
        var lastTs = manifest["last_ts"]!.GetValue<long>();
        string[] arguments =
        [
            $"--Storage:DataDirectory={dataDir}", "--Timers:Enabled=false",
            $"--Tail:MaxSubscribers={s.Subscribers}", $"--Tail:MaxSubscribersPerClient={s.Subscribers}",
            $"--RateLimits:Query:Burst={s.Subscribers * 2}",
        ];
        await using var server = await ServiceProcess.StartAsync(s.Server, arguments, Path.Combine(s.Work, label + ".log"));

        // The metric must exist before anyone subscribes: one point an hour before the workload, outside its count.
        using (var seed = new StringContent($"cpu,host=h0,region=r0 usage_user=0,usage_system=0 {firstTs - 3600}\nidle,host=h0 v=0 {firstTs - 3600}\n", Encoding.UTF8, "text/plain"))
        using (var seeded = await server.Client.PostAsync(Http.Relative("/api/v2/write?precision=s"), seed))
        {
            seeded.EnsureSuccessStatusCode();
        }

        await using var subscribers = new TailSubscribers(server.Url, s.Subscribers + 10);
        var readers = s.Subscribers - s.Stalled;
        if (with)
        {
            for (var i = 0; i < s.Subscribers; i++)
            {
                if (i % 10 == 9 && i / 10 < s.Stalled)
                {
                    await subscribers.AddStalledAsync(new Uri(server.Url), "/api/tail?metric=cpu_usage_user");
                }
                else
                {
                    await subscribers.AddReaderAsync($"/api/tail?metric={s.ReaderMetric}&tag=host:h{subscribers.Readers.Count % hosts}");
                }
            }
        }

        // The seed's two values, and the warm-up's one per watched host per batch, are cpu_ values the ingest's count sees.
        long alreadyStored = 2;
        if (with)
        {
            var warmed = await WarmUpReadersAsync(s, server, subscribers, firstTs, Math.Min(readers, hosts));
            alreadyStored += s.ReaderMetric == "cpu_usage_user" ? warmed : 0;
        }

        var (ingest, ingestExit) = await IngestCommand.IngestAsync(server.Url, s.Data, s.Concurrency, server.Pid, label,
            TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(10), warmup: 40, alreadyStored: alreadyStored);
        var run = new JsonObject
        {
            ["round"] = round,
            ["subscribers"] = with ? s.Subscribers : 0,
            ["values_per_s"] = ingest["values_per_s"]?.DeepClone(),
            ["server_cpu_s_per_m_values"] = ingest["server_cpu_s_per_m_values"]?.DeepClone(),
            ["server_peak_rss_mib"] = ingest["server_peak_rss_mib"]?.DeepClone(),
            ["other_cpu_cores"] = ingest["other_cpu_cores"]?.DeepClone(),
            ["bench_cpu_cores"] = ingest["sender_cpu_cores"]?.DeepClone(),
            ["server_cpu_cores"] = ingest["server_cpu_cores"]?.DeepClone(),
            ["ingest_errors"] = ingest["errors"]?.DeepClone(),
        };
        var ok = ingestExit == 0;
        if (!with)
        {
            return (run, ok);
        }

        // Every reader must get every point of its host; give the fan-out time to finish.
        var expected = s.ReaderMetric != "cpu_usage_user" ? 0 : Math.Min(readers, hosts) == readers ? readers * perHost : 0;
        var clock = Stopwatch.StartNew();
        while (subscribers.Readers.Sum(r => r.Points) < expected && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
        }

        run["reader_points_expected"] = expected;
        run["reader_points_received"] = subscribers.Readers.Sum(r => r.Points);
        run["delivered_after_ingest_s"] = JsonOut.Num(clock.Elapsed.TotalSeconds, 2);
        run["stalled_dropped"] = await subscribers.CountDroppedStalledAsync(TimeSpan.FromSeconds(30));
        run["readers_ended"] = subscribers.Readers.Count(r => r.Ended);
        run["paced"] = await PacedAsync(s, server, subscribers, lastTs, Math.Min(readers, hosts));
        ok &= run["reader_points_received"]!.GetValue<long>() == expected && run["stalled_dropped"]!.GetValue<int>() == s.Stalled
            && run["readers_ended"]!.GetValue<int>() == 0;
        return (run, ok);
    }

    /// <summary>
    /// Batches of one point per watched host, before the workload's time range (so the ingest's
    /// count ignores them), until every reader has had many: the JIT compiles and tiers up the
    /// readers' code here, not while the ingest is being timed.
    /// </summary>
    private static async Task<long> WarmUpReadersAsync(TailSettings s, ServiceProcess server, TailSubscribers subscribers, long firstTs, int hosts)
    {
        const int Batches = 200;
        for (var k = 1; k <= Batches; k++)
        {
            var body = new StringBuilder(hosts * 64);
            for (var h = 0; h < hosts; h++)
            {
                body.Append(LineFor(s.ReaderMetric, h, TailSubscribers.WarmupBase + k, firstTs - 1800 + k));
            }

            using var content = new StringContent(body.ToString(), Encoding.UTF8, "text/plain");
            using var response = await server.Client.PostAsync(Http.Relative("/api/v2/write?precision=s"), content);
            response.EnsureSuccessStatusCode();
            await Task.Delay(5);
        }

        var clock = Stopwatch.StartNew();
        while (subscribers.Readers.Any(r => r.WarmupEvents == 0) && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }

        // Tier-up happens in the background after the calls; give it a moment with the machine idle.
        await Task.Delay(1000);
        return (long)Batches * hosts;
    }

    /// <summary>Batches of one point per watched host, every pace-ms; delivery time from the send to each reader's receipt.</summary>
    private static async Task<JsonObject> PacedAsync(TailSettings s, ServiceProcess server, TailSubscribers subscribers, long lastTs, int hosts)
    {
        var sent = new long[s.Paced + 1];
        for (var k = 1; k <= s.Paced; k++)
        {
            var body = new StringBuilder(hosts * 64);
            for (var h = 0; h < hosts; h++)
            {
                body.Append(LineFor(s.ReaderMetric, h, TailSubscribers.PacedBase + k, lastTs + k));
            }

            using var content = new StringContent(body.ToString(), Encoding.UTF8, "text/plain");
            sent[k] = Stopwatch.GetTimestamp();
            using (var response = await server.Client.PostAsync(Http.Relative("/api/v2/write?precision=s"), content))
            {
                response.EnsureSuccessStatusCode();
            }

            await Task.Delay(s.PaceMs);
        }

        var clock = Stopwatch.StartNew();
        while (subscribers.Readers.Any(r => r.PacedArrivals.Count < s.Paced) && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }

        var latencies = new List<double>();
        foreach (var reader in subscribers.Readers)
        {
            lock (reader.PacedArrivals)
            {
                latencies.AddRange(reader.PacedArrivals.Select(a => Stopwatch.GetElapsedTime(sent[a.Key], a.Value).TotalMilliseconds));
            }
        }

        var sorted = latencies.Order().ToArray();
        return new JsonObject
        {
            ["batches"] = s.Paced,
            ["deliveries_expected"] = (long)s.Paced * subscribers.Readers.Count,
            ["deliveries"] = sorted.Length,
            ["latency_ms"] = IngestCommand.LatencyJson(sorted),
        };
    }

    /// <summary>A line of the readers' metric: <c>cpu_usage_user</c>, or the seeded <c>idle_v</c>.</summary>
    private static string LineFor(string metric, int host, double value, long seconds) => metric == "cpu_usage_user"
        ? string.Create(CultureInfo.InvariantCulture, $"cpu,host=h{host},region=r0 usage_user={value} {seconds}\n")
        : string.Create(CultureInfo.InvariantCulture, $"idle,host=h{host} v={value} {seconds}\n");

    private static JsonObject Summarise(TailSettings s, JsonArray runs)
    {
        double Median(bool with) => Stats.Percentile([.. runs.Select(r => r!.AsObject())
            .Where(r => r["subscribers"]!.GetValue<int>() > 0 == with)
            .Select(r => r["values_per_s"]?.GetValue<double>() ?? double.NaN).Order()], 50);
        var none = Median(false);
        var with = Median(true);
        var paced = runs.Select(r => r!["paced"]).OfType<JsonObject>().ToArray();
        return new JsonObject
        {
            ["cmd"] = "tail",
            ["subscribers"] = s.Subscribers,
            ["stalled"] = s.Stalled,
            ["rounds"] = s.Rounds,
            ["concurrency"] = s.Concurrency,
            ["reader_metric"] = s.ReaderMetric,
            ["values_per_s_without"] = JsonOut.Num(none, 0),
            ["values_per_s_with"] = JsonOut.Num(with, 0),
            ["with_over_without"] = JsonOut.Num(with / none, 3),
            ["paced_p99_ms_per_round"] = new JsonArray([.. paced.Select(p => p["latency_ms"]!["p99"]?.DeepClone())]),
            ["runs"] = runs,
        };
    }

    private sealed record TailSettings(string Server, string Data, string Work, int Subscribers, int Stalled, int Rounds, int Concurrency, int Paced, int PaceMs, string ReaderMetric);
}
