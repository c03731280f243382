using FunctionsObservability.Functions.Hosting;

namespace FunctionsObservability.Tests.Worker;

/// <summary>The one decision between the two modes, from the command line the process was started with.</summary>
public sealed class HostingModeTests
{
    [Theory]
    [InlineData]
    [InlineData("--urls", "http://127.0.0.1:7071")]
    [InlineData("--Storage:DataDirectory=/tmp/data", "--Timers:Enabled=false")]
    [InlineData("--functions-worker-id", "abc")]
    public void Detect_WithoutTheHostsUriSwitch_IsStandalone(params string[] commandLine) =>
        Assert.Equal(HostingMode.Standalone, HostingModes.Detect(commandLine));

    [Theory]
    [InlineData("--functions-uri", "http://127.0.0.1:50051/", "--functions-worker-id", "abc", "--functions-request-id", "def", "--functions-grpc-max-message-length", "2147483647")]
    [InlineData("--functions-uri=http://127.0.0.1:50051/")]
    [InlineData("--Functions-Uri", "http://127.0.0.1:50051/")]
    public void Detect_StartedByTheFunctionsHost_IsTheWorker(params string[] commandLine) =>
        Assert.Equal(HostingMode.FunctionsWorker, HostingModes.Detect(commandLine));
}
