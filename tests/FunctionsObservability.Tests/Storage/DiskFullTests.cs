using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Storage;

/// <summary>
/// A disk that runs out of room under a running service. The room is taken away with the process's
/// file size limit (prlimit; no privileges needed), which the kernel enforces on DuckDB's writes
/// exactly as a full disk is: the write fails (EFBIG here, ENOSPC on a full disk) and nothing is
/// written. Raising the limit again stands for freeing space.
/// </summary>
public sealed class DiskFullTests
{
    private const int LinesPerRequest = 5000;

    [Fact]
    public async Task FullDisk_Answers507WithRetryAfter_SaysSoInReadiness_LogsOnce_AndRecoversWhenSpaceIsFreed()
    {
        using var directory = new TempDirectory();
        var port = ServiceProcess.FreePort();
        var output = new ConcurrentQueue<string>();
        using var process = StartWithoutFileSizeSignal(port, directory.Path, output);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            await ServiceProcess.WaitForHealthAsync(client, process);
            SetFileSizeLimit(process.Id, "1048576");

            // Write until the database's files reach the limit: every acknowledged point is counted.
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600;
            long acknowledged = 0;
            HttpResponseMessage? refused = null;
            for (var batch = 0; batch < 100 && refused is null; batch++)
            {
                var response = await client.PostAsync("/api/ingest?precision=s", Body(now, batch));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    acknowledged += LinesPerRequest;
                    response.Dispose();
                }
                else
                {
                    refused = response;
                }
            }

            Assert.NotNull(refused);
            using (refused)
            {
                var text = await refused.Content.ReadAsStringAsync();
                Assert.True(refused.StatusCode == HttpStatusCode.InsufficientStorage, $"{(int)refused.StatusCode}: {text}");
                Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
                Assert.Contains("is full", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
            }

            for (var again = 0; again < 3; again++)
            {
                using var response = await client.PostAsync("/api/ingest?precision=s", Body(now, 1000 + again));
                Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
            }

            using (var ready = await client.GetAsync("/api/health/ready"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
                Assert.Equal("full", JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("storage").GetString());
            }

            // Space is freed: the next write commits, readiness recovers, and nothing acknowledged was lost.
            SetFileSizeLimit(process.Id, "unlimited");
            using (var write = await client.PostAsync("/api/ingest?precision=s", Body(now, 2000)))
            {
                Assert.Equal(HttpStatusCode.OK, write.StatusCode);
                acknowledged += LinesPerRequest;
            }

            using (var ready = await client.GetAsync("/api/health/ready"))
            {
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
                Assert.Equal("writable", JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("storage").GetString());
            }

            using var metrics = JsonDocument.Parse(await client.GetStringAsync("/api/metrics"));
            Assert.Equal(acknowledged, metrics.RootElement.GetProperty("metrics").EnumerateArray().Single().GetProperty("points").GetInt64());
            Assert.Single(output, line => line.Contains("is full: writes are refused", StringComparison.Ordinal));
            Assert.Single(output, line => line.Contains("takes writes again", StringComparison.Ordinal));
            Assert.DoesNotContain(output, line => line.Contains("Commit of", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    private static StringContent Body(long now, int batch)
    {
        var body = new StringBuilder();
        for (var i = 0; i < LinesPerRequest; i++)
        {
            body.Append(CultureInfo.InvariantCulture, $"fill,host=h{i % 100} v={i} {now - (batch * 100) + (i / 100)}\n");
        }

        return new StringContent(body.ToString(), Encoding.UTF8, "text/plain");
    }

    /// <summary>
    /// The service, with SIGXFSZ ignored (inherited through exec), so a write past the file size
    /// limit fails with an error instead of killing the process, as a write to a full disk does.
    /// </summary>
    private static Process StartWithoutFileSizeSignal(int port, string dataDirectory, ConcurrentQueue<string> output)
    {
        var dll = Path.Combine(RepositoryPaths.FunctionsFolder, "bin", RepositoryPaths.Configuration, "net10.0", "FunctionsObservability.Functions.dll");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("trap '' XFSZ; exec dotnet \"$0\" \"$@\"");
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        start.ArgumentList.Add($"--Storage:DataDirectory={dataDirectory}");
        start.ArgumentList.Add("--Timers:Enabled=false");
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        process.ErrorDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void SetFileSizeLimit(int pid, string soft)
    {
        using var prlimit = Process.Start(new ProcessStartInfo("prlimit", [$"--pid={pid}", $"--fsize={soft}:"]) { RedirectStandardError = true })!;
        prlimit.WaitForExit();
        Assert.True(prlimit.ExitCode == 0, $"prlimit failed: {prlimit.StandardError.ReadToEnd()}");
    }
}
