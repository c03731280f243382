using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Tells damage from other open failures, by DuckDB's messages, and says in one line what is wrong.
/// Measured with DuckDB 1.5.6: every kind of damage tried surfaces as a DuckDBException (never a
/// native abort), either when the file is opened (truncated; a zeroed, overwritten or torn main or
/// database header; a damaged metadata block; a damaged WAL entry) or when a damaged data block is
/// first read, which for the point columns start-up does (<see cref="SeriesCatalog.Load"/> scans them).
/// </summary>
internal static partial class DatabaseDamage
{
    private const int MaxDuckDbText = 240;

    private static readonly string[] Markers =
    [
        "Corrupt database file",
        "Corrupt WAL file",
        "Failure while replaying WAL",
        "Could not read enough bytes",
        "not a valid DuckDB database file",
    ];

    public static bool IsDamage(DuckDBException exception) =>
        Markers.Any(marker => exception.Message.Contains(marker, StringComparison.OrdinalIgnoreCase));

    /// <summary>The failure to open <paramref name="databasePath"/>, as damage or as something else.</summary>
    public static DatabaseOpenException Describe(DuckDBException exception, string databasePath)
    {
        var duckdb = Shorten(exception.Message);
        return IsDamage(exception)
            ? new DatabaseOpenException(DatabaseOpenFailure.Damaged, databasePath, $"{Explain(exception.Message, databasePath)} (DuckDB: {duckdb})", exception)
            : new DatabaseOpenException(DatabaseOpenFailure.Unavailable, databasePath, duckdb, exception);
    }

    /// <summary>DuckDB's message without the quoted paths, checksum values and links; at most one short line.</summary>
    public static string Shorten(string message)
    {
        var text = message.Replace("DuckDBOpen failed: ", "", StringComparison.Ordinal);
        text = QuotedPath().Replace(text, "");
        text = ChecksumValues().Replace(text, "checksum mismatch");
        text = SeeAlso().Replace(text, "");
        text = Whitespace().Replace(text, " ").Trim();
        return text.Length <= MaxDuckDbText ? text : string.Concat(text.AsSpan(0, MaxDuckDbText), "…");
    }

    private static string Explain(string message, string databasePath)
    {
        var culture = CultureInfo.InvariantCulture;
        if (message.Contains("WAL", StringComparison.Ordinal))
        {
            return $"its write-ahead log {databasePath}.wal is damaged";
        }

        if (ShortRead().Match(message) is { Success: true } shortRead)
        {
            var needed = long.Parse(shortRead.Groups[2].Value, culture) + long.Parse(shortRead.Groups[1].Value, culture);
            var length = File.Exists(databasePath) ? new FileInfo(databasePath).Length : 0;
            return string.Create(culture, $"it is truncated: {length} bytes long, but its blocks reach to byte {needed}");
        }

        if (BlockChecksum().Match(message) is { Success: true } block)
        {
            var location = long.Parse(block.Groups[1].Value, culture);
            return location switch
            {
                0 => "its main header (the first 4 KiB) fails its checksum",
                < 3 * 4096 => "a database header (bytes 4096 to 12287) fails its checksum",
                _ => string.Create(culture, $"the block at byte {location} fails its checksum"),
            };
        }

        return message.Contains("not a valid DuckDB database file", StringComparison.OrdinalIgnoreCase)
            ? "its main header is not a DuckDB header (zeroed, overwritten, or not a DuckDB file)"
            : "it is damaged";
    }

    [GeneratedRegex("\\s*\"[^\"]*\"")]
    private static partial Regex QuotedPath();

    [GeneratedRegex("computed checksum \\d+ does not match stored checksum \\d+")]
    private static partial Regex ChecksumValues();

    [GeneratedRegex("\\s*See also https?://\\S+")]
    private static partial Regex SeeAlso();

    [GeneratedRegex("\\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex("attempted to read (\\d+) bytes from location (\\d+)")]
    private static partial Regex ShortRead();

    [GeneratedRegex("in block at location (\\d+)")]
    private static partial Regex BlockChecksum();
}
