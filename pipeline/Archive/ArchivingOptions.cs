namespace FunctionsObservability.Pipeline.Archive;

/// <summary>
/// When partitions are archived and how long things are kept. Bound from the <c>Archive</c>
/// section, beside <see cref="ArchiveStoreOptions"/> (where files go).
/// </summary>
public sealed class ArchivingOptions
{
    public const string SectionName = "Archive";

    /// <summary>Off keeps everything in DuckDB; hot retention then deletes old rows outright.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Hours of recent data that stay in DuckDB; whole hours before that are archived.</summary>
    public int HotWindowHours { get; set; } = 24;

    /// <summary>Most partitions (one metric, one hour) one run archives, so a backlog is worked off over several runs.</summary>
    public int MaxPartitionsPerRun { get; set; } = 200;

    /// <summary>Longest an archive or retention run may take; on expiry it stops cleanly and the next run continues.</summary>
    public int RunTimeoutSeconds { get; set; } = 240;

    /// <summary>Days an archived file is kept; older files are deleted by the retention run.</summary>
    public int RetentionDays { get; set; } = 365;

    /// <summary>Days hot rows are kept when archiving is off; with archiving on, only archived rows ever leave DuckDB.</summary>
    public int HotRetentionDays { get; set; } = 7;

    /// <summary>Folder for Parquet files being written; defaults to <c>archive-work</c> in the data folder.</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>Folder for archived files fetched for queries; defaults to <c>archive-cache</c> in the data folder.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Bytes the query cache may hold; least recently used files are evicted beyond it.</summary>
    public long CacheMaxBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    public void Validate()
    {
        OptionGuard.Positive(HotWindowHours, SectionName, nameof(HotWindowHours));
        OptionGuard.Positive(MaxPartitionsPerRun, SectionName, nameof(MaxPartitionsPerRun));
        OptionGuard.Positive(RunTimeoutSeconds, SectionName, nameof(RunTimeoutSeconds));
        OptionGuard.Positive(RetentionDays, SectionName, nameof(RetentionDays));
        OptionGuard.Positive(HotRetentionDays, SectionName, nameof(HotRetentionDays));
        if (CacheMaxBytes < 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(CacheMaxBytes), CacheMaxBytes, $"{SectionName}:{nameof(CacheMaxBytes)} must be at least 1 MiB.");
        }

        if ((long)RetentionDays * 24 <= HotWindowHours)
        {
            throw new ArgumentException($"{SectionName}:{nameof(RetentionDays)} ({RetentionDays} d) must be longer than {SectionName}:{nameof(HotWindowHours)} ({HotWindowHours} h).");
        }
    }
}
