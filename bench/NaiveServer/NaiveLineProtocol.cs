using System.Globalization;

namespace FunctionsObservability.Bench.NaiveServer;

internal readonly record struct NaivePoint(string Metric, string Tags, DateTime Timestamp, double Value);

/// <summary>
/// Simple line-protocol parsing with string.Split: no escapes, no quoted strings, no error
/// recovery. One point per field, named measurement_field, like the service.
/// </summary>
internal static class NaiveLineProtocol
{
    public static bool TryParse(string body, string precision, out List<NaivePoint> points, out string? error)
    {
        points = [];
        error = null;
        var ticksPerUnit = precision switch
        {
            "s" => TimeSpan.TicksPerSecond,
            "ms" => TimeSpan.TicksPerMillisecond,
            "us" or "u" => 10,
            "ns" or "n" or "" => 0, // nanoseconds: divide by 100 below
            _ => -1,
        };
        if (ticksPerUnit < 0)
        {
            error = $"unknown precision '{precision}'";
            return false;
        }

        var lineNumber = 0;
        foreach (var raw in body.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split(' ');
            if (parts.Length is < 2 or > 3)
            {
                error = $"line {lineNumber}: expected 'series fields [timestamp]'";
                return false;
            }

            var seriesParts = parts[0].Split(',', 2);
            var measurement = seriesParts[0];
            var tags = seriesParts.Length > 1 ? seriesParts[1] : "";
            DateTime timestamp;
            if (parts.Length == 3)
            {
                if (!long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var t))
                {
                    error = $"line {lineNumber}: bad timestamp";
                    return false;
                }

                var ticks = ticksPerUnit == 0 ? t / 100 : t * ticksPerUnit;
                timestamp = DateTime.UnixEpoch.AddTicks(ticks);
            }
            else
            {
                timestamp = DateTime.UtcNow;
            }

            foreach (var field in parts[1].Split(','))
            {
                var kv = field.Split('=', 2);
                var text = kv.Length == 2 ? kv[1].TrimEnd('i') : "";
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    error = $"line {lineNumber}: bad field '{field}'";
                    return false;
                }

                points.Add(new NaivePoint($"{measurement}_{kv[0]}", tags, timestamp, value));
            }
        }

        return true;
    }
}
