using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Storage;

/// <summary>
/// A data block damaged where start-up does not look (start-up reads the series and time columns,
/// not the values): the first query that reads it fails with the cause, readiness turns not ready,
/// and writes into the file stop.
/// </summary>
public sealed class DamageWhileServingTests
{
    private const int Points = 200_000;

    [Fact]
    public async Task DamagedValueBlock_FailsTheQueryNamingTheCause_FlipsReadiness_AndStopsWrites()
    {
        using var directory = new TempDirectory();
        var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 7200;
        await using (var first = await ServiceHost.StartAsync(dataDirectory: directory.Path))
        {
            var random = new Random(42);
            for (var batch = 0; batch < Points / 5000; batch++)
            {
                var body = new StringBuilder();
                for (var i = 0; i < 5000; i++)
                {
                    var n = (batch * 5000) + i;
                    body.Append(CultureInfo.InvariantCulture, $"dmg,host=h{n % 20} v={random.NextDouble()} {seconds + (n / 20)}\n");
                }

                using var response = await first.PostAsync("/api/ingest?precision=s", body.ToString());
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        var path = Path.Combine(directory.Path, StorageOptions.DefaultDatabaseFileName);
        DamageAValueOnlyBlock(path);

        await using var second = await ServiceHost.StartAsync(dataDirectory: directory.Path);
        using (var ready = await second.Client.GetAsync("/api/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // A percentile reads the points themselves, not the minute rollup.
        using var query = await second.Client.GetAsync($"/api/query/aggregate?metric=dmg_v&from={(seconds - 3600) * 1000}&step=1h&fn=p50");
        var error = JsonDocument.Parse(await query.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        using var readiness = await second.Client.GetAsync("/api/health/ready");
        var readyBody = JsonDocument.Parse(await readiness.Content.ReadAsStringAsync()).RootElement;
        using var write = await second.PostAsync("/api/ingest?precision=s", $"dmg,host=new v=1 {seconds}\n");
        var writeBody = await write.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, query.StatusCode);
        Assert.Contains($"the database file {path} is damaged", error, StringComparison.Ordinal);
        Assert.Contains("Storage:RecoverDamagedDatabase=true", error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
        Assert.Equal("damaged", readyBody.GetProperty("storage").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, write.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), write.Headers.RetryAfter?.Delta);
        Assert.Contains("is damaged", writeBody, StringComparison.Ordinal);
    }

    /// <summary>Overwrites bytes inside a storage block that holds only segments of the value columns.</summary>
    private static void DamageAValueOnlyBlock(string path)
    {
        long block;
        long blockSize;
        using (var connection = new DuckDBConnection($"Data Source={path};ACCESS_MODE=READ_ONLY"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                WITH segments AS (
                    SELECT column_name, block_id FROM pragma_storage_info('points') WHERE block_id >= 0)
                SELECT block_id FROM segments GROUP BY block_id HAVING bool_and(column_name = 'value') ORDER BY block_id LIMIT 1
                """;
            block = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
            command.CommandText = "SELECT block_size FROM pragma_database_size()";
            blockSize = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        // Three 4 KiB headers, then the blocks; each block starts with its checksum.
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.Position = (3 * 4096) + (block * blockSize) + 4096;
        file.Write(Enumerable.Repeat((byte)0xA5, 512).ToArray());
    }
}
