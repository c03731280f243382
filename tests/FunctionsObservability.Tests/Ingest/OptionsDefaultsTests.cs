using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Tests.Ingest;

/// <summary>The documented defaults (README configuration table) are the ones in the code, and they validate.</summary>
public sealed class OptionsDefaultsTests
{
    [Fact]
    public void IngestOptions_Defaults_MatchTheReadme()
    {
        var options = new IngestOptions();
        options.Validate();
        Assert.Equal(16 * 1024 * 1024, options.MaxBodyBytes);
        Assert.Equal(64 * 1024 * 1024, options.MaxDecompressedBytes);
        Assert.Equal(64 * 1024, options.MaxLineBytes);
        Assert.Equal(32, options.MaxTagsPerPoint);
        Assert.Equal(256, options.MaxNameLength);
        Assert.Equal(1024, options.MaxTagValueLength);
        Assert.Equal(3650, options.MaxTimestampAgeDays);
        Assert.Equal(1440, options.MaxTimestampFutureMinutes);
        Assert.Equal(192L * 1024 * 1024, options.MemoryBudgetBytes);
        Assert.Equal(96L * 1024 * 1024, options.ClientMemoryBudgetBytes);
        Assert.Equal(30, options.BodyTimeoutSeconds);
        Assert.Equal(64, options.ParseQueueCapacity);
        Assert.Equal(64, options.BatchSize);
        Assert.Equal(200_000, options.MaxPointsPerCommit);
        Assert.Equal(2, options.FlushIntervalMilliseconds);
        Assert.Equal(2000, options.AdmissionTimeoutMilliseconds);
        Assert.Equal(1, options.RetryAfterSeconds);
    }

    [Fact]
    public void StorageOptions_Defaults_MatchTheReadme()
    {
        var options = new StorageOptions();
        options.Validate();
        Assert.Equal("data", options.DataDirectory);
        Assert.Equal("metrics.duckdb", options.DatabaseFileName);
        Assert.Equal("256MB", options.MemoryLimit);
        Assert.Equal(250_000, options.MaxSeries);
        Assert.Equal(500_000, options.CompactionRowThreshold);
        Assert.Equal(2, options.CompactionIdleSeconds);
        Assert.Equal(600, options.CompactionBucketSeconds);
        Assert.False(options.RecoverDamagedDatabase);
    }

    [Fact]
    public void QueryOptions_Defaults_MatchTheReadme()
    {
        var options = new QueryOptions();
        options.Validate();
        Assert.Equal(1000, options.DefaultPageSize);
        Assert.Equal(10_000, options.MaxPageSize);
        Assert.Equal(10_000, options.MaxBuckets);
        Assert.Equal(10_000, options.MaxSeries);
        Assert.Equal(1_000_000, options.MaxPoints);
        Assert.Equal(30, options.TimeoutSeconds);
        Assert.Equal(8, options.MaxConcurrentQueries);
        Assert.Equal(20_000, options.MaxFoldedPartials);
        Assert.Equal(16L * 1024 * 1024, options.AnswerCacheBytes);
    }

    [Fact]
    public void QueryOptions_NegativeAnswerCacheBytes_FailsValidationNamingIt()
    {
        var options = new QueryOptions { AnswerCacheBytes = -1 };

        var failure = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Contains("Query:AnswerCacheBytes", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(IngestOptions.MaxBodyBytes))]
    [InlineData(nameof(IngestOptions.BatchSize))]
    public void IngestOptions_NonPositiveLimit_FailsValidationNamingIt(string property)
    {
        var options = new IngestOptions();
        typeof(IngestOptions).GetProperty(property)!.SetValue(options, 0);

        var failure = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Contains($"Ingest:{property}", failure.Message, StringComparison.Ordinal);
    }
}
