using System.Globalization;
using System.Text;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>One archived partition's place: a metric, the UTC hour it covers and its file name.</summary>
public sealed record ArchivePartition(string Metric, DateTimeOffset HourStart, string FileName);

/// <summary>
/// Hive-style paths for archived partitions, <c>metric=NAME/date=YYYY-MM-DD/hour=HH/FILE</c>, so that
/// DuckDB (or any Hive-aware reader) can prune by metric, date and hour from the path alone.
/// </summary>
public static class ArchivePath
{
    private const string MetricKey = "metric=";
    private const string DateKey = "date=";
    private const string HourKey = "hour=";

    /// <summary>The path of one partition's file. <paramref name="hourStart"/> must fall on a whole UTC hour.</summary>
    public static string Build(string metric, DateTimeOffset hourStart, string fileName)
    {
        ValidateHour(hourStart);
        ValidateFileName(fileName);
        var utc = hourStart.ToUniversalTime();
        return string.Create(CultureInfo.InvariantCulture, $"{MetricPrefix(metric)}{DateKey}{utc:yyyy-MM-dd}/{HourKey}{utc:HH}/{fileName}");
    }

    /// <summary>The prefix under which every partition of <paramref name="metric"/> lies, ending in <c>/</c>.</summary>
    public static string MetricPrefix(string metric) => $"{MetricKey}{EscapeSegment(metric)}/";

    /// <summary>The prefix under which every file of one metric's hour lies, ending in <c>/</c>.</summary>
    public static string HourPrefix(string metric, DateTimeOffset hourStart)
    {
        ValidateHour(hourStart);
        var utc = hourStart.ToUniversalTime();
        return string.Create(CultureInfo.InvariantCulture, $"{MetricPrefix(metric)}{DateKey}{utc:yyyy-MM-dd}/{HourKey}{utc:HH}/");
    }

    public static ArchivePartition Parse(string path) =>
        TryParse(path, out var partition) ? partition : throw new FormatException($"'{path}' is not an archive partition path (metric=NAME/date=YYYY-MM-DD/hour=HH/FILE).");

    public static bool TryParse(string path, out ArchivePartition partition)
    {
        partition = null!;
        var segments = path.Split('/');
        if (segments.Length != 4
            || !segments[0].StartsWith(MetricKey, StringComparison.Ordinal)
            || !segments[1].StartsWith(DateKey, StringComparison.Ordinal)
            || !segments[2].StartsWith(HourKey, StringComparison.Ordinal)
            || !TryUnescapeSegment(segments[0][MetricKey.Length..], out var metric)
            || metric.Length == 0
            || !DateOnly.TryParseExact(segments[1][DateKey.Length..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            || segments[2].Length != HourKey.Length + 2
            || !int.TryParse(segments[2].AsSpan(HourKey.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var hour)
            || hour > 23
            || !IsValidFileName(segments[3]))
        {
            return false;
        }

        var hourStart = new DateTimeOffset(date.ToDateTime(new TimeOnly(hour, 0), DateTimeKind.Utc));
        partition = new ArchivePartition(metric, hourStart, segments[3]);
        return true;
    }

    /// <summary>
    /// Escapes a value for one path segment the way Hive does (<c>%XX</c>, uppercase hex): Hive's
    /// set of special characters plus the ones Windows forbids in file names, <c>+</c> (which some
    /// URL decoders read as a space) and every non-ASCII character as its UTF-8 bytes, so the name is
    /// safe on every file system and in a blob URL, and decodes the same in any percent-decoder.
    /// </summary>
    public static string EscapeSegment(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        StringBuilder? builder = null;
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (!NeedsEscape(c))
            {
                builder?.Append(c);
                continue;
            }

            builder ??= new StringBuilder(value.Length + 8).Append(value, 0, i);
            int length;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                length = Encoding.UTF8.GetBytes(value.AsSpan(i, 2), utf8);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new ArgumentException($"'{value}' contains an unpaired surrogate and cannot be written as UTF-8.", nameof(value));
            }
            else
            {
                length = Encoding.UTF8.GetBytes(value.AsSpan(i, 1), utf8);
            }

            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder?.ToString() ?? value;
    }

    public static string UnescapeSegment(string segment) =>
        TryUnescapeSegment(segment, out var value) ? value : throw new FormatException($"'{segment}' is not a valid escaped path segment.");

    private static bool TryUnescapeSegment(string segment, out string value)
    {
        value = string.Empty;
        if (!segment.Contains('%', StringComparison.Ordinal))
        {
            value = segment;
            return true;
        }

        var bytes = new List<byte>(segment.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            if (c == '%')
            {
                if (i + 2 >= segment.Length || !byte.TryParse(segment.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                {
                    return false;
                }

                bytes.Add(b);
                i += 2;
            }
            else
            {
                var length = Encoding.UTF8.GetBytes(segment.AsSpan(i, 1), utf8);
                for (var j = 0; j < length; j++)
                {
                    bytes.Add(utf8[j]);
                }
            }
        }

        try
        {
            // Strict decoding: a malformed byte sequence is a corrupt path, not a name to guess at.
            value = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString([.. bytes]);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    // Hive's FileUtils.charToEscape (controls, " # % ' * / : = ? \ DEL { [ ] ^), its Windows
    // additions (space < > |), '+', and everything outside ASCII.
    private static bool NeedsEscape(char c) =>
        c < 0x20 || c >= 0x7F || c is '"' or '#' or '%' or '\'' or '*' or '/' or ':' or '=' or '?' or '\\' or '{' or '}' or '[' or ']' or '^' or ' ' or '<' or '>' or '|' or '+';

    private static void ValidateHour(DateTimeOffset hourStart)
    {
        if (hourStart.Ticks % TimeSpan.TicksPerHour != 0 || hourStart.Offset.Ticks % TimeSpan.TicksPerHour != 0)
        {
            throw new ArgumentException($"{hourStart:O} is not the start of an hour.", nameof(hourStart));
        }
    }

    private static void ValidateFileName(string fileName)
    {
        if (!IsValidFileName(fileName))
        {
            throw new ArgumentException($"'{fileName}' is not a valid archive file name: letters, digits, '.', '-' and '_' only, not starting with '.'.", nameof(fileName));
        }
    }

    // File names are made by the archiver, deterministically; keeping them plain means they need no
    // escaping and cannot collide with the local store's temp files, which start with '.'.
    private static bool IsValidFileName(string fileName)
    {
        if (string.IsNullOrEmpty(fileName) || fileName[0] == '.' || fileName.Length > 200)
        {
            return false;
        }

        foreach (var c in fileName)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Rejects paths a store must never touch: absolute, empty segments, <c>.</c> or <c>..</c>, backslashes.</summary>
    internal static void ValidateObjectPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.Contains('\\', StringComparison.Ordinal) || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{path}' is not a valid archive path: use '/' only.", nameof(path));
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
            {
                throw new ArgumentException($"'{path}' is not a valid archive path: relative, '/'-separated, without empty, '.' or '..' segments.", nameof(path));
            }
        }
    }
}
