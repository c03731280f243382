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
internal static partial class ArchiveCommand
{
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

    // ---- archive runs -------------------------------------------------------------------------

    private static Task<JsonObject> ArchiveAllAsync(ServiceProcess server) => AdminArchive.RunUntilDrainedAsync(server.Client, server.Pid);

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
}
