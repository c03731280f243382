using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Tests.Telemetry;

/// <summary>One request a <see cref="TelemetryReceiver"/> took: what an exporter sent, unread beyond its bytes.</summary>
public sealed record ReceivedExport(string Path, string? ContentType, string? ContentEncoding, byte[] Body);

/// <summary>
/// A stand-in for a collector or Azure Monitor's ingestion endpoint: Kestrel on a free loopback port
/// that answers every POST with 200 and keeps what arrived. Nothing leaves the machine.
/// </summary>
public sealed class TelemetryReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedExport> _received = Channel.CreateUnbounded<ReceivedExport>();

    private TelemetryReceiver(WebApplication app) => _app = app;

    /// <summary><c>http://127.0.0.1:port</c>, without a trailing slash.</summary>
    public string Address { get; private set; } = "";

    public static async Task<TelemetryReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new TelemetryReceiver(builder.Build());
        receiver._app.MapPost("/{**path}", receiver.ReceiveAsync);
        await receiver._app.StartAsync();
        receiver.Address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return receiver;
    }

    /// <summary>The first request to <paramref name="path"/>; fails when none arrives within <paramref name="timeout"/>.</summary>
    public async Task<ReceivedExport> FirstAsync(string path, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var export in _received.Reader.ReadAllAsync(deadline.Token))
            {
                if (string.Equals(export.Path, path, StringComparison.Ordinal))
                {
                    return export;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
        }

        throw new TimeoutException($"no POST {path} arrived at {Address} within {timeout.TotalSeconds} s");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        _received.Writer.TryWrite(new ReceivedExport(
            context.Request.Path.Value ?? "", context.Request.ContentType, context.Request.Headers.ContentEncoding.ToString(), body.ToArray()));
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = context.Request.ContentType ?? "application/json";

        // Azure Monitor's ingestion answers a summary; an empty one reads as "all accepted".
        if (context.Request.Path.StartsWithSegments("/v2.1/track"))
        {
            await context.Response.WriteAsync("""{"itemsReceived":1,"itemsAccepted":1,"errors":[]}""", context.RequestAborted);
        }
    }
}
