using FunctionsObservability.Functions.Hosting;
using FunctionsObservability.Functions.Http;
using FunctionsObservability.Functions.Http.OpenApi;
using FunctionsObservability.Functions.Standalone.Queues;
using FunctionsObservability.Functions.Standalone.Security;
using FunctionsObservability.Functions.Telemetry;

namespace FunctionsObservability.Functions.Standalone;

/// <summary>
/// The standalone service: a web app that serves the HTTP routes itself and runs what the
/// Functions host would otherwise run (the queue trigger, the timers, the key checks). Used by
/// <c>Program</c> and by tests that host it on loopback.
/// </summary>
public static class StandaloneHost
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json sits beside the binary; relative data paths still resolve against the
        // working directory, so `dotnet run` from the repo root keeps data under ./data.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables();
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        else
        {
            // With no function key configured, configured urls are kept to loopback (same port).
            LoopbackBinding.RestrictWhenNoKeys(builder);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestLineSize = 16 * 1024;
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.Services.AddAppServices(builder.Configuration);
        builder.Services.AddStandaloneQueueListener(builder.Configuration);
        builder.Services.AddTimerScheduler(builder.Configuration);
        builder.Services.AddFunctionKeysAndRateLimits(builder.Configuration);
        builder.Services.AddApiDocument();
        builder.Services.AddServiceTelemetry(builder.Configuration, HostingMode.Standalone);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseUnhandledErrors();
        app.UseJsonErrorBodies();
        app.UseFunctionKeysAndRateLimits();
        app.UseApiReference();
        app.MapApiDocument();
        app.MapRoutes();
        app.MapScrapeEndpoint();
        return app;
    }
}
