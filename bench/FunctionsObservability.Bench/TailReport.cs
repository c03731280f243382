using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>The human summary of a <c>tail</c> run: one row per server, the ratio, and the paced delivery.</summary>
internal static class TailReport
{
    public static string Markdown(JsonObject result, string command)
    {
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.AppendLine(c, $"## Live tail: ingest with and without subscribers, readers of {result["reader_metric"]} (issue 13)").AppendLine();
        md.AppendLine(c, $"Command: `{command}`. Subscribers: {result["subscribers"]}, of which {result["stalled"]} stop reading once subscribed; ")
          .AppendLine(c, $"the readers each watch `{result["reader_metric"]}{{host=hI}}`, the stalled ones the whole metric. Fresh server per row, rows alternate.").AppendLine();
        md.AppendLine("| round | subscribers | values/s | server CPU-s per 1M values | peak RSS MiB | reader points got / expected | stalled dropped | paced p50 / p99 ms |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var run in result["runs"]!.AsArray().Select(r => r!.AsObject()))
        {
            var paced = run["paced"]?["latency_ms"];
            md.AppendLine(c, $"| {run["round"]} | {run["subscribers"]} | {run["values_per_s"]} | {run["server_cpu_s_per_m_values"]} | {run["server_peak_rss_mib"]} | "
                + $"{(run["reader_points_expected"] is null ? "-" : $"{run["reader_points_received"]} / {run["reader_points_expected"]}")} | "
                + $"{run["stalled_dropped"]?.ToString() ?? "-"} | {(paced is null ? "-" : $"{paced["p50"]} / {paced["p99"]}")} |");
        }

        md.AppendLine();
        md.AppendLine(c, $"Median values/s: without {result["values_per_s_without"]}, with {result["values_per_s_with"]}: ratio **{result["with_over_without"]}**. All checks passed: {result["ok"]}.");
        return md.ToString();
    }
}
