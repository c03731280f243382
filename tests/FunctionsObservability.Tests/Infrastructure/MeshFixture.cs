using System.Text;
using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Pipeline.Model;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Pipeline.Composition;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>The real mesh over a real DuckDB file in a temp folder, without HTTP, composed as the hosts compose it.</summary>
public sealed class MeshFixture : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly ServiceProvider _services;

    public MeshFixture(Action<IngestOptions>? configure = null, Action<StorageOptions>? configureStorage = null)
    {
        var options = new MetricsStoreOptions { Storage = new StorageOptions { DataDirectory = _directory.Path } };
        configureStorage?.Invoke(options.Storage);
        configure?.Invoke(options.Ingest);
        _services = new ServiceCollection().AddLogging().AddMetricsStore(options).BuildServiceProvider();

        // The mesh first, so the container disposes it (draining) before the writer and the database.
        Pipeline = _services.GetRequiredService<IngestPipeline>();
        Storage = options.Storage;
        Options = options.Ingest;
        Database = _services.GetRequiredService<MetricsDatabase>();
        Catalog = _services.GetRequiredService<SeriesCatalog>();
        Writer = _services.GetRequiredService<PointWriter>();
        Metrics = _services.GetRequiredService<IngestMetrics>();
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
        await _services.DisposeAsync();
        _directory.Dispose();
    }
}
