using System.Collections.Concurrent;
using System.Threading.Channels;
using FunctionsObservability.Tests.WorkerProtocol.Rpc;
using Grpc.Core;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>
/// The host's end of the worker's one gRPC stream. Messages to the worker go through a queue with a
/// single writer (a gRPC stream takes one write at a time); answers are matched to their requests:
/// invocations by invocation id, loads by function id, everything else by request id.
/// </summary>
public sealed class WorkerConnection
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly TaskCompletionSource<StartStream> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WorkerLog _log;
    private Exception? _closed;

    public WorkerConnection(WorkerLog log)
    {
        _log = log;
    }

    /// <summary>The worker's first message on the stream.</summary>
    public Task<StartStream> Started => _started.Task;

    public static string InvocationKey(string invocationId) => "invocation:" + invocationId;

    public static string LoadKey(string functionId) => "load:" + functionId;

    public static string RequestKey(string requestId) => "request:" + requestId;

    /// <summary>Serves the stream until the worker closes it or the call ends.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> fromWorker, IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        var writing = WriteAllAsync(toWorker, cancellationToken);
        try
        {
            await foreach (var message in fromWorker.ReadAllAsync(cancellationToken))
            {
                Dispatch(message);
            }

            Close(new IOException("the worker closed its gRPC stream"));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or Grpc.Core.RpcException or InvalidOperationException)
        {
            Close(new IOException($"the worker's gRPC stream broke: {e.GetType().Name}: {e.Message}", e));
        }
        finally
        {
            _outbound.Writer.TryComplete();
            try
            {
                await writing;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
            {
                _log.Add("host", $"writing to the worker stopped: {e.Message}");
            }
        }
    }

    /// <summary>Sends a message and waits for the answer filed under <paramref name="key"/>.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage message, string key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(key, answer))
        {
            throw new InvalidOperationException($"a request {key} is already waiting for its answer");
        }

        try
        {
            if (_closed is not null)
            {
                throw new IOException($"cannot send {message.ContentCase}: {_closed.Message}\n{_log}", _closed);
            }

            Send(message);
            return await answer.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no answer to {message.ContentCase} ({key}) from the worker within {timeout.TotalSeconds:F0} s\n{_log}");
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    /// <summary>Sends a message that has no answer.</summary>
    public void Send(StreamingMessage message)
    {
        if (!_outbound.Writer.TryWrite(message))
        {
            throw new IOException($"cannot send {message.ContentCase}: the stream to the worker is closed\n{_log}");
        }
    }

    /// <summary>Fails every waiting request: the worker is gone.</summary>
    public void Close(Exception reason)
    {
        var closed = Interlocked.CompareExchange(ref _closed, reason, null) ?? reason;
        if (ReferenceEquals(closed, reason))
        {
            _log.Add("host", reason.Message);
        }

        _outbound.Writer.TryComplete();
        _started.TrySetException(new IOException($"{closed.Message}\n{_log}", closed));
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out var waiting))
            {
                waiting.TrySetException(new IOException($"no answer for {key}: {closed.Message}\n{_log}", closed));
            }
        }
    }

    private async Task WriteAllAsync(IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken))
        {
            await toWorker.WriteAsync(message, cancellationToken);
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                _log.Add("rpc", $"StartStream worker_id={message.StartStream.WorkerId}");
                _started.TrySetResult(message.StartStream);
                return;
            case StreamingMessage.ContentOneofCase.RpcLog:
                var log = message.RpcLog;
                var exception = log.Exception is null ? string.Empty : $" | {log.Exception.Message}";
                _log.Add("rpc", $"{log.Level} {log.Category}: {log.Message}{exception}");
                return;
            case StreamingMessage.ContentOneofCase.None:
                // The .NET worker answers a message that has no reply (WorkerTerminate) with an empty one.
                _log.Add("rpc", $"empty message (request id '{message.RequestId}')");
                return;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                Answer(InvocationKey(message.InvocationResponse.InvocationId), message);
                return;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                Answer(LoadKey(message.FunctionLoadResponse.FunctionId), message);
                return;
            default:
                Answer(RequestKey(message.RequestId), message);
                return;
        }
    }

    private void Answer(string key, StreamingMessage message)
    {
        if (_pending.TryRemove(key, out var waiting))
        {
            waiting.TrySetResult(message);
        }
        else
        {
            _log.Add("host", $"unexpected {message.ContentCase} ({key}) from the worker");
        }
    }
}
