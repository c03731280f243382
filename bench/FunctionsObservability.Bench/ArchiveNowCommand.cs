using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>
/// <c>archivenow</c>: on a running service, <c>POST /api/admin/archive</c> until <c>morePending</c> is
/// false (at most 50 runs), then sums the bytes under the archive folder. <c>bench/run</c> uses it
/// after the last ingest (whose 2024 data is far older than the 24 h hot window) to give the
/// Parquet archive's bytes per archived row next to the hot store's bytes per value.
/// The standalone service without configured keys serves the admin route on loopback without a key;
/// <c>--key</c> sends one (header <c>x-functions-key</c>) when keys are configured.
/// </summary>
internal static class ArchiveNowCommand
{
    private const string ArchivePath = "/api/admin/archive";

    public static async Task<int> RunAsync(Options options)
    {
        var url = options.String("url");
        var dir = options.OptionalString("dir");
        var key = options.OptionalString("key");
        var target = options.String("target", "ours");
        var pid = options.OptionalString("pid") is { } p ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        options.EnsureAllUsed();

        using var client = Http.Create(url, 1, TimeSpan.FromMinutes(30));
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        long files = 0, rows = 0, bytes = 0;
        var requests = 0;
        string? error = null;
        await using var meter = new ResourceMeter(pid);
        meter.Start();
        for (var n = 0; n < 50; n++)
        {
            requests++;
            using var response = await client.PostAsync(Http.Relative(ArchivePath), null);
            var text = await response.Content.ReadAsStringAsync();
            JsonObject? answer = null;
            try
            {
                answer = JsonNode.Parse(text) as JsonObject;
            }
            catch (JsonException)
            {
            }

            if (!response.IsSuccessStatusCode || answer is null)
            {
                error = $"HTTP {(int)response.StatusCode}: {IngestCommand.Truncate(text)}";
                break;
            }

            files += answer["filesArchived"]?.GetValue<long>() ?? 0;
            rows += answer["rowsArchived"]?.GetValue<long>() ?? 0;
            bytes += answer["bytesArchived"]?.GetValue<long>() ?? 0;
            if (answer["morePending"]?.GetValue<bool>() != true)
            {
                break;
            }
        }

        var usage = await meter.StopAsync();
        long? folderBytes = dir is not null && Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length)
            : null;
        JsonOut.Print(new JsonObject
        {
            ["cmd"] = "archivenow",
            ["target"] = target,
            ["ok"] = error is null && rows > 0,
            ["error"] = error ?? (rows == 0 ? "nothing was archived" : null),
            ["requests"] = requests,
            ["files"] = files,
            ["rows"] = rows,
            ["bytes_reported"] = bytes,
            ["archive_dir"] = dir,
            ["archive_dir_bytes"] = folderBytes,
            ["bytes_per_row"] = JsonOut.Num((double)(folderBytes ?? bytes) / Math.Max(1, rows), 3),
            ["wall_s"] = JsonOut.Num(usage.WallSeconds, 3),
            ["rows_per_s"] = JsonOut.Num(rows / usage.WallSeconds, 0),
            ["server_cpu_s"] = JsonOut.Num(usage.ServerCpuSeconds, 2),
        });
        return error is null && rows > 0 ? 0 : 3;
    }
}
