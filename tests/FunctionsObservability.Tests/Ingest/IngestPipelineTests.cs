using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Ingest;

public sealed class IngestPipelineTests
{
    private static readonly long Base = MeshFixture.BaseSeconds;

    private static string Lines(int host, int count, int startSecond = 0)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"cpu,host=h{host} usage_user={i}.5,usage_system={i}i {Base + startSecond + i}\n");
        }

        return builder.ToString();
    }

    [Fact]
    public async Task Submit_ConcurrentRequests_ShareCommits()
    {
        await using var mesh = new MeshFixture();
        var commits = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this fixture's instrument: other tests run in parallel with meters of the same name.
            if (ReferenceEquals(instrument, mesh.Metrics.BatchSize))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref commits));
        listener.Start();

        // Hold the writer so that every request is queued before the first commit.
        await mesh.Writer.Gate.WaitAsync();
        var tasks = Enumerable.Range(0, 40)
            .Select(host => mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol(Lines(host, 10)), waitForCommit: true, CancellationToken.None))
            .ToArray();
        while (mesh.Pipeline.BufferDepth < 40 || tasks.Any(t => t.IsCompleted))
        {
            Assert.DoesNotContain(tasks, t => t.IsCompleted);
            await Task.Yield();
        }

        mesh.Writer.Gate.Release();
        var results = await Task.WhenAll(tasks);

        Assert.All(results, r => Assert.Equal(IngestOutcome.Written, r.Outcome));
        Assert.All(results, r => Assert.Equal(20, r.PointsWritten));
        Assert.Equal(800, mesh.CountRows());
        Assert.InRange(Interlocked.Read(ref commits), 1, 39);
    }

    [Fact]
    public async Task Submit_PartlyBadRequest_WritesGoodLinesAndReportsBadOnes()
    {
        await using var mesh = new MeshFixture();
        var body = $"cpu,host=a v=1 {Base}\ncpu,host=a v=\"text\" {Base + 1}\ncpu,host=a v=NaN {Base + 2}\ncpu,host=a v=2 {Base + 3}\n";

        var result = await mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol(body), waitForCommit: true, CancellationToken.None);

        Assert.Equal(IngestOutcome.PartiallyWritten, result.Outcome);
        Assert.Equal(2, result.PointsWritten);
        Assert.Equal(2, result.ErrorCount);
        Assert.Equal([2, 3], result.Errors.Select(e => e.Line));
        Assert.Contains("string", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("NaN", result.Errors[1].Message, StringComparison.Ordinal);
        Assert.Equal(2, mesh.CountRows());
    }

    [Fact]
    public async Task Submit_StrictWithABadLine_WritesNothing()
    {
        await using var mesh = new MeshFixture();
        var body = $"cpu,host=a v=1 {Base}\ncpu,host=a v=oops {Base + 1}\n";

        var result = await mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol(body, strict: true), waitForCommit: true, CancellationToken.None);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        Assert.Equal(0, result.PointsWritten);
        Assert.Equal(2, Assert.Single(result.Errors).Line);
        Assert.Equal(0, mesh.CountRows());
    }

    [Fact]
    public async Task Submit_OverlongTagValueOfEmoji_QuotesItWithoutCuttingACharacterInHalf()
    {
        await using var mesh = new MeshFixture(o => o.MaxTagValueLength = 16);
        var value = string.Concat(Enumerable.Repeat("\U0001F600", 40));

        var result = await mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol($"cpu,host={value} v=1 {Base}\n"), waitForCommit: true, CancellationToken.None);

        var message = Assert.Single(result.Errors).Message;
        Assert.Contains("longer than the limit of 16", message, StringComparison.Ordinal);
        Assert.True(message.EnumerateRunes().All(rune => rune != System.Text.Rune.ReplacementChar), message);
        Assert.DoesNotContain(message.Select((c, i) => (c, i)), p => char.IsHighSurrogate(p.c) && (p.i + 1 >= message.Length || !char.IsLowSurrogate(message[p.i + 1])));
    }

    [Theory]
    [InlineData("cpu,host=a v=1 1", "days in the past")]
    [InlineData("cpu,host=a v=1e999 {0}", "Infinity")]
    [InlineData("cpu,t0=0,t1=1,t2=2,t3=3 v=1 {0}", "more than the limit of 3")]
    [InlineData("cpu,host=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa v=1 {0}", "longer than the limit of 16")]
    public async Task Submit_LimitExceeded_RejectsLineWithReason(string line, string reason)
    {
        await using var mesh = new MeshFixture(o =>
        {
            o.MaxTagsPerPoint = 3;
            o.MaxTagValueLength = 16;
        });
        var body = $"ok v=1 {Base}\n{string.Format(CultureInfo.InvariantCulture, line, Base)}\n";

        var result = await mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol(body), waitForCommit: true, CancellationToken.None);

        Assert.Equal(IngestOutcome.PartiallyWritten, result.Outcome);
        var error = Assert.Single(result.Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, mesh.CountRows());
    }

    [Fact]
    public async Task Submit_AfterAFailedBatch_WriterKeepsWriting()
    {
        await using var mesh = new MeshFixture();

        // A real constraint makes DuckDB refuse the batch that carries the value 666, after the
        // point log synced it: the log must take the record back, or a restart would replay it.
        mesh.Execute("DROP TABLE head.recent_rows; CREATE TABLE head.recent_rows (seq BIGINT NOT NULL, series_id INTEGER NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL CHECK (value <> 666))");

        var failed = await mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol($"cpu,host=a v=1 {Base}\ncpu,host=a v=666 {Base + 1}\n"), waitForCommit: true, CancellationToken.None);
        var next = await mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol($"cpu,host=a v=2 {Base + 2}\n"), waitForCommit: true, CancellationToken.None);

        Assert.Equal(IngestOutcome.StorageFailed, failed.Outcome);
        Assert.Contains("commit failed", failed.Message, StringComparison.Ordinal);
        Assert.Equal(IngestOutcome.Written, next.Outcome);
        Assert.True(mesh.Pipeline.IsWriterRunning);
        Assert.Equal(1, mesh.CountRows());
        Assert.Equal(1, mesh.CountRows("value = 2"));
    }

    [Fact]
    public async Task Submit_WhileWriterIsStuck_RefusesAsOverloadedWithoutHanging()
    {
        await using var mesh = new MeshFixture(o =>
        {
            o.ParseQueueCapacity = 1;
            o.BatchSize = 1;
            o.AdmissionTimeoutMilliseconds = 100;
        });
        await mesh.Writer.Gate.WaitAsync();
        var admitted = new List<Task<IngestResult>>();
        IngestResult? refused = null;
        for (var i = 0; i < 100 && refused is null; i++)
        {
            var task = mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol($"cpu,host=a v={i} {Base + i}\n"), waitForCommit: false, CancellationToken.None);
            var result = await task;
            if (result.Outcome == IngestOutcome.Overloaded)
            {
                refused = result;
            }
            else
            {
                Assert.Equal(IngestOutcome.Queued, result.Outcome);
                admitted.Add(task);
            }
        }

        mesh.Writer.Gate.Release();
        await mesh.Pipeline.DrainAsync();

        Assert.NotNull(refused);
        Assert.Contains("stayed full", refused.Message, StringComparison.Ordinal);
        Assert.Equal(admitted.Count, mesh.CountRows());
    }

    [Fact]
    public async Task Drain_WithQueuedRequests_CommitsEveryAcceptedPoint()
    {
        await using var mesh = new MeshFixture();
        var accepted = 0;
        for (var host = 0; host < 50; host++)
        {
            var result = await mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol(Lines(host, 100)), waitForCommit: false, CancellationToken.None);
            Assert.Equal(IngestOutcome.Queued, result.Outcome);
            accepted += 200;
        }

        await mesh.Pipeline.DrainAsync();
        var late = await mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol(Lines(99, 1)), waitForCommit: true, CancellationToken.None);

        Assert.Equal(accepted, mesh.CountRows());
        Assert.Equal(IngestOutcome.ShuttingDown, late.Outcome);
        Assert.False(mesh.Pipeline.IsWriterRunning);
    }

    [Fact]
    public async Task Compact_MovesRecentRowsAndKeepsEveryPoint()
    {
        await using var mesh = new MeshFixture();
        await mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol(Lines(1, 500) + Lines(2, 500)), waitForCommit: true, CancellationToken.None);

        var moved = mesh.Writer.Compact();

        Assert.Equal(2000, moved);
        Assert.Equal(0, mesh.Writer.RecentRows);
        Assert.Equal(2000, mesh.CountRows());
    }

    [Fact]
    public async Task Submit_SeriesBeyondLimit_RejectsOnlyNewSeries()
    {
        await using var mesh = new MeshFixture(configureStorage: s => s.MaxSeries = 2);
        var body = $"m,host=a v=1 {Base}\nm,host=b v=1 {Base}\nm,host=c v=1 {Base}\nm,host=a v=2 {Base + 1}\n";

        var result = await mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol(body), waitForCommit: true, CancellationToken.None);

        Assert.Equal(IngestOutcome.PartiallyWritten, result.Outcome);
        var error = Assert.Single(result.Errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("limit of 2 series", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, mesh.CountRows());
    }
}
