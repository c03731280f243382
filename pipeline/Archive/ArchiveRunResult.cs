namespace FunctionsObservability.Pipeline.Archive;

/// <summary>What one archive run did. <see cref="Error"/> is set when it stopped early; what it committed stays committed.</summary>
public sealed record ArchiveRunResult(
    bool Skipped,
    int FilesArchived,
    long RowsArchived,
    long BytesArchived,
    int PartitionsFailed,
    int PartitionsDeferred,
    bool MorePending,
    string? Error,
    TimeSpan Elapsed,
    string? SkippedBecause = null)
{
    public bool Succeeded => !Skipped && Error is null && PartitionsFailed == 0;

    public string Describe() => Skipped
        ? $"skipped: {SkippedBecause ?? "another archive or retention run is in progress"}"
        : $"archived {FilesArchived} files, {RowsArchived} rows, {BytesArchived} bytes in {Elapsed.TotalSeconds:F1} s; "
          + $"{PartitionsFailed} partitions failed, {PartitionsDeferred} deferred (changed while exporting){(MorePending ? "; more partitions are due" : "")}"
          + (Error is null ? "" : $"; stopped: {Error}");
}

/// <summary>What one retention run deleted.</summary>
public sealed record RetentionRunResult(bool Skipped, int FilesDeleted, long ArchivedRowsDeleted, long HotRowsDeleted, long HotRowsWaitingForArchive, string? Error, TimeSpan Elapsed)
{
    public bool Succeeded => !Skipped && Error is null;

    public string Describe() => Skipped
        ? "skipped: another archive or retention run is in progress"
        : $"deleted {FilesDeleted} archived files ({ArchivedRowsDeleted} rows) and {HotRowsDeleted} hot rows in {Elapsed.TotalSeconds:F1} s"
          + (HotRowsWaitingForArchive > 0 ? $"; {HotRowsWaitingForArchive} hot rows past hot retention are kept until archived" : "")
          + (Error is null ? "" : $"; stopped: {Error}");
}
