using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>
/// <c>archivenow</c>: on a running service, <see cref="AdminArchive.RunUntilDrainedAsync"/>, then
/// sums the bytes under the archive folder. <c>bench/run</c> uses it after the last ingest (whose 2024 data is far older than the 24 h hot window) to give the
/// Parquet archive's bytes per archived row next to the hot store's bytes per value.
/// The standalone service without configured keys serves the admin route on loopback without a key;
/// <c>--key</c> sends one (header <c>x-functions-key</c>) when keys are configured.
/// </summary>
internal static class ArchiveNowCommand
{
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

        var run = await AdminArchive.RunUntilDrainedAsync(client, pid);
        var rows = run["rows"]!.GetValue<long>();
        var bytes = run["bytes"]!.GetValue<long>();
        var error = run["error"]?.GetValue<string>();
        long? folderBytes = dir is not null && Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length)
            : null;
        JsonOut.Print(new JsonObject
        {
            ["cmd"] = "archivenow",
            ["target"] = target,
            ["ok"] = error is null && rows > 0,
            ["error"] = error ?? (rows == 0 ? "nothing was archived" : null),
            ["requests"] = run["requests"]!.GetValue<int>(),
            ["files"] = run["files"]!.GetValue<long>(),
            ["rows"] = rows,
            ["bytes_reported"] = bytes,
            ["archive_dir"] = dir,
            ["archive_dir_bytes"] = folderBytes,
            ["bytes_per_row"] = JsonOut.Num((double)(folderBytes ?? bytes) / Math.Max(1, rows), 3),
            ["wall_s"] = run["wall_s"]?.DeepClone(),
            ["rows_per_s"] = run["rows_per_s"]?.DeepClone(),
            ["server_cpu_s"] = run["server_cpu_s"]?.DeepClone(),
        });
        return error is null && rows > 0 ? 0 : 3;
    }
}
