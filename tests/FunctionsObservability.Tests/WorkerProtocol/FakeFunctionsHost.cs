using System.Net;
using FunctionsObservability.Tests.WorkerProtocol.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>
/// Stands in for the Functions host's gRPC side: a FunctionRpc server on 127.0.0.1 over HTTP/2
/// without TLS, as the host runs it for its workers. The worker dials it and opens the one stream
/// that <see cref="Connected"/> hands out.
/// </summary>
public sealed class FakeFunctionsHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WorkerLog _log;
    private readonly TaskCompletionSource<WorkerConnection> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeFunctionsHost(WebApplication app, WorkerLog log, Uri address)
    {
        _app = app;
        _log = log;
        Address = address;
    }

    /// <summary>What the worker gets as <c>--functions-uri</c>.</summary>
    public Uri Address { get; }

    /// <summary>Completes when the worker has opened its stream.</summary>
    public Task<WorkerConnection> Connected => _connected.Task;

    public static async Task<FakeFunctionsHost> StartAsync(WorkerLog log, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = null;
            options.MaxSendMessageSize = null;
        });

        var holder = new HostHolder();
        builder.Services.AddSingleton(holder);
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync(cancellationToken);

        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        var host = new FakeFunctionsHost(app, log, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
        holder.Host = host;
        log.Add("host", $"FunctionRpc listening on {host.Address}");
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        // The worker is gone by now, so its stream has ended; do not wait long for stragglers.
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(stopping.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync();
    }

    private async Task ServeAsync(IAsyncStreamReader<StreamingMessage> fromWorker, IServerStreamWriter<StreamingMessage> toWorker, ServerCallContext context)
    {
        var connection = new WorkerConnection(_log);
        if (!_connected.TrySetResult(connection))
        {
            _log.Add("host", "refused a second EventStream: the worker already has one");
            return;
        }

        _log.Add("host", $"the worker opened its EventStream from {context.Peer}");
        await connection.RunAsync(fromWorker, toWorker, context.CancellationToken);
    }

    /// <summary>Lets the gRPC service, which DI creates, reach the host object created after the app.</summary>
    private sealed class HostHolder
    {
        public FakeFunctionsHost? Host { get; set; }
    }

    private sealed class FunctionRpcService(HostHolder holder) : FunctionRpc.FunctionRpcBase
    {
        public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
            holder.Host is { } host
                ? host.ServeAsync(requestStream, responseStream, context)
                : throw new Grpc.Core.RpcException(new Status(StatusCode.Unavailable, "the host is still starting"));
    }
}
