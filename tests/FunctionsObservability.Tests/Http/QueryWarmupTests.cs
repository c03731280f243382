using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Tests.Infrastructure;
using FunctionsObservability.Tests.Timers;
using Microsoft.Extensions.Logging;
using PipelineEvents = FunctionsObservability.Pipeline.LogEvents;

namespace FunctionsObservability.Tests.Http;

public sealed class QueryWarmupTests
{
    [Fact]
    public async Task Start_WarmsUpTheAggregatePath_WithoutWritingOrCachingAnything()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = await ServiceHost.StartAsync(configure: builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.AddFilter<CapturingLoggerProvider>(typeof(QueryWarmup).FullName, LogLevel.Debug);
        });

        // The hosted service finished its start before the host reported started.
        Assert.Single(logs.Entries, e => e.EventId.Id == PipelineEvents.QueryPathWarmedUp);
        Assert.DoesNotContain(logs.Entries, e => e.EventId.Id == PipelineEvents.QueryWarmupFailed);
        Assert.Equal(0, host.Service<AggregateAnswerCache>().Count);
        var metrics = await host.GetJsonAsync("/api/metrics");
        Assert.Equal(0, metrics.GetProperty("metrics").GetArrayLength());
    }
}
