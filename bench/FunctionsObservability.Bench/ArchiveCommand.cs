using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;

namespace FunctionsObservability.Bench;

/// <summary>
/// <c>archive</c> (issue 4): starts the service itself, because it must restart it on the same data
/// folder. Two parts, each on a fresh server per archive store:
/// <list type="number">
/// <item>Throughput: the generator's cpu workload (1,000 hosts, 2 fields, 1 s apart) starting at
/// midnight UTC <c>--days-ago</c> days back, so every point lies before the 24 h hot window; after a
/// small warm-up archive run, <c>POST /api/admin/archive</c> until <c>morePending</c> is false. Wall
/// time, rows/s, Parquet bytes, bytes per point on the store, DuckDB file sizes before and after.</item>
/// <item>Queries over one archived day (midnight UTC two days back, <c>--query-hosts</c> hosts, one
/// field every <c>--query-interval</c> s): the same three queries hot (before archiving) and archived;
/// cold = the first request after a restart (the archive cache is emptied on start, so a Blob store
/// downloads again), a fresh restart for every cold sample; warm = median of <c>--runs</c> after one
/// unmeasured request. Answers of hot and archived are compared.</item>
/// </list>
/// </summary>
internal static class ArchiveCommand
{
    private const string ArchivePath = "/api/admin/archive";
    private const long Day = 86_400;

    public static async Task<int> RunAsync(Options options)
    {
        var s = new Settings(
            Server: Path.GetFullPath(options.String("server")),
            Connection: options.OptionalString("connection"),
            Work: Path.GetFullPath(options.String("work", Path.Combine(Path.GetTempPath(), "fo-bench-archive"))),
            Data: options.OptionalString("data") is { } data ? Path.GetFullPath(data) : null,
            Points: options.Long("points", 10_000_000),
            Hosts: options.Int("hosts", 1000),
            Concurrency: options.Int("concurrency", 4),
            DaysAgo: options.Int("days-ago", 3),
            QueryHosts: options.Int("query-hosts", 100),
            QueryInterval: options.Int("query-interval", 10),
            Runs: options.Int("runs", 5),
            Restarts: options.Int("restarts", 3),
            QuietWait: TimeSpan.FromSeconds(options.Double("quiet-wait", 20)),
            KeepData: options.Int("keep-data", 0) == 1,
            Commit: options.String("commit", "unknown"));
        var defaultStores = s.Connection is null ? "local" : "blob,local";
        var stores = ParseStores(options.String("stores", defaultStores));
        var queryStores = ParseStores(options.String("query-stores", defaultStores));
        var jsonOut = options.OptionalString("json");
        var mdOut = options.OptionalString("md");
        options.EnsureAllUsed();
        if (s.Points <= 0 || s.Points % (2L * s.Hosts) != 0)
        {
            throw new UsageException("--points must be a positive multiple of 2 x --hosts (two fields per line)");
        }

        if (s.DaysAgo < 3)
        {
            throw new UsageException("--days-ago must be at least 3 (the query day is two days back, the warm-up a day before --days-ago)");
        }

        if (Day % s.QueryInterval != 0)
        {
            throw new UsageException("--query-interval must divide a day");
        }

        if (stores.Concat(queryStores).Contains("blob") && s.Connection is null)
        {
            throw new UsageException("the blob store needs --connection (an Azurite connection string)");
        }

        Directory.CreateDirectory(s.Work);
        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var result = new JsonObject
        {
            ["cmd"] = "archive",
            ["started"] = stamp,
            ["machine"] = MachineDescription(),
            ["commit"] = s.Commit,
            ["server"] = s.Server,
            ["settings"] = new JsonObject
            {
                ["points"] = s.Points,
                ["hosts"] = s.Hosts,
                ["concurrency"] = s.Concurrency,
                ["days_ago"] = s.DaysAgo,
                ["query_hosts"] = s.QueryHosts,
                ["query_interval_s"] = s.QueryInterval,
                ["runs"] = s.Runs,
                ["restarts"] = s.Restarts,
                ["quiet_wait_s"] = s.QuietWait.TotalSeconds,
                ["stores"] = string.Join(',', stores),
                ["query_stores"] = string.Join(',', queryStores),
            },
        };
        var failures = 0;
        var throughput = new JsonArray();
        result["throughput"] = throughput;
        foreach (var store in stores)
        {
            var (row, ok) = await ThroughputAsync(s, store, stamp);
            throughput.Add(row);
            failures += ok ? 0 : 1;
        }

        var queries = new JsonArray();
        result["query"] = queries;
        foreach (var store in queryStores)
        {
            var (row, ok) = await QueriesAsync(s, store, stamp);
            queries.Add(row);
            failures += ok ? 0 : 1;
        }

        result["ok"] = failures == 0;
        if (jsonOut is not null)
        {
            File.WriteAllText(jsonOut, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        if (mdOut is not null)
        {
            File.WriteAllText(mdOut, ArchiveReport.Markdown(result));
        }

        JsonOut.Print(result);
        return failures == 0 ? 0 : 3;
    }

    // ---- part 1: throughput -------------------------------------------------------------------

    private static async Task<(JsonObject Row, bool Ok)> ThroughputAsync(Settings s, string store, string stamp)
    {
        var today = Today();
        var baseTs = today - (s.DaysAgo * Day);
        var lines = s.Points / 2;
        var workload = Workload(s, $"tput-{lines}-{s.Hosts}-{baseTs}", new GenParams(lines, s.Hosts, 10, 5000, baseTs, 42, "s"));
        var label = $"tput-{store}";
        var dataDir = FreshDirectory(Path.Combine(s.Work, $"srv-{label}"));
        var log = Path.Combine(s.Work, "logs", $"{label}.log");
        var container = $"bench-tput-{store}-{stamp.ToLowerInvariant()}";
        var arguments = ServerArguments(s, store, dataDir, container);
        Progress($"{label}: {s.Points:N0} points from {Iso(baseTs)}, {workload["files"]} files");
        var row = new JsonObject
        {
            ["store"] = store,
            ["points"] = s.Points,
            ["container"] = store == "blob" ? container : null,
            ["first_ts"] = Iso(baseTs),
            ["last_ts"] = Iso(workload["last_ts"]!.GetValue<long>()),
            ["log"] = log,
        };
        var ok = true;
        await using (var server = await ServiceProcess.StartAsync(s.Server, arguments, log))
        {
            await server.WaitIdleAsync(0.15, TimeSpan.FromSeconds(10));

            // JIT, the blob client and the container: one small partition archived before the timed runs.
            var warm = await WarmUpAsync(server, baseTs - Day);
            row["warmup_archive"] = warm;
            ok &= warm["ok"]!.GetValue<bool>();

            Progress($"{label}: ingest with C={s.Concurrency}");
            var (ingest, ingestExit) = await IngestCommand.IngestAsync(server.Url, workload["dir"]!.GetValue<string>(), s.Concurrency, server.Pid, label,
                TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(10));
            ok &= ingestExit == 0;
            row["ingest"] = Pick(ingest, "values_per_s", "wall_s", "errors", "server_peak_rss_mib", "other_cpu_cores", "count");
            row["wait_clustered_s"] = JsonOut.Num(await WaitClusteredAsync(server), 1);
            row["duckdb_bytes_before"] = DuckDbBytes(dataDir);
            row["catalog_points_before"] = await CatalogPointsAsync(server);

            row["quiet_before_archive"] = await WaitQuietAsync(s, server.Pid);
            Progress($"{label}: archiving");
            var archive = await ArchiveAllAsync(server);
            row["archive"] = archive;
            ok &= archive["ok"]!.GetValue<bool>();
            row["duckdb_bytes_after"] = DuckDbBytes(dataDir);
            row["catalog_points_after"] = await CatalogPointsAsync(server);
            var (objects, storeBytes) = await StoreContentsAsync(s, store, dataDir, container);
            row["store_objects"] = objects;
            row["store_bytes"] = storeBytes;
            var rows = archive["rows"]!.GetValue<long>();
            var warmBytes = warm["bytes"]?.GetValue<long>() ?? 0;
            row["bytes_per_point"] = JsonOut.Num((double)(storeBytes - warmBytes) / Math.Max(1, rows), 3);
            ok &= rows == s.Points;
            Progress($"{label}: {rows:N0} rows in {archive["wall_s"]} s = {archive["rows_per_s"]} rows/s, {storeBytes:N0} bytes on the store");
        }

        row["duckdb_bytes_after_shutdown"] = DuckDbBytes(dataDir);
        row["server_log_archive_lines"] = ArchiveLogLines(log);
        row["ok"] = ok;
        Cleanup(s, dataDir);
        return (row, ok);
    }

    /// <summary>Archives a 600-point partition of one series a day before the workload, through the same endpoint.</summary>
    private static async Task<JsonObject> WarmUpAsync(ServiceProcess server, long hourStart)
    {
        var body = new StringBuilder();
        for (var i = 0; i < 600; i++)
        {
            body.Append(CultureInfo.InvariantCulture, $"warm,host=w0 value={i} {hourStart + (i * 6)}\n");
        }

        using (var content = new StringContent(body.ToString(), Encoding.UTF8, "text/plain"))
        using (var response = await server.Client.PostAsync(Http.Relative("/api/v2/write?precision=s"), content))
        {
            if (!response.IsSuccessStatusCode)
            {
                return new JsonObject { ["ok"] = false, ["error"] = $"warm-up write answered {(int)response.StatusCode}" };
            }
        }

        await WaitClusteredAsync(server);
        return await ArchiveAllAsync(server);
    }

    // ---- part 2: queries over an archived day -------------------------------------------------

    private static async Task<(JsonObject Row, bool Ok)> QueriesAsync(Settings s, string store, string stamp)
    {
        var day = Today() - (2 * Day);
        var lines = s.QueryHosts * (Day / s.QueryInterval);
        var workload = Workload(s, $"query-{s.QueryHosts}-{s.QueryInterval}-{day}",
            new GenParams(lines, s.QueryHosts, 10, 5000, day, 42, "s") { Interval = s.QueryInterval == 1 ? null : s.QueryInterval, Fields = 1 });
        var label = $"query-{store}";
        var dataDir = FreshDirectory(Path.Combine(s.Work, $"srv-{label}"));
        var log = Path.Combine(s.Work, "logs", $"{label}.log");
        var container = $"bench-query-{store}-{stamp.ToLowerInvariant()}";
        var arguments = ServerArguments(s, store, dataDir, container);
        var host = s.QueryHosts > 42 ? "h42" : "h0";
        var from = Iso(day);
        var to = Iso(day + Day);
        var queries = new (string Key, string Description, string Path)[]
        {
            ("a_one_host_1m_avg_day", $"1-minute means of cpu_usage_user for host {host} over the day (1,440 points)",
                $"/api/query/aggregate?metric=cpu_usage_user&from={from}&to={to}&step=1m&fn=avg&tag=host:{host}"),
            ("b_by_host_1h_avg_day", $"1-hour means of cpu_usage_user grouped by host over the day ({s.QueryHosts} series x 24)",
                $"/api/query/aggregate?metric=cpu_usage_user&from={from}&to={to}&step=1h&fn=avg&groupBy=host"),
            ("c_points_page_1000", "a page of 1,000 raw points of cpu_usage_user from midday on",
                $"/api/query/points?metric=cpu_usage_user&from={Iso(day + (Day / 2))}&to={to}&limit=1000"),
        };
        Progress($"{label}: {lines:N0} points on {from[..10]}, {s.QueryHosts} hosts every {s.QueryInterval} s");
        var row = new JsonObject
        {
            ["store"] = store,
            ["points"] = lines,
            ["container"] = store == "blob" ? container : null,
            ["day"] = from[..10],
            ["log"] = log,
        };
        var ok = true;
        var server = await ServiceProcess.StartAsync(s.Server, arguments, log);
        try
        {
            var (ingest, ingestExit) = await IngestCommand.IngestAsync(server.Url, workload["dir"]!.GetValue<string>(), s.Concurrency, server.Pid, label,
                TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(10));
            ok &= ingestExit == 0;
            row["ingest"] = Pick(ingest, "values_per_s", "wall_s", "errors", "count");
            await WaitClusteredAsync(server);
            row["duckdb_bytes_hot"] = DuckDbBytes(dataDir);

            Progress($"{label}: hot");
            (var hot, server) = await MeasureAsync(s, server, arguments, log, queries);
            Progress($"{label}: archiving the day");
            var archive = await ArchiveAllAsync(server);
            row["archive"] = archive;
            ok &= archive["ok"]!.GetValue<bool>() && archive["rows"]!.GetValue<long>() == lines;
            Progress($"{label}: archived");
            (var archived, server) = await MeasureAsync(s, server, arguments, log, queries);

            var compared = new JsonObject();
            foreach (var (key, description, path) in queries)
            {
                var h = hot[key]!.AsObject();
                var a = archived[key]!.AsObject();
                var same = SameAnswer(h["answer"]!.GetValue<string>(), a["answer"]!.GetValue<string>());
                ok &= same && h["ok"]!.GetValue<bool>() && a["ok"]!.GetValue<bool>();
                compared[key] = new JsonObject
                {
                    ["description"] = description,
                    ["path"] = path,
                    ["hot_cold_ms"] = h["cold_median_ms"]!.DeepClone(),
                    ["hot_warm_ms"] = h["warm_median_ms"]!.DeepClone(),
                    ["archived_cold_ms"] = a["cold_median_ms"]!.DeepClone(),
                    ["archived_warm_ms"] = a["warm_median_ms"]!.DeepClone(),
                    ["ratio_cold"] = JsonOut.Num(a["cold_median_ms"]!.GetValue<double>() / h["cold_median_ms"]!.GetValue<double>(), 2),
                    ["ratio_warm"] = JsonOut.Num(a["warm_median_ms"]!.GetValue<double>() / h["warm_median_ms"]!.GetValue<double>(), 2),
                    ["same_answer"] = same,
                    ["bytes"] = h["bytes"]!.DeepClone(),
                    ["shape"] = h["shape"]!.DeepClone(),
                };
                h.Remove("answer");
                a.Remove("answer");
            }

            row["hot"] = hot;
            row["archived"] = archived;
            row["compare"] = compared;
            row["duckdb_bytes_archived"] = DuckDbBytes(dataDir);
        }
        finally
        {
            await server.DisposeAsync();
        }

        row["server_log_archive_lines"] = ArchiveLogLines(log);
        row["ok"] = ok;
        Cleanup(s, dataDir);
        return (row, ok);
    }

    /// <summary>
    /// Cold: for each query, <c>Restarts</c> times: restart the server, wait until it is idle, time the
    /// query once. Warm: on the last server, one unmeasured request, then <c>Runs</c> timed ones.
    /// </summary>
    private static async Task<(JsonObject Result, ServiceProcess Server)> MeasureAsync(
        Settings s, ServiceProcess server, IReadOnlyList<string> arguments, string log, (string Key, string Description, string Path)[] queries)
    {
        var result = new JsonObject();
        foreach (var (key, _, path) in queries)
        {
            var cold = new List<Timed>();
            var others = new List<JsonObject>();
            for (var r = 0; r < s.Restarts; r++)
            {
                await server.DisposeAsync();
                server = await ServiceProcess.StartAsync(s.Server, arguments, log);
                await server.WaitIdleAsync(0.15, TimeSpan.FromSeconds(15));
                others.Add(await WaitQuietAsync(s, server.Pid));
                cold.Add(await TimeAsync(server.Client, path));
            }

            others.Add(await WaitQuietAsync(s, server.Pid));

            var warm = new List<Timed>();
            _ = await TimeAsync(server.Client, path);
            for (var i = 0; i < s.Runs; i++)
            {
                warm.Add(await TimeAsync(server.Client, path));
            }

            var all = cold.Concat(warm).ToList();
            result[key] = new JsonObject
            {
                ["ok"] = all.All(t => t.Status == 200),
                ["status"] = all.Select(t => t.Status).Max(),
                ["cold_ms"] = new JsonArray(cold.Select(t => JsonOut.Num(t.Milliseconds, 2)).ToArray()),
                ["cold_median_ms"] = JsonOut.Num(Stats.Median(cold.Select(t => t.Milliseconds)), 2),
                ["warm_ms"] = new JsonArray(warm.Select(t => JsonOut.Num(t.Milliseconds, 2)).ToArray()),
                ["warm_median_ms"] = JsonOut.Num(Stats.Median(warm.Select(t => t.Milliseconds)), 2),
                ["other_cpu_cores_before"] = new JsonArray(others.Select(o => o["other_cpu_cores"]!.DeepClone()).ToArray()),
                ["bytes"] = warm[^1].Body.Length,
                ["shape"] = Shape(warm[^1].Body),
                ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(warm[^1].Body)),
                ["error"] = all.FirstOrDefault(t => t.Status != 200) is { } bad ? IngestCommand.Truncate(Encoding.UTF8.GetString(bad.Body)) : null,
                ["answer"] = Encoding.UTF8.GetString(warm[^1].Body),
            };
            Progress($"  {key}: cold {result[key]!["cold_median_ms"]} ms, warm {result[key]!["warm_median_ms"]} ms");
        }

        return (result, server);
    }

    private static async Task<Timed> TimeAsync(HttpClient client, string path)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.GetAsync(Http.Relative(path));
            var body = await response.Content.ReadAsByteArrayAsync();
            return new Timed((int)response.StatusCode, Stopwatch.GetElapsedTime(start).TotalMilliseconds, body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new Timed(0, Stopwatch.GetElapsedTime(start).TotalMilliseconds, Encoding.UTF8.GetBytes(e.Message));
        }
    }

    // ---- archive runs -------------------------------------------------------------------------

    /// <summary>POST /api/admin/archive until morePending is false (at most 50 runs), with the server's CPU and RSS over all of them.</summary>
    private static async Task<JsonObject> ArchiveAllAsync(ServiceProcess server)
    {
        var runs = new JsonArray();
        long files = 0, rows = 0, bytes = 0;
        string? error = null;
        await using var meter = new ResourceMeter(server.Pid);
        meter.Start();
        for (var n = 0; n < 50; n++)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await server.Client.PostAsync(Http.Relative(ArchivePath), null);
            var text = await response.Content.ReadAsStringAsync();
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            JsonNode? answer;
            try
            {
                answer = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                answer = text;
            }

            runs.Add(new JsonObject { ["status"] = (int)response.StatusCode, ["client_ms"] = JsonOut.Num(ms, 1), ["answer"] = answer });
            if (!response.IsSuccessStatusCode || answer is not JsonObject o)
            {
                error = $"HTTP {(int)response.StatusCode}: {IngestCommand.Truncate(text)}";
                break;
            }

            files += o["filesArchived"]!.GetValue<long>();
            rows += o["rowsArchived"]!.GetValue<long>();
            bytes += o["bytesArchived"]!.GetValue<long>();
            if (o["morePending"]?.GetValue<bool>() != true)
            {
                break;
            }
        }

        var usage = await meter.StopAsync();
        return new JsonObject
        {
            ["ok"] = error is null,
            ["error"] = error,
            ["requests"] = runs.Count,
            ["files"] = files,
            ["rows"] = rows,
            ["bytes"] = bytes,
            ["wall_s"] = JsonOut.Num(usage.WallSeconds, 3),
            ["rows_per_s"] = JsonOut.Num(rows / usage.WallSeconds, 0),
            ["parquet_mib_per_s"] = JsonOut.Num(bytes / 1048576.0 / usage.WallSeconds, 2),
            ["parquet_bytes_per_row"] = JsonOut.Num((double)bytes / Math.Max(1, rows), 3),
            ["server_cpu_s"] = JsonOut.Num(usage.ServerCpuSeconds, 2),
            ["server_cpu_cores"] = JsonOut.Num(usage.ServerCpuSeconds / usage.WallSeconds, 2),
            ["server_peak_rss_mib"] = JsonOut.Num(usage.ServerPeakRssMiB, 0),
            ["server_max_polled_rss_mib"] = JsonOut.Num(usage.ServerMaxPolledRssMiB, 0),
            ["other_cpu_cores"] = JsonOut.Num(usage.OtherCpuCores, 2),
            ["runs"] = runs,
        };
    }

    /// <summary>Waits until the writer has clustered every row (unclusteredRows = 0) and the server is idle; returns the seconds waited.</summary>
    private static async Task<double> WaitClusteredAsync(ServiceProcess server)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            using var response = await server.Client.GetAsync(Http.Relative("/api/health/ready"));
            var ready = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            if (ready?["unclusteredRows"]?.GetValue<long>() == 0)
            {
                break;
            }

            await Task.Delay(200);
        }

        await server.WaitIdleAsync(0.15, TimeSpan.FromSeconds(30));
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Waits (at most the quiet wait) until work other than the server and this tool uses less than 15 % of
    /// the machine over one second, as bench/run does before every timed phase; returns what it saw.
    /// </summary>
    private static async Task<JsonObject> WaitQuietAsync(Settings s, int serverPid)
    {
        var clock = Stopwatch.StartNew();
        double other;
        do
        {
            var m0 = Proc.MachineBusySeconds();
            var p0 = Proc.CpuSeconds(serverPid);
            var o0 = Proc.OwnCpuSeconds();
            var t0 = Stopwatch.GetTimestamp();
            await Task.Delay(1000);
            var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            other = (Proc.MachineBusySeconds() - m0 - (Proc.CpuSeconds(serverPid) - p0) - (Proc.OwnCpuSeconds() - o0)) / seconds;
        }
        while (other >= 0.15 * Environment.ProcessorCount && clock.Elapsed < s.QuietWait);

        return new JsonObject
        {
            ["waited_s"] = JsonOut.Num(clock.Elapsed.TotalSeconds, 1),
            ["other_cpu_cores"] = JsonOut.Num(other, 2),
            ["quiet"] = other < 0.15 * Environment.ProcessorCount,
        };
    }

    private static async Task<long?> CatalogPointsAsync(ServiceProcess server) =>
        (await PointCounter.CountAsync(server.Client, "cpu_")).Stored;

    private static async Task<(long Objects, long Bytes)> StoreContentsAsync(Settings s, string store, string dataDir, string container)
    {
        long objects = 0, bytes = 0;
        if (store == "blob")
        {
            var client = new BlobContainerClient(s.Connection, container);
            await foreach (var item in client.GetBlobsAsync())
            {
                objects++;
                bytes += item.Properties.ContentLength ?? 0;
            }
        }
        else
        {
            var root = Path.Combine(dataDir, "archive");
            if (Directory.Exists(root))
            {
                foreach (var file in Directory.EnumerateFiles(root, "*.parquet", SearchOption.AllDirectories))
                {
                    objects++;
                    bytes += new FileInfo(file).Length;
                }
            }
        }

        return (objects, bytes);
    }

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
