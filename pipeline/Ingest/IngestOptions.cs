namespace FunctionsObservability.Pipeline.Ingest;

/// <summary>Input limits and mesh capacities. Bound from the <c>Ingest</c> configuration section.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";
    public const long DefaultMemoryBudgetBytes = 192L * 1024 * 1024;
    public const long DefaultClientMemoryBudgetBytes = 96L * 1024 * 1024;
    public const int DefaultBodyTimeoutSeconds = 30;

    public int MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Cap on a gzip body's expanded size; decompression stops there.</summary>
    public int MaxDecompressedBytes { get; set; } = 64 * 1024 * 1024;

    public int MaxLineBytes { get; set; } = 64 * 1024;

    public int MaxTagsPerPoint { get; set; } = 32;

    /// <summary>Longest metric name or tag key, in characters.</summary>
    public int MaxNameLength { get; set; } = 256;

    public int MaxTagValueLength { get; set; } = 1024;

    /// <summary>How far in the past a timestamp may lie.</summary>
    public int MaxTimestampAgeDays { get; set; } = 3650;

    /// <summary>How far ahead of the server clock a timestamp may lie.</summary>
    public int MaxTimestampFutureMinutes { get; set; } = 1440;

    /// <summary>
    /// Request bodies held in memory at once, across all requests (raw, or expanded from gzip), from
    /// the first byte read until parsed. The default keeps the process within the README's ceiling.
    /// </summary>
    public long MemoryBudgetBytes { get; set; } = DefaultMemoryBudgetBytes;

    /// <summary>The share of <see cref="MemoryBudgetBytes"/> one client address may hold.</summary>
    public long ClientMemoryBudgetBytes { get; set; } = DefaultClientMemoryBudgetBytes;

    /// <summary>Longest time a whole request body may take to arrive (408 after it), however fast it trickles.</summary>
    public int BodyTimeoutSeconds { get; set; } = DefaultBodyTimeoutSeconds;

    /// <summary>Parse workers; 0 means one per core.</summary>
    public int ParseParallelism { get; set; }

    /// <summary>Requests that may wait in front of the parse block.</summary>
    public int ParseQueueCapacity { get; set; } = 64;

    /// <summary>Requests per batch handed to the writer.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>The writer joins waiting batches into one commit up to this many points.</summary>
    public int MaxPointsPerCommit { get; set; } = 200_000;

    /// <summary>Longest time a partial batch waits for more requests before it is written.</summary>
    public int FlushIntervalMilliseconds { get; set; } = 2;

    /// <summary>How long a request may wait for room in the mesh before it is refused with 503.</summary>
    public int AdmissionTimeoutMilliseconds { get; set; } = 2000;

    /// <summary>The Retry-After a refused request is given.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    public int EffectiveParseParallelism => ParseParallelism > 0 ? ParseParallelism : Environment.ProcessorCount;

    public void Validate()
    {
        OptionGuard.Positive(MaxBodyBytes, SectionName, nameof(MaxBodyBytes));
        OptionGuard.Positive(MaxDecompressedBytes, SectionName, nameof(MaxDecompressedBytes));
        OptionGuard.Positive(MaxLineBytes, SectionName, nameof(MaxLineBytes));
        OptionGuard.Positive(MaxTagsPerPoint, SectionName, nameof(MaxTagsPerPoint));
        OptionGuard.Positive(MaxNameLength, SectionName, nameof(MaxNameLength));
        OptionGuard.Positive(MaxTagValueLength, SectionName, nameof(MaxTagValueLength));
        OptionGuard.Positive(MaxTimestampAgeDays, SectionName, nameof(MaxTimestampAgeDays));
        OptionGuard.Positive(MaxTimestampFutureMinutes, SectionName, nameof(MaxTimestampFutureMinutes));
        OptionGuard.Positive(BodyTimeoutSeconds, SectionName, nameof(BodyTimeoutSeconds));
        if (MemoryBudgetBytes < MaxDecompressedBytes || MemoryBudgetBytes < MaxBodyBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryBudgetBytes), MemoryBudgetBytes,
                $"{SectionName}:{nameof(MemoryBudgetBytes)} must hold at least one largest body ({SectionName}:{nameof(MaxBodyBytes)} and {SectionName}:{nameof(MaxDecompressedBytes)}).");
        }

        if (ClientMemoryBudgetBytes < MaxDecompressedBytes || ClientMemoryBudgetBytes < MaxBodyBytes || ClientMemoryBudgetBytes > MemoryBudgetBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(ClientMemoryBudgetBytes), ClientMemoryBudgetBytes,
                $"{SectionName}:{nameof(ClientMemoryBudgetBytes)} must hold at least one largest body and at most {SectionName}:{nameof(MemoryBudgetBytes)}.");
        }
        OptionGuard.Positive(ParseQueueCapacity, SectionName, nameof(ParseQueueCapacity));
        OptionGuard.Positive(BatchSize, SectionName, nameof(BatchSize));
        OptionGuard.Positive(MaxPointsPerCommit, SectionName, nameof(MaxPointsPerCommit));
        OptionGuard.Positive(FlushIntervalMilliseconds, SectionName, nameof(FlushIntervalMilliseconds));
        OptionGuard.Positive(AdmissionTimeoutMilliseconds, SectionName, nameof(AdmissionTimeoutMilliseconds));
        OptionGuard.Positive(RetryAfterSeconds, SectionName, nameof(RetryAfterSeconds));
        if (ParseParallelism < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ParseParallelism), ParseParallelism, "Ingest:ParseParallelism must be 0 (one per core) or more.");
        }
    }
}
