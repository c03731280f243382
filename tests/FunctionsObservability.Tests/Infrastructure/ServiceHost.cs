using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Functions.Standalone;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>The real app on Kestrel, on a free loopback port, with its data in a temp folder.</summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private readonly TempDirectory? _ownedDirectory;
    private bool _stopped;

    private ServiceHost(WebApplication app, string dataDirectory, TempDirectory? ownedDirectory)
    {
        App = app;
        DataDirectory = dataDirectory;
        _ownedDirectory = ownedDirectory;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };
    }

    public WebApplication App { get; }

    /// <summary>A mesh that fills after a couple of requests and refuses after 100 ms: for backpressure tests.</summary>
    public static Dictionary<string, string> TinyMeshSettings() => new()
    {
        ["Ingest:ParseQueueCapacity"] = "1",
        ["Ingest:BatchSize"] = "1",
        ["Ingest:AdmissionTimeoutMilliseconds"] = "100",
    };

    public HttpClient Client { get; }

    public string DataDirectory { get; }

    public static async Task<ServiceHost> StartAsync(IDictionary<string, string>? settings = null, string? dataDirectory = null, Action<WebApplicationBuilder>? configure = null)
    {
        var owned = dataDirectory is null ? new TempDirectory() : null;
        var directory = dataDirectory ?? owned!.Path;
        var args = new List<string> { "--urls=http://127.0.0.1:0", $"--Storage:DataDirectory={directory}" };
        settings ??= new Dictionary<string, string>();

        // No test archives or prunes on a schedule unless it asks for the scheduler.
        if (!settings.Keys.Any(key => string.Equals(key, "Timers:Enabled", StringComparison.OrdinalIgnoreCase)))
        {
            args.Add("--Timers:Enabled=false");
        }

        // The Prometheus exporter (1.20.1-beta.1) kept about 17 MB of every host a test process had
        // built and disposed; a single service process is not affected. Tests that scrape turn it on.
        if (!settings.Keys.Any(key => string.Equals(key, "Telemetry:Prometheus:Enabled", StringComparison.OrdinalIgnoreCase)))
        {
            args.Add("--Telemetry:Prometheus:Enabled=false");
        }

        foreach (var (key, value) in settings)
        {
            args.Add($"--{key}={value}");
        }

        var app = StandaloneHost.Build([.. args], builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            configure?.Invoke(builder);
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A start-up failure is what some tests expect; leave no open database or folder behind.
            await app.DisposeAsync();
            owned?.Dispose();
            throw;
        }

        return new ServiceHost(app, directory, owned);
    }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public Task<HttpResponseMessage> PostAsync(string path, string body, string contentType = "text/plain")
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return Client.PostAsync(path, content);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// With the writer held (<c>PointWriter.Gate</c>) and <see cref="TinyMeshSettings"/>, fills the mesh
    /// with acknowledged-async requests until one is refused, so every further request is refused as overloaded.
    /// </summary>
    public async Task FillMeshUntilRefusedAsync(long timestampSeconds)
    {
        HttpStatusCode status;
        var i = 0;
        do
        {
            using var response = await PostAsync("/api/ingest?ack=async&precision=s", $"fill v={i++} {timestampSeconds}");
            status = response.StatusCode;
        }
        while (status == HttpStatusCode.Accepted && i < 100);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
    }

    /// <summary>Stops the app the way SIGTERM does: the server first, then the drain.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        _ownedDirectory?.Dispose();
    }
}
