using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Http;

[Collection(MemorySensitiveCollection.Name)]
public sealed class StreamingMemoryTests
{
    [Fact]
    public async Task Points_StreamingAMillionPoints_KeepsTheHeapFlat()
    {
        await using var host = await ServiceHost.StartAsync();
        const int hosts = 100;
        const int seconds = 10_000;
        var start = MeshFixture.BaseSeconds - seconds;
        for (var chunk = 0; chunk < seconds; chunk += 500)
        {
            var body = new StringBuilder();
            for (var s = chunk; s < chunk + 500; s++)
            {
                for (var h = 0; h < hosts; h++)
                {
                    body.Append(CultureInfo.InvariantCulture, $"big,host=h{h} v={s} {start + s}\n");
                }
            }

            using var write = await host.PostAsync("/api/v2/write?precision=s", body.ToString());
            Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
        }

        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        long lines = 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/query/points?metric=big_v");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            Assert.StartsWith("{\"metric\":\"big_v\"", line, StringComparison.Ordinal);
            if (++lines % 50_000 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
            }
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((long)hosts * seconds, lines);

        // The whole response is about 80 MB of JSON; a streamed answer never holds a fraction of it.
        var growth = peak - baseline;
        Assert.True(growth < 48 * 1024 * 1024, $"the managed heap grew by {growth / (1024 * 1024)} MiB while streaming");
    }
}
