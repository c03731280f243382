using System.Globalization;
using FunctionsObservability.Functions.Http;
using FunctionsObservability.Functions.Queues;
using FunctionsObservability.Functions.Security;
using FunctionsObservability.Functions.Timers;

namespace FunctionsObservability.Functions.Hosting;

/// <summary>Builds the web app, for <c>Program</c> and for tests that host it on loopback.</summary>
public static class AppFactory
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json sits beside the binary; relative data paths still resolve against the
        // working directory, so `dotnet run` from the repo root keeps data under ./data.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables();

        // Under the Functions host the port is the host's choice; standalone it is 7071 on loopback.
        var port = Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT");
        if (!string.IsNullOrEmpty(port))
        {
            builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{int.Parse(port, CultureInfo.InvariantCulture)}"));
        }
        else if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
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
        builder.Services.AddMetricsStore(builder.Configuration);
        builder.Services.AddStandaloneQueueListener(builder.Configuration);
        builder.Services.AddTimers(builder.Configuration);
        builder.Services.AddFunctionKeysAndRateLimits(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseUnhandledErrors();
        app.UseFunctionKeysAndRateLimits();
        app.MapHealthEndpoints();
        app.MapIngestEndpoints();
        app.MapQueryEndpoints();
        app.MapQueueFunction();
        app.MapAdminArchiveEndpoints();
        app.MapTimerFunctions();
        return app;
    }
}
