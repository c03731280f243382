using System.Text;
using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Pipeline.Model;
using FunctionsObservability.Pipeline.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>The real mesh over a real DuckDB file in a temp folder, without HTTP.</summary>
public sealed class MeshFixture : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();

    public MeshFixture(Action<IngestOptions>? configure = null, Action<StorageOptions>? configureStorage = null)
    {
        Storage = new StorageOptions { DataDirectory = _directory.Path };
        configureStorage?.Invoke(Storage);
        Options = new IngestOptions();
        configure?.Invoke(Options);
        Database = new MetricsDatabase(Storage);
        Catalog = new SeriesCatalog(Storage.MaxSeries);
        using (var connection = Database.OpenConnection())
        {
            Catalog.Load(connection);
        }

        Writer = new PointWriter(Database, NullLogger<PointWriter>.Instance);
        Metrics = new IngestMetrics();
        Pipeline = new IngestPipeline(
            Options,
            Writer,
            new PointValidator(Options, Catalog, TimeProvider.System),
            Metrics,
            NullLogger<IngestPipeline>.Instance,
            new Dictionary<PayloadFormat, IPointParser>
            {
                [PayloadFormat.LineProtocol] = new LineProtocolParser(),
                [PayloadFormat.Json] = new JsonPointParser(),
                [PayloadFormat.NdJson] = new NdJsonPointParser(),
            },
            Storage.CompactionRowThreshold);
    }

    public StorageOptions Storage { get; }

    public IngestOptions Options { get; }

    public MetricsDatabase Database { get; }

    public SeriesCatalog Catalog { get; }

    public PointWriter Writer { get; }

    public IngestMetrics Metrics { get; }

    public IngestPipeline Pipeline { get; }

    public static IngestRequest LineProtocol(string body, bool strict = false, TimestampPrecision precision = TimestampPrecision.Seconds)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        return new IngestRequest(bytes, bytes.Length, pooledPayload: false, PayloadFormat.LineProtocol,
            new ParseSettings(precision, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000, 64 * 1024), strict);
    }

    /// <summary>Recent whole seconds, so points pass the timestamp window.</summary>
    public static long BaseSeconds { get; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 86_400;

    public long CountRows(string where = "true")
    {
        using var connection = Database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM all_points WHERE {where}";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Execute(string sql)
    {
        using var connection = Database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        await Pipeline.DisposeAsync();
        Writer.Dispose();
        Metrics.Dispose();
        Database.Dispose();
        _directory.Dispose();
    }
}
