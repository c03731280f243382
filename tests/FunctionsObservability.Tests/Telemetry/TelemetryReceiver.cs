using System.Diagnostics;
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
    private readonly List<ReceivedExport> _received = [];
    private TaskCompletionSource _arrived = NewSignal();

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

    /// <summary>
    /// The first request to <paramref name="path"/> that <paramref name="match"/> accepts (any, without one),
    /// already received or still to come; fails when none arrives within <paramref name="timeout"/>.
    /// </summary>
    public async Task<ReceivedExport> FirstAsync(string path, TimeSpan timeout, Func<ReceivedExport, bool>? match = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Task arrived;
            lock (_received)
            {
                var found = _received.FirstOrDefault(r => string.Equals(r.Path, path, StringComparison.Ordinal) && (match is null || match(r)));
                if (found is not null)
                {
                    return found;
                }

                arrived = _arrived.Task;
            }

            var left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || await Task.WhenAny(arrived, Task.Delay(left)) != arrived)
            {
                lock (_received)
                {
                    throw new TimeoutException($"no matching POST {path} arrived at {Address} within {timeout.TotalSeconds} s; "
                        + $"{_received.Count} requests did: {string.Join(", ", _received.Select(r => r.Path).Distinct())}");
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var export = new ReceivedExport(context.Request.Path.Value ?? "", context.Request.ContentType, context.Request.Headers.ContentEncoding.ToString(), body.ToArray());
        TaskCompletionSource arrived;
        lock (_received)
        {
            _received.Add(export);
            arrived = _arrived;
            _arrived = NewSignal();
        }

        arrived.TrySetResult();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = context.Request.ContentType ?? "application/json";

        // Azure Monitor's ingestion answers a summary; an empty one reads as "all accepted".
        if (context.Request.Path.StartsWithSegments("/v2.1/track"))
        {
            await context.Response.WriteAsync("""{"itemsReceived":1,"itemsAccepted":1,"errors":[]}""", context.RequestAborted);
        }
    }
}
