using DuckDB.NET.Data;

namespace FunctionsObservability.Bench.NaiveServer;

/// <summary>One DuckDB connection, one lock, one INSERT (and so one commit) per point.</summary>
internal sealed class NaiveStore : IDisposable
{
    private readonly DuckDBConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public NaiveStore(string dataDirectory)
    {
        var dir = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(dir);
        _connection = new DuckDBConnection($"Data Source={Path.Combine(dir, "naive.duckdb")}");
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText =
            "CREATE TABLE IF NOT EXISTS points (metric VARCHAR, tags VARCHAR, ts TIMESTAMP, value DOUBLE)";
        create.ExecuteNonQuery();
    }

    public async Task InsertOneByOneAsync(List<NaivePoint> points)
    {
        await _gate.WaitAsync();
        try
        {
            foreach (var point in points)
            {
                using var insert = _connection.CreateCommand();
                insert.CommandText = "INSERT INTO points VALUES ($1, $2, $3, $4)";
                insert.Parameters.Add(new DuckDBParameter(point.Metric));
                insert.Parameters.Add(new DuckDBParameter(point.Tags));
                insert.Parameters.Add(new DuckDBParameter(point.Timestamp));
                insert.Parameters.Add(new DuckDBParameter(point.Value));
                insert.ExecuteNonQuery();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<List<MetricCount>> CountByMetricAsync()
    {
        await _gate.WaitAsync();
        try
        {
            using var query = _connection.CreateCommand();
            query.CommandText = "SELECT metric, count(*) FROM points GROUP BY metric ORDER BY metric";
            using var reader = query.ExecuteReader();
            var result = new List<MetricCount>();
            while (reader.Read())
            {
                result.Add(new MetricCount(reader.GetString(0), reader.GetInt64(1)));
            }

            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
    }
}

internal sealed record MetricCount(string Name, long Points);
