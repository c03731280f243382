using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Applies the head's rows to the file once writes pause, so queries after a burst of ingest do
/// not pay for a scan of unsorted rows, and frees the head's applied rows a while later. It takes
/// the writer's gate, so it never writes alongside it.
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
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Min(1000, _idle.TotalMilliseconds / 2)));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if ((_writer.RecentRows == 0 && !_writer.HasAppliedRowsInHead) || _writer.SinceLastWrite < _idle || Stopwatch.GetTimestamp() < _pausedUntil)
                {
                    continue;
                }

                await _writer.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (_writer.RecentRows > 0 && _writer.SinceLastWrite >= _idle)
                    {
                        _writer.Compact();
                    }

                    // Applied rows stay in the head for a while for readers that started before the apply.
                    _writer.PurgeAppliedWhenIdle(_idle);
                }
                catch (Exception exception) when (exception is StorageFullException or StoreDamagedException)
                {
                    // The writer logged the full disk or the damage once; a later idle period tries again.
                    _pausedUntil = Stopwatch.GetTimestamp() + (long)(FullDiskPause.TotalSeconds * Stopwatch.Frequency);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogFailed(_logger, exception);
                }
                finally
                {
                    _writer.Gate.Release();
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
