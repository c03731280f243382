using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Functions.Hosting;

/// <summary>
/// Starts the background clustering and, on shutdown, drains the mesh. The web server stops
/// before hosted services do, so by the time the drain starts no new request can arrive, and
/// requests already admitted get their commit and their answer.
/// </summary>
internal sealed partial class PipelineHostedService : IHostedService
{
    private readonly IngestPipeline _pipeline;
    private readonly RecentRowsCompactor _compactor;
    private readonly ILogger<PipelineHostedService> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _compaction = Task.CompletedTask;

    public PipelineHostedService(IngestPipeline pipeline, RecentRowsCompactor compactor, ILogger<PipelineHostedService> logger, SeriesCatalog catalog, StorageOptions storage)
    {
        _pipeline = pipeline;
        _compactor = compactor;
        _logger = logger;
        LogStarted(logger, storage.DatabasePath, catalog.Count);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _compaction = Task.Run(() => _compactor.RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _compaction.ConfigureAwait(false);
        await _pipeline.DrainAsync().ConfigureAwait(false);
        LogStopped(_logger);
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.PipelineOpened, Level = LogLevel.Information, Message = "Metrics store open at {DatabasePath} with {Series} series")]
    private static partial void LogStarted(ILogger logger, string databasePath, int series);

    [LoggerMessage(EventId = LogEvents.PipelineDrained, Level = LogLevel.Information, Message = "Ingest drained and committed; stopping")]
    private static partial void LogStopped(ILogger logger);
}
