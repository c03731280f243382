using FunctionsObservability.Functions.Hosting;
using FunctionsObservability.Functions.Telemetry;
using FunctionsObservability.Pipeline.Composition;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Azure.Functions.Worker.Builder;

namespace FunctionsObservability.Functions.Worker;

/// <summary>
/// The isolated worker: the Functions host starts the process, this dials back over gRPC, and the
/// host then drives the <c>[Function]</c> classes in this folder. HTTP requests reach the handlers
/// through the ASP.NET Core integration; the host fires the queue and timer triggers and checks keys.
/// </summary>
internal static class WorkerHost
{
    public static IHost Build(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.UseMiddleware<HttpErrorsMiddleware>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.Services.AddAppServices(builder.Configuration);

        // No scrape endpoint here: the platform balances requests over instances, so a scrape would
        // reach any one of them. The meters go out by push: Azure Monitor, OTLP when configured.
        builder.Services.AddServiceTelemetry(builder.Configuration, HostingMode.FunctionsWorker);

        // The store opens before the worker dials the host (MetricsStoreStartup), when the worker's
        // log has no channel yet: what opening logs (a damaged file, a recovery) goes to the console
        // too, which the Functions host captures and a supervisor sees.
        builder.Logging.AddConsole();
        builder.Logging.AddFilter<ConsoleLoggerProvider>((category, _) =>
            category is not null && category.StartsWith(typeof(MetricsStoreStartup).Namespace + ".", StringComparison.Ordinal));
        return builder.Build();
    }
}
