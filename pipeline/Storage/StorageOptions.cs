namespace FunctionsObservability.Pipeline.Storage;

/// <summary>Where and how points are stored. Bound from the <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";
    public const string DefaultDataDirectory = "data";
    public const string DefaultDatabaseFileName = "metrics.duckdb";
    /// <summary>About 0.65–1.2 KiB of memory each (measured with two tags): 250,000 keep the catalog near 250 MiB, within the README's ceiling.</summary>
    public const int DefaultMaxSeries = 250_000;

    /// <summary>DuckDB's buffer pool; it spills sorts and aggregates to disk beyond it. Part of the README's memory ceiling.</summary>
    public const string DefaultMemoryLimit = "256MB";
    public const int DefaultCompactionRowThreshold = 500_000;
    public const int DefaultCompactionIdleSeconds = 2;
    public const int DefaultCompactionBucketSeconds = 600;
    public const bool DefaultRecoverDamagedDatabase = false;

    /// <summary>Folder for the DuckDB file; relative paths resolve against the working directory.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    public string DatabaseFileName { get; set; } = DefaultDatabaseFileName;

    /// <summary>DuckDB memory limit, e.g. <c>512MB</c>; empty leaves DuckDB's default (80% of RAM).</summary>
    public string MemoryLimit { get; set; } = DefaultMemoryLimit;

    /// <summary>DuckDB worker threads; 0 means one per core.</summary>
    public int Threads { get; set; }

    /// <summary>Distinct series the store accepts; a point that would create one more is rejected.</summary>
    public int MaxSeries { get; set; } = DefaultMaxSeries;

    /// <summary>
    /// Acknowledged rows held in the in-memory head (and the point log) before the writer applies
    /// them to the file, sorted. The head holds up to twice this many rows (the applied ones wait a
    /// generation), at about 28 bytes each.
    /// </summary>
    public int CompactionRowThreshold { get; set; } = DefaultCompactionRowThreshold;

    /// <summary>Seconds without writes after which any rows still in arrival order are clustered.</summary>
    public int CompactionIdleSeconds { get; set; } = DefaultCompactionIdleSeconds;

    /// <summary>Width of the time slices the clustered table is sorted by, before series and time.</summary>
    public int CompactionBucketSeconds { get; set; } = DefaultCompactionBucketSeconds;

    /// <summary>How long a queue message id or Idempotency-Key is remembered after its commit.</summary>
    public int DedupeWindowHours { get; set; } = 24;

    /// <summary>
    /// When the database file is damaged at start: move it (and its WAL) aside as
    /// <c>metrics.duckdb.damaged-&lt;UTC time&gt;</c>, and start on a new file whose series catalog and
    /// archive manifest are rebuilt from the archive store. Hot data not yet archived is lost, and
    /// logged as a time range. Off, a damaged file stops start-up (exit code 3). Set it for one start.
    /// </summary>
    public bool RecoverDamagedDatabase { get; set; } = DefaultRecoverDamagedDatabase;

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, DatabaseFileName));

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("Storage:DataDirectory must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(DatabaseFileName))
        {
            throw new ArgumentException("Storage:DatabaseFileName must not be empty.");
        }

        OptionGuard.Positive(MaxSeries, SectionName, nameof(MaxSeries));
        OptionGuard.Positive(CompactionRowThreshold, SectionName, nameof(CompactionRowThreshold));
        OptionGuard.Positive(CompactionIdleSeconds, SectionName, nameof(CompactionIdleSeconds));
        OptionGuard.Positive(CompactionBucketSeconds, SectionName, nameof(CompactionBucketSeconds));
        OptionGuard.Positive(DedupeWindowHours, SectionName, nameof(DedupeWindowHours));
        if (Threads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Storage:Threads must be 0 (one per core) or more.");
        }
    }
}
