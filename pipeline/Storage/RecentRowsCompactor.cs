using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Applies the head's rows to the file in the background: when the writer asks (the head reached
/// its threshold) and once writes pause, so queries after a burst of ingest do not pay for a scan
/// of unsorted rows; and frees the head's applied rows a while later.
/// </summary>
public sealed partial class RecentRowsCompactor
{
    private readonly PointWriter _writer;
    private readonly TimeSpan _idle;
    private readonly ILogger<RecentRowsCompactor> _logger;

    /// <summary>After a full disk refused a move, the next attempt waits this long: each attempt rewrites every recent row.</summary>
    private static readonly TimeSpan FullDiskPause = TimeSpan.FromSeconds(30);

    private long _pausedUntil;

    public RecentRowsCompactor(PointWriter writer, StorageOptions options, ILogger<RecentRowsCompactor> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _writer = writer;
        _idle = TimeSpan.FromSeconds(options.CompactionIdleSeconds);
        _logger = logger;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var tick = TimeSpan.FromMilliseconds(Math.Min(1000, _idle.TotalMilliseconds / 2));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var requested = await _writer.WaitForApplyRequestAsync(tick, cancellationToken).ConfigureAwait(false);
                if (Stopwatch.GetTimestamp() < _pausedUntil)
                {
                    continue;
                }

                var idle = _writer.SinceLastWrite >= _idle;
                try
                {
                    if (requested || (idle && _writer.RecentRows > 0))
                    {
                        await _writer.ApplyInBackgroundAsync(cancellationToken).ConfigureAwait(false);
                    }

                    if (idle && _writer.HasAppliedRowsInHead)
                    {
                        // Applied rows stay in the head for a while for readers that started before the apply.
                        await _writer.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                        try
                        {
                            _writer.PurgeAppliedWhenIdle(_idle);
                        }
                        finally
                        {
                            _writer.Gate.Release();
                        }
                    }
                }
                catch (Exception exception) when (exception is StorageFullException or StoreDamagedException)
                {
                    // The writer logged the full disk or the damage once; a later round tries again.
                    _pausedUntil = Stopwatch.GetTimestamp() + (long)(FullDiskPause.TotalSeconds * Stopwatch.Frequency);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogFailed(_logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = LogEvents.ClusteringFailed, Level = LogLevel.Warning, Message = "Clustering recent rows failed; the next idle period tries again")]
    internal static partial void LogFailed(ILogger logger, Exception exception);
}
