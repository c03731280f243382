using FunctionsObservability.Functions.Hosting;
using FunctionsObservability.Functions.Standalone;
using FunctionsObservability.Functions.Worker;

// The mode is decided here and nowhere else; everything below the two hosts is shared.
if (HostingModes.Detect(args) == HostingMode.FunctionsWorker)
{
    using var worker = WorkerHost.Build(args);
    await worker.RunAsync();
}
else
{
    await using var app = StandaloneHost.Build(args);
    await app.RunAsync();
}
