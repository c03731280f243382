using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>
/// <c>smallwrk</c>: the small-write test driven by wrk (a C load generator that costs far less CPU than
/// this tool's HttpClient) with <c>bench/stress.lua</c>: <c>wrk -tT -cN -dS --timeout X -s stress.lua URL -- T0_MS L</c>.
/// Every request POSTs L fresh lines; each wrk thread numbers its requests n = 1, 2, ... and request n
/// carries timestamp T0 + n ms for series <c>stress,client=t&lt;thread&gt;c&lt;n % 64&gt;,slot=s&lt;k&gt;</c>, so every
/// (series, time) pair is unique and the store must hold L points per acknowledged request.
/// The script's done() prints one <c>STRESS_JSON {...}</c> line (counts, latency in ms), which this
/// command parses; around the wrk process it measures the server's CPU (utime+stime) and peak RSS like
/// <c>smallwrites</c>, and wrk's own CPU (this process's reaped children). Then it counts the points through
/// the store's API. Prints a <c>smallwrites</c> record with <c>"client": "wrk"</c>.
/// Requests still in flight when wrk stops are neither acknowledged nor counted by wrk but may be stored:
/// up to N x L stored points beyond the acknowledged ones are reported as <c>unacknowledged_stored</c>, not as an error.
/// </summary>
internal static class SmallWrkCommand
{
    public static async Task<int> RunAsync(Options options)
    {
        var url = options.String("url");
        var path = options.String("path", "/api/v2/write?precision=ns");
        var connections = options.Int("connections", 64);
        var threads = Math.Min(options.Int("threads", 2), connections);
        var linesPerRequest = options.Int("lines", 10);
        var seconds = options.Int("seconds", 30);
        var t0Ms = options.Long("t0-ms", 1_706_745_600_000); // 2024-02-01T00:00:00Z
        var pid = options.OptionalString("pid") is { } p ? int.Parse(p, CultureInfo.InvariantCulture) : (int?)null;
        var target = options.String("target", "server");
        var timeoutS = options.Int("timeout", 10);
        var script = options.String("script");
        var wrk = options.String("wrk", "wrk");
        var verifyWait = TimeSpan.FromSeconds(options.Double("verify-wait", 10));
        var api = PeerCount.CheckApi(options.String("api", "ours"));
        options.EnsureAllUsed();

        var start = new ProcessStartInfo(wrk)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            $"-t{threads}", $"-c{connections}", $"-d{seconds}s", "--timeout", $"{timeoutS}s", "-s", script,
            url.TrimEnd('/') + path, "--", t0Ms.ToString(CultureInfo.InvariantCulture), linesPerRequest.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(a);
        }

        await using var meter = new ResourceMeter(pid);
        var children0 = Proc.ChildrenCpuSeconds();
        meter.Start();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {wrk}");
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var stdout = await stdoutTask;
        var stderr = await stderrTask;
        var usage = await meter.StopAsync();
        var wrkCpu = Proc.ChildrenCpuSeconds() - children0;
        Console.Error.Write(stdout);
        Console.Error.Write(stderr);

        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("STRESS_JSON ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            JsonOut.Print(new JsonObject
            {
                ["cmd"] = "smallwrites",
                ["client"] = "wrk",
                ["target"] = target,
                ["api"] = api,
                ["url"] = url + path,
                ["first_error"] = $"wrk exited {process.ExitCode} without a STRESS_JSON line: {IngestCommand.Truncate(stderr + stdout)}",
            });
            return 3;
        }

        var s = JsonNode.Parse(line["STRESS_JSON ".Length..])!.AsObject();
        long L(string key) => s[key]!.GetValue<long>();
        double D(string key) => s[key]!.GetValue<double>();
        var requests = L("requests");
        var statusErrors = L("err_status");
        var socketErrors = L("err_connect") + L("err_read") + L("err_write") + L("err_timeout");
        var acked = requests - statusErrors;
        var duration = D("duration_s");

        using var client = Http.Create(url, 4, TimeSpan.FromSeconds(30));
        var counter = PeerCount.Counter(client, api, "stress", t0Ms / 1000, (t0Ms / 1000) + 86_400);
        await PeerCount.MakeVisibleAsync(client, api);
        var expected = acked * linesPerRequest;
        var verify = await PointCounter.VerifyAsync(counter, "stress_", expected, verifyWait, TimeSpan.FromMilliseconds(250));
        // Stored beyond the acknowledged: requests in flight when wrk stopped (at most one per connection).
        var stored = verify["stored"]?.GetValue<long?>();
        var extra = stored is { } st ? Math.Max(0, st - expected) : (long?)null;
        var inFlightMax = (long)connections * linesPerRequest;
        verify["lost"] = stored is { } st2 ? Math.Max(0, expected - st2) : null;
        verify["unacknowledged_stored"] = extra;
        verify["unacknowledged_stored_max"] = inFlightMax;
        verify["ok"] = stored is { } st3 && st3 >= expected && st3 - expected <= inFlightMax;

        JsonOut.Print(new JsonObject
        {
            ["cmd"] = "smallwrites",
            ["client"] = "wrk",
            ["target"] = target,
            ["api"] = api,
            ["url"] = url + path,
            ["connections"] = connections,
            ["threads"] = threads,
            ["lines_per_request"] = linesPerRequest,
            ["seconds"] = seconds,
            ["warmup_s"] = 0,
            ["timed_wall_s"] = JsonOut.Num(duration, 3),
            ["requests"] = requests,
            ["errors"] = statusErrors + socketErrors,
            ["errors_total"] = statusErrors + socketErrors,
            ["errors_status"] = statusErrors,
            ["errors_socket"] = new JsonObject
            {
                ["connect"] = L("err_connect"), ["read"] = L("err_read"), ["write"] = L("err_write"), ["timeout"] = L("err_timeout"),
            },
            ["first_error"] = statusErrors + socketErrors > 0
                ? $"wrk: {statusErrors} non-2xx, {socketErrors} socket errors (connect {L("err_connect")}, read {L("err_read")}, write {L("err_write")}, timeout {L("err_timeout")})"
                : null,
            ["requests_per_s"] = JsonOut.Num(acked / duration, 0),
            ["lines_per_s"] = JsonOut.Num(acked * linesPerRequest / duration, 0),
            ["latency_ms"] = new JsonObject
            {
                ["n"] = requests,
                ["mean"] = JsonOut.Num(D("lat_ms_mean"), 2),
                ["p50"] = JsonOut.Num(D("lat_ms_p50"), 2),
                ["p95"] = JsonOut.Num(D("lat_ms_p95"), 2),
                ["p99"] = JsonOut.Num(D("lat_ms_p99"), 2),
                ["max"] = JsonOut.Num(D("lat_ms_max"), 2),
            },
            ["acked_requests_total"] = acked,
            ["server_pid"] = pid,
            ["server_cpu_s"] = JsonOut.Num(usage.ServerCpuSeconds, 2),
            ["server_cpu_cores"] = JsonOut.Num(usage.ServerCpuSeconds / usage.WallSeconds, 2),
            ["server_cpu_us_per_request"] = JsonOut.Num(usage.ServerCpuSeconds * 1e6 / Math.Max(1, acked), 1),
            ["client_cpu_s"] = JsonOut.Num(wrkCpu, 2),
            ["client_cpu_cores"] = JsonOut.Num(wrkCpu / usage.WallSeconds, 2),
            ["other_cpu_cores"] = JsonOut.Num(usage.OtherCpuCores - (wrkCpu / usage.WallSeconds), 2),
            ["server_peak_rss_mib"] = JsonOut.Num(usage.ServerPeakRssMiB, 0),
            ["server_max_polled_rss_mib"] = JsonOut.Num(usage.ServerMaxPolledRssMiB, 0),
            ["count"] = verify,
        });
        return statusErrors + socketErrors == 0 && verify["ok"]?.GetValue<bool>() == true ? 0 : 3;
    }
}
