using System.Text;
using System.Text.Json;
using FunctionsObservability.Functions.Queues;
using FunctionsObservability.Functions.Worker;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace FunctionsObservability.Tests.Worker;

/// <summary>
/// The [Function] classes called directly, as the worker calls them, over the real store of a
/// running app: each must hand its trigger to the shared handler and report the outcome the
/// Functions host expects. (The gRPC path from a host is covered in WorkerProtocol.)
/// </summary>
public sealed class FunctionClassTests
{
    private static readonly long Seconds = MeshFixture.BaseSeconds;

    private static DefaultHttpContext Request(ServiceHost host, string method, string pathAndQuery, string? body = null)
    {
        var context = new DefaultHttpContext { RequestServices = host.App.Services };
        var split = pathAndQuery.Split('?', 2);
        context.Request.Method = method;
        context.Request.Path = split[0];
        context.Request.QueryString = split.Length > 1 ? new QueryString("?" + split[1]) : QueryString.Empty;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = "text/plain";
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private static async Task<string> ResponseTextAsync(HttpContext context)
    {
        await context.Response.BodyWriter.FlushAsync();
        return Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
    }

    [Fact]
    public async Task InfluxWrite_ThenMetricTags_WriteThroughTheSharedHandlers()
    {
        await using var host = await ServiceHost.StartAsync();
        var write = Request(host, "POST", "/api/v2/write?precision=s", $"cpu,host=f1 usage=1 {Seconds}\ncpu,host=f2 usage=2 {Seconds}");

        var written = await new IngestFunctions().InfluxWriteAsync(write.Request);
        var tags = Request(host, "GET", "/api/metrics/cpu_usage/tags");
        var answered = await new QueryFunctions().TagsAsync(tags.Request, "cpu_usage");

        Assert.IsType<EmptyResult>(written);
        Assert.Equal(StatusCodes.Status204NoContent, write.Response.StatusCode);
        Assert.IsType<EmptyResult>(answered);
        Assert.Equal(StatusCodes.Status200OK, tags.Response.StatusCode);
        using var json = JsonDocument.Parse(await ResponseTextAsync(tags));
        Assert.Equal(["f1", "f2"], json.RootElement.GetProperty("tags").GetProperty("host").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task QueryPoints_BadCursor_Answers400NamingTheParameter()
    {
        await using var host = await ServiceHost.StartAsync();
        var query = Request(host, "GET", "/api/query/points?metric=cpu_usage&cursor=AAAA");

        await new QueryFunctions().PointsAsync(query.Request);

        Assert.Equal(StatusCodes.Status400BadRequest, query.Response.StatusCode);
        using var json = JsonDocument.Parse(await ResponseTextAsync(query));
        Assert.Equal("cursor", json.RootElement.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task IngestQueue_GoodMessage_CommitsAndWritesNoPoison()
    {
        await using var host = await ServiceHost.StartAsync();
        var function = new IngestQueueFunction(host.Service<QueueMessageProcessor>());

        var poison = await function.RunAsync($$"""{"contentType":"text/plain","precision":"s","payload":"queued,host=q1 v=1 {{Seconds}}"}""", "m-1", 1, CancellationToken.None);

        Assert.Null(poison);
        var page = await host.GetJsonAsync("/api/query/points?metric=queued_v");
        Assert.Single(page.GetProperty("points").EnumerateArray());
    }

    [Fact]
    public async Task IngestQueue_MessageThatCanNeverSucceed_ReturnsThePoisonRecordWithItsReason()
    {
        await using var host = await ServiceHost.StartAsync();
        var function = new IngestQueueFunction(host.Service<QueueMessageProcessor>());

        var poison = await function.RunAsync("""{"contentType":"text/csv","payload":"a,b"}""", "m-2", 1, CancellationToken.None);

        Assert.NotNull(poison);
        using var record = JsonDocument.Parse(poison);
        Assert.Equal("m-2", record.RootElement.GetProperty("messageId").GetString());
        Assert.Contains("text/csv", record.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IngestQueue_PipelineFull_FailsTheInvocationSoTheHostRetries()
    {
        await using var host = await ServiceHost.StartAsync(ServiceHost.TinyMeshSettings());
        var writer = host.Service<PointWriter>();
        await writer.Gate.WaitAsync();
        try
        {
            await host.FillMeshUntilRefusedAsync(Seconds);

            var function = new IngestQueueFunction(host.Service<QueueMessageProcessor>());
            var error = await Assert.ThrowsAsync<QueueMessageNotCommittedException>(() =>
                function.RunAsync($"queued,host=q1 v=1 {Seconds}000000000", "m-3", 1, CancellationToken.None));

            Assert.Contains("will be retried", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            writer.Gate.Release();
        }
    }
}
