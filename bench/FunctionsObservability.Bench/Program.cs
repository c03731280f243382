using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using FunctionsObservability.Bench;

const string Usage = """
    usage: FunctionsObservability.Bench <command> [--option value ...]
      gen          --out DIR [--lines 5000000 --hosts 1000 --regions 10 --batch 5000 --base 1704067200 --seed 42 --precision ns --interval 1 --fields 2]
      ingest       --url URL --data DIR [--concurrency 4 --limit-files N --pid PID --target NAME --path P --timeout 300 --api ours|influxdb|vm]
      smallwrites  --url URL [--connections 64 --lines 10 --seconds 30 --warmup 1 --pid PID --target NAME --path P --api ours|influxdb|vm]
      smallwrk     --url URL --script bench/stress.lua [--connections 64 --threads 2 --lines 10 --seconds 30 --timeout 10 --pid PID --target NAME
                   --path P --api ours|influxdb|vm --wrk /usr/bin/wrk]  (the same small-write test driven by wrk)
      query        --url URL --data DIR [--runs 5 --host h42 --pid PID --target NAME --api ours|influxdb|vm]
                   (--api: how points are counted and queried; influxdb = InfluxQL on database bench, vm = MetricsQL)
      archivenow   --url URL [--dir ARCHIVE_DIR --key ADMIN_KEY --pid PID]  (POST /api/admin/archive until nothing is pending)
      count        --url URL [--prefix cpu_]
      parquet      [--rows 10000000 --runs 3 --out DIR]  (archive writer choice: DuckDB COPY vs Parquet.Net)
      archive      --server SERVICE_BINARY [--connection AZURITE --work DIR --data DIR --points 10000000 --hosts 1000 --stores blob,local
                   --query-stores blob,local --query-hosts 100 --query-interval 10 --runs 5 --restarts 3 --json OUT --md OUT]
                   (issue 4: archive throughput, and queries over an archived day vs hot; starts and restarts the service itself)
      queue        --url URL --connection STORAGE [--queue metrics-ingest --messages 1000 --points 1000]  (fill the queue, then time the service draining it)
      tail         --server SERVICE_BINARY --data DIR [--subscribers 1000 --stalled 100 --rounds 3 --concurrency 4 --paced 100 --pace-ms 100
                   --work DIR --json OUT]  (issue 13: ingest with and without live-tail subscribers, alternating; delivery latency)
      freeport     (prints a free TCP port on 127.0.0.1)
      report       --in RESULTS.jsonl --json OUT.json --md OUT.md [--size NAME]
      plot         --in RESULTS.json [--peers PEERS.json --out DIR --prefix NAME]  (PNGs: NAME-ingest, NAME-smallwrites, NAME-query;
                   default DIR = the input's folder, NAME = the input's file name)
    Each command prints one JSON object on stdout (report writes files); progress goes to stderr.
    Exit code 0 = fine, 3 = ran but saw errors or lost points, 2 = bad usage.
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.Error.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    var options = new Options(args[1..]);
    return args[0] switch
    {
        "gen" => Generator.Run(options),
        "ingest" => await IngestCommand.RunAsync(options),
        "smallwrites" => await SmallWritesCommand.RunAsync(options),
        "smallwrk" => await SmallWrkCommand.RunAsync(options),
        "query" => await QueryCommand.RunAsync(options),
        "queue" => await QueueCommand.RunAsync(options),
        "tail" => await TailCommand.RunAsync(options),
        "parquet" => await ParquetCommand.RunAsync(options),
        "archive" => await ArchiveCommand.RunAsync(options),
        "archivenow" => await ArchiveNowCommand.RunAsync(options),
        "count" => await CountAsync(options),
        "freeport" => FreePort(),
        "report" => ReportCommand.Run(options),
        "plot" => PlotCommand.Run(options),
        _ => throw new UsageException($"unknown command '{args[0]}'"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(Usage);
    return 2;
}

static async Task<int> CountAsync(Options options)
{
    var url = options.String("url");
    var prefix = options.String("prefix", "");
    options.EnsureAllUsed();
    using var client = Http.Create(url, 1, TimeSpan.FromSeconds(60));
    var result = await PointCounter.CountAsync(client, prefix);
    JsonOut.Print(new JsonObject
    {
        ["cmd"] = "count",
        ["prefix"] = prefix,
        ["stored"] = result.Stored,
        ["metrics"] = result.Metrics,
        ["ms"] = JsonOut.Num(result.Milliseconds, 2),
        ["error"] = result.Error,
    });
    return result.Error is null ? 0 : 3;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    Console.Out.WriteLine(((IPEndPoint)listener.LocalEndpoint).Port);
    return 0;
}
