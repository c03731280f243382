using System.Globalization;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// The file moves of a recovery: the damaged database file and its write-ahead log are kept, renamed
/// side by side (<c>metrics.duckdb.damaged-20261205T081300Z</c> and <c>….wal</c>, so DuckDB or a
/// salvage tool finds the pair), and the rebuilt file takes their place.
/// </summary>
internal static class DamagedDatabaseFiles
{
    private const string WalSuffix = ".wal";

    /// <summary>The last write to the database file or its WAL: the end of the hot data it held.</summary>
    public static DateTimeOffset LastWrite(string databasePath)
    {
        var last = DateTime.MinValue;
        foreach (var file in new[] { databasePath, databasePath + WalSuffix })
        {
            if (File.Exists(file))
            {
                var written = File.GetLastWriteTimeUtc(file);
                last = written > last ? written : last;
            }
        }

        return new DateTimeOffset(DateTime.SpecifyKind(last, DateTimeKind.Utc));
    }

    /// <summary>Renames the file and its WAL aside; returns the new name of the file.</summary>
    public static string MoveAside(string databasePath, DateTimeOffset now)
    {
        var stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var aside = $"{databasePath}.damaged-{stamp}";
        for (var n = 1; File.Exists(aside) || File.Exists(aside + WalSuffix); n++)
        {
            aside = string.Create(CultureInfo.InvariantCulture, $"{databasePath}.damaged-{stamp}-{n}");
        }

        if (File.Exists(databasePath))
        {
            File.Move(databasePath, aside);
        }

        if (File.Exists(databasePath + WalSuffix))
        {
            File.Move(databasePath + WalSuffix, aside + WalSuffix);
        }

        return aside;
    }

    /// <summary>Where a rebuild writes its file, beside the damaged one; it never outlives a failed rebuild.</summary>
    public static string RebuildingPath(string databasePath) => databasePath + ".rebuilding";

    /// <summary>A complete rebuilt file, renamed from <see cref="RebuildingPath"/> before the damaged file is moved aside.</summary>
    public static string RebuiltPath(string databasePath) => databasePath + ".rebuilt";

    /// <summary>
    /// Completes a recovery that stopped after moving the damaged file aside but before moving the
    /// rebuilt one in, so the store never starts on an empty file beside a rebuilt one.
    /// </summary>
    public static bool FinishInterruptedRecovery(string databasePath)
    {
        if (File.Exists(databasePath) || !File.Exists(RebuiltPath(databasePath)))
        {
            return false;
        }

        MoveInto(RebuiltPath(databasePath), databasePath);
        return true;
    }

    /// <summary>Renames a closed database file (and a WAL, should it have one) to <paramref name="target"/>, replacing what is there.</summary>
    public static void MoveInto(string source, string target)
    {
        File.Move(source, target, overwrite: true);
        if (File.Exists(source + WalSuffix))
        {
            File.Move(source + WalSuffix, target + WalSuffix, overwrite: true);
        }
    }

    public static void Delete(string databasePath)
    {
        File.Delete(databasePath);
        File.Delete(databasePath + WalSuffix);
    }
}
