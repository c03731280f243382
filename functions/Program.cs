using FunctionsObservability.Functions.Hosting;
using FunctionsObservability.Functions.Standalone;
using FunctionsObservability.Functions.Worker;
using FunctionsObservability.Pipeline.Composition;

// The mode is decided here and nowhere else; everything below the two hosts is shared.
using IHost host = HostingModes.Detect(args) == HostingMode.FunctionsWorker ? WorkerHost.Build(args) : StandaloneHost.Build(args);

// The store opens before the host starts: a database file it cannot use ends the process here,
// with one log line and a documented exit code (MetricsStoreStartup), not an unhandled exception.
var exitCode = await MetricsStoreStartup.OpenAsync(host.Services);
if (exitCode == MetricsStoreStartup.Opened)
{
    await host.RunAsync();
}

return exitCode;
