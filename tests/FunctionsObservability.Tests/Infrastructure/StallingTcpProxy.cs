using System.Net;
using System.Net.Sockets;

namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>
/// A TCP endpoint on loopback that, while <see cref="Stalling"/>, accepts connections, reads what
/// is sent and never answers: a service that is up but hangs. Otherwise it forwards each new
/// connection to <c>target</c> (when one is given), so a test can let the service "recover".
/// Turning stalling on also cuts the connections being forwarded, so a client's pooled
/// keep-alive connections cannot slip past the stall.
/// </summary>
public sealed class StallingTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint? _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly HashSet<TcpClient> _forwarding = [];
    private readonly Task _accepting;
    private readonly TaskCompletionSource _firstStalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stalled;
    private int _forwarded;
    private volatile bool _stalling = true;

    public StallingTcpProxy(IPEndPoint? target = null)
    {
        _target = target;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>True (the start): new connections hang. False: they are forwarded to the target.</summary>
    public bool Stalling
    {
        get => _stalling;
        set
        {
            if (!value && _target is null)
            {
                throw new InvalidOperationException("a proxy without a target can only stall");
            }

            _stalling = value;
            if (value)
            {
                lock (_connections)
                {
                    foreach (var connection in _forwarding)
                    {
                        connection.Dispose();
                    }

                    _forwarding.Clear();
                }
            }
        }
    }

    /// <summary>Connections accepted and left hanging.</summary>
    public int StalledConnections => Volatile.Read(ref _stalled);

    /// <summary>Connections forwarded to the target.</summary>
    public int ForwardedConnections => Volatile.Read(ref _forwarded);

    /// <summary>Completes when the first connection was accepted and left hanging.</summary>
    public Task FirstStalled => _firstStalled.Task;

    /// <summary>A storage connection string with <paramref name="connectionString"/>'s account whose blob endpoint is this proxy.</summary>
    public string BlobConnectionString(string connectionString)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.StartsWith("BlobEndpoint=", StringComparison.OrdinalIgnoreCase) ? $"BlobEndpoint=http://127.0.0.1:{Port}/devstoreaccount1" : part);
        return string.Join(';', parts) + ";";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }

        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_connections)
            {
                if (_stop.IsCancellationRequested)
                {
                    client.Dispose();
                    return;
                }

                _connections.Add(client);
            }

            _ = _stalling ? StallAsync(client) : ForwardAsync(client);
        }
    }

    private async Task StallAsync(TcpClient client)
    {
        Interlocked.Increment(ref _stalled);
        _firstStalled.TrySetResult();
        var buffer = new byte[16 * 1024];
        try
        {
            // Drain the request so the sender never blocks on a full window, and never say a word.
            var stream = client.GetStream();
            while (await stream.ReadAsync(buffer, _stop.Token) > 0)
            {
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Forget(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        Interlocked.Increment(ref _forwarded);
        lock (_connections)
        {
            _forwarding.Add(client);
        }

        using var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(_target!, _stop.Token);
            var down = client.GetStream();
            var up = upstream.GetStream();
            var toTarget = PumpAsync(down, upstream.Client);
            var toClient = PumpAsync(up, client.Client);

            // Either side ending (or the client being cut) ends the forwarding: closing the other unblocks its pump.
            await Task.WhenAny(toTarget, toClient);
            client.Dispose();
            upstream.Dispose();
            await Task.WhenAll(toTarget, toClient);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Forget(client);
        }
    }

    /// <summary>Copies until the source ends, then half-closes the destination so the other side sees the end too.</summary>
    private async Task PumpAsync(NetworkStream source, Socket destination)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, _stop.Token)) > 0)
            {
                await destination.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }

            destination.Shutdown(SocketShutdown.Send);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            destination.Close();
        }
    }

    private void Forget(TcpClient client)
    {
        lock (_connections)
        {
            _connections.Remove(client);
            _forwarding.Remove(client);
        }

        client.Dispose();
    }
}
