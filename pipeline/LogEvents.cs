namespace FunctionsObservability.Pipeline;

/// <summary>
/// Every log event id of the pipeline, in one table. An id names one event for good: do not
/// renumber one, reuse a retired one or give two events the same id (LogEventsTests checks the
/// last). A new event takes the next free id in its area's range.
/// </summary>
/// <remarks>
/// <code>
/// Area                 Range        Where
/// Ingest               1000–1999    Ingest/IngestLog.cs
/// Storage              2000–2999    Storage/
///   Writer, point log  2000s        PointWriter*.cs, RecentRowsCompactor.cs, Log/
///   Opening, damage    2100s        Composition/MetricsStoreStartup.cs, Composition/StoreOpener.cs
/// Archive              3000–3999    Archive/
///   Archive runner     3000–3099    ArchiveRunner.cs
///   Archive cache      3100–3199    ArchiveCache.cs
///   Retention          3200–3299    RetentionRunner.cs
///   Blob store         3300–3399    BlobArchiveStore.cs
///   Archive rebuild    3400–3499    ArchiveRebuilder.cs
/// Query                4000–4999    Query/
///   Warm-up            4000s        QueryWarmup.cs
/// Live tail            5000–5999    Live/LiveTail*.cs
/// </code>
/// The app (functions/) has its own table, FunctionsObservability.Functions.LogEvents; its events
/// have their own logger categories.
/// </remarks>
internal static class LogEvents
{
    #region Ingest (1000–1999)

    public const int IngestCommitFailed       = 1001;
    public const int IngestParseFailed        = 1002;
    public const int IngestDrained            = 1003;
    // 1004 retired: it duplicated ClusteringFailed (2002).
    public const int QueuedRequestHadBadLines = 1005;

    #endregion Ingest

    #region Storage (2000–2999)

    public const int RecentRowsClustered = 2001;
    public const int ClusteringFailed    = 2002;
    public const int DiskFull            = 2003;
    public const int DiskWritableAgain   = 2004;
    public const int ShutdownApplyFailed = 2005;
    public const int PointLogRestartFailed = 2006;
    public const int PointLogReplayed    = 2007;
    public const int PointLogTornTail    = 2008;
    public const int PointLogSequenceGap = 2009;

    public const int DatabaseDamaged                  = 2101;
    public const int DatabaseUnavailable              = 2102;
    public const int DamagedDatabaseRecovering        = 2103;
    public const int DamagedDatabaseRecovered         = 2104;
    public const int DamagedDatabaseRecoveryFailed    = 2105;
    public const int DamagedDatabaseRecoveryCompleted = 2106;
    public const int DatabaseDamagedWhileServing      = 2107;

    #endregion Storage

    #region Archive (3000–3999)

    public const int ArchiveRunSkipped            = 3001;
    public const int PartitionArchived            = 3002;
    public const int PartitionChangedDuringExport = 3003;
    public const int PartitionVerificationFailed  = 3004;
    public const int ArchiveRunStopped            = 3005;
    public const int ArchiveRunFinished           = 3006;
    public const int ArchiveWorkFileDeleteFailed  = 3007;
    public const int ArchiveFailpointReached      = 3008;

    public const int ArchiveCacheFetchFailed  = 3101;
    public const int ArchiveCacheDeleteFailed = 3102;

    public const int RetentionRunSkipped  = 3201;
    public const int RetentionFileDeleted = 3202;
    public const int RetentionRunStopped  = 3203;
    public const int RetentionRunFinished = 3204;

    public const int ArchiveContainerCreated = 3301;
    public const int ArchivedBlobMismatch    = 3302;

    public const int ArchivedFileUnreadable = 3401;

    #endregion Archive

    #region Query (4000–4999)

    public const int QueryPathWarmedUp = 4001;
    public const int QueryWarmupFailed = 4002;

    #endregion Query

    #region Live tail (5000–5999)

    public const int TailSubscriberDropped = 5001;
    public const int TailFellBehindWriter  = 5002;
    public const int TailPublishFailed     = 5003;

    #endregion Live tail
}
