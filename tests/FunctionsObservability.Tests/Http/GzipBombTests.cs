using System.Net;
using System.Text.Json;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Http;

[Collection(MemorySensitiveCollection.Name)]
public sealed class GzipBombTests
{
    [Fact]
    public async Task Ingest_GzipBomb_StopsAtTheCapWith413()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Ingest:MaxDecompressedBytes"] = "1048576" });
        var bomb = IngestHttpTests.Gzip(new byte[200 * 1024 * 1024]);
        var before = GC.GetTotalAllocatedBytes(precise: true);

        using var response = await host.Client.PostAsync("/api/v2/write", bomb);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("states it expands to 209715200 bytes, more than the limit of 1048576 bytes", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(allocated < 64 * 1024 * 1024, $"the request allocated {allocated} bytes for a 200 MiB bomb");
    }

    [Fact]
    public async Task Ingest_GzipBombWhoseTrailerLies_StillStopsAtTheCapWith413()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Ingest:MaxDecompressedBytes"] = "1048576" });
        var bomb = await IngestHttpTests.Gzip(new byte[200 * 1024 * 1024]).ReadAsByteArrayAsync();

        // The gzip trailer's size field (the last 4 bytes) claims 100 bytes.
        BitConverter.GetBytes(100u).CopyTo(bomb, bomb.Length - 4);
        using var content = new ByteArrayContent(bomb);
        content.Headers.ContentEncoding.Add("gzip");
        var before = GC.GetTotalAllocatedBytes(precise: true);

        using var response = await host.Client.PostAsync("/api/v2/write", content);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("expands to more than the limit of 1048576 bytes", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(allocated < 64 * 1024 * 1024, $"the request allocated {allocated} bytes for a 200 MiB bomb");
    }
}
