using System.Globalization;
using FunctionsObservability.Pipeline.Query;
using Microsoft.Extensions.Primitives;

namespace FunctionsObservability.Functions.Http;

/// <summary>Parses query-string parameters; every failure names the parameter.</summary>
internal static class QueryParameters
{
    public static string RequireMetric(IQueryCollection query)
    {
        var metric = query["metric"].ToString();
        return string.IsNullOrEmpty(metric) ? throw Bad("metric", "metric is required") : metric;
    }

    public static TimeRange Range(IQueryCollection query, bool requireFrom)
    {
        var from = OptionalTime(query, "from") ?? (requireFrom ? throw Bad("from", "from is required") : long.MinValue);
        var to = OptionalTime(query, "to") ?? long.MaxValue;
        return to <= from ? throw Bad("to", "to must be later than from") : new TimeRange(from, to);
    }

    public static IReadOnlyList<KeyValuePair<string, string>> Tags(IQueryCollection query)
    {
        var values = query["tag"];
        var tags = new List<KeyValuePair<string, string>>(values.Count);
        foreach (var value in values)
        {
            var separator = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
            if (separator <= 0 || separator == value!.Length - 1)
            {
                throw Bad("tag", $"tag \"{value}\" is not key:value");
            }

            tags.Add(new(value[..separator], value[(separator + 1)..]));
        }

        return tags;
    }

    public static int Limit(IQueryCollection query, QueryOptions options)
    {
        var text = query["limit"].ToString();
        if (string.IsNullOrEmpty(text))
        {
            return options.DefaultPageSize;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit >= 1 && limit <= options.MaxPageSize
            ? limit
            : throw Bad("limit", $"limit \"{text}\" is not a whole number from 1 to {options.MaxPageSize}");
    }

    public static PageCursor? Cursor(IQueryCollection query)
    {
        var text = query["cursor"].ToString();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return PageCursor.TryDecode(text, out var cursor) ? cursor : throw Bad("cursor", "cursor is not one this service issued");
    }

    public static long Step(IQueryCollection query)
    {
        var text = query["step"].ToString();
        if (string.IsNullOrEmpty(text))
        {
            throw Bad("step", "step is required, for example 10s, 1m or 1h");
        }

        var unitStart = text.AsSpan().IndexOfAnyExceptInRange('0', '9');
        if (unitStart <= 0 || !long.TryParse(text.AsSpan(0, unitStart), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            throw Bad("step", $"step \"{text}\" is not a positive duration such as 10s, 1m or 1h");
        }

        long? unit = text[unitStart..] switch
        {
            "ms" => 1_000L,
            "s" => 1_000_000L,
            "m" => 60_000_000L,
            "h" => 3_600_000_000L,
            "d" => 86_400_000_000L,
            _ => null,
        };
        if (unit is null || amount > long.MaxValue / unit.Value)
        {
            throw Bad("step", $"step \"{text}\" is not a positive duration such as 10s, 1m or 1h");
        }

        return amount * unit.Value;
    }

    public static AggregateFunction Function(IQueryCollection query)
    {
        var text = query["fn"].ToString();
        return text switch
        {
            "" or "avg" => AggregateFunction.Avg,
            "min" => AggregateFunction.Min,
            "max" => AggregateFunction.Max,
            "sum" => AggregateFunction.Sum,
            "count" => AggregateFunction.Count,
            "p50" => AggregateFunction.P50,
            "p90" => AggregateFunction.P90,
            "p99" => AggregateFunction.P99,
            _ => throw Bad("fn", $"fn \"{text}\" is not one of avg, min, max, sum, count, p50, p90, p99"),
        };
    }

    public static string? GroupBy(IQueryCollection query)
    {
        var values = query["groupBy"];
        return values.Count switch
        {
            0 => null,
            1 when !string.IsNullOrEmpty(values[0]) => values[0],
            _ => throw Bad("groupBy", "groupBy takes one tag key"),
        };
    }

    /// <summary>Below this, epoch milliseconds fall before March 1973, where epoch seconds of today's dates lie.</summary>
    private const long SecondsLookAlike = 100_000_000_000;

    /// <summary>An RFC 3339 time, or Unix epoch milliseconds, as Unix microseconds.</summary>
    public static long? OptionalTime(IQueryCollection query, string name)
    {
        StringValues values = query[name];
        var text = values.ToString();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var millis))
        {
            if (millis is <= -62_135_596_800_000 or >= 253_402_300_800_000)
            {
                throw Bad(name, $"{name} \"{text}\" is out of range for Unix epoch milliseconds (or use RFC 3339, such as 2026-01-31T12:00:00Z)");
            }

            // Epoch seconds read as milliseconds land in January 1970: say so instead of answering
            // an empty range. 0 (the epoch itself) is a common "from the start" and stays allowed.
            if (millis != 0 && Math.Abs(millis) < SecondsLookAlike)
            {
                var read = DateTimeOffset.FromUnixTimeMilliseconds(millis).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                throw Bad(name, $"{name} \"{text}\" read as Unix epoch milliseconds is {read}; for epoch seconds send {text}000, or an RFC 3339 time such as 2026-01-31T12:00:00Z");
            }

            return millis * 1000;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            && text.Contains('T', StringComparison.OrdinalIgnoreCase))
        {
            return (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        }

        throw Bad(name, $"{name} \"{text}\" is neither an RFC 3339 time nor Unix epoch milliseconds");
    }

    private static QueryFailedException Bad(string parameter, string message) =>
        new(QueryFailure.BadParameter, message, parameter);
}
