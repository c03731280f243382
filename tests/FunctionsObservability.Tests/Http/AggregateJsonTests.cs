using FunctionsObservability.Functions.Http;
using FunctionsObservability.Pipeline.Query;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FunctionsObservability.Tests.Http;

public sealed class AggregateJsonTests
{
    [Fact]
    public async Task WriteAsync_LargeAnswer_SendsItsBytesWhileWriting()
    {
        var sent = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(sent));
        IReadOnlyList<AggregateSeries> answer = [.. Enumerable.Range(0, 100).Select(h => new AggregateSeries(
            [new("host", $"h{h}")],
            Enumerable.Range(0, 100).Select(i => new BucketValue(1_704_067_200_000_000L + (i * 60_000_000L), i / 7.0)).ToList()))];

        await AggregateJson.WriteAsync(context.Response, answer, CancellationToken.None);

        // Nothing has completed the response: what the stream holds was sent during the write.
        Assert.True(sent.Length > 64 * 1024, $"only {sent.Length} bytes were sent before the answer ended");
    }
}
