using System.Diagnostics;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Parquet;
using Parquet.Schema;

namespace FunctionsObservability.Bench;

/// <summary>
/// Which writer the archive should use: DuckDB's COPY ... TO parquet, or Parquet.Net fed from a
/// DuckDB reader, on the same rows (sorted by series and time, ZSTD), side by side in one run.
/// </summary>
internal static class ParquetCommand
{
    public static async Task<int> RunAsync(Options options)
    {
        var rows = options.Int("rows", 10_000_000);
        var runs = options.Int("runs", 3);
        var dir = Path.GetFullPath(options.String("out", Path.GetTempPath()));
        options.EnsureAllUsed();
        Directory.CreateDirectory(dir);
        var duckFile = Path.Combine(dir, "bench-duckdb.parquet");
        var netFile = Path.Combine(dir, "bench-parquetnet.parquet");

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Execute(connection, $"CREATE TABLE p AS SELECT (i % 1000)::INTEGER AS series_id, 1704067200000000 + (i // 1000) * 1000000 AS ts, round(random() * 100, 2) AS value FROM range({rows}) t(i)");
        var copy = new List<double>();
        var net = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            File.Delete(duckFile);
            File.Delete(netFile);
            var clock = Stopwatch.StartNew();
            Execute(connection, $"COPY (SELECT series_id, make_timestamp(ts) AS ts, value FROM p ORDER BY series_id, ts) TO '{duckFile}' (FORMAT PARQUET, COMPRESSION ZSTD)");
            copy.Add(clock.Elapsed.TotalSeconds);

            clock.Restart();
            await WriteWithParquetNetAsync(connection, rows, netFile);
            net.Add(clock.Elapsed.TotalSeconds);
        }

        JsonOut.Print(new JsonObject
        {
            ["cmd"] = "parquet",
            ["rows"] = rows,
            ["duckdb_copy_s_median"] = JsonOut.Num(Stats.Median(copy), 3),
            ["parquetnet_s_median"] = JsonOut.Num(Stats.Median(net), 3),
            ["duckdb_rows_per_s"] = JsonOut.Num(rows / Stats.Median(copy), 0),
            ["parquetnet_rows_per_s"] = JsonOut.Num(rows / Stats.Median(net), 0),
            ["duckdb_bytes"] = new FileInfo(duckFile).Length,
            ["parquetnet_bytes"] = new FileInfo(netFile).Length,
        });
        File.Delete(duckFile);
        File.Delete(netFile);
        return 0;
    }

    private static async Task WriteWithParquetNetAsync(DuckDBConnection connection, int rows, string file)
    {
        var ids = new int[rows];
        var times = new DateTime[rows];
        var values = new double[rows];
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT series_id, ts, value FROM p ORDER BY series_id, ts";
            command.UseStreamingMode = true;
            using var reader = command.ExecuteReader();
            var i = 0;
            while (reader.Read())
            {
                ids[i] = reader.GetInt32(0);
                times[i] = DateTime.UnixEpoch.AddTicks(reader.GetInt64(1) * 10);
                values[i] = reader.GetDouble(2);
                i++;
            }
        }

        var schema = new ParquetSchema(
            new DataField<int>("series_id"),
            new DateTimeDataField("ts", DateTimeFormat.Timestamp, unit: DateTimeTimeUnit.Micros),
            new DataField<double>("value"));
        await using var stream = File.Create(file);

        // Parquet.Net's default ZSTD level is very slow; Optimal is the level worth comparing.
        var parquetOptions = new ParquetOptions { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = System.IO.Compression.CompressionLevel.Optimal };
        await using var writer = await ParquetWriter.CreateAsync(schema, stream, parquetOptions, false, default);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<int>(schema.DataFields[0], ids, null, null, default);
        await group.WriteAsync<DateTime>(schema.DataFields[1], times, null, null, default);
        await group.WriteAsync<double>(schema.DataFields[2], values, null, null, default);
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
