using System.Globalization;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Tests.WorkerProtocol.Rpc;
using Xunit.Sdk;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>An HTTP-triggered invocation: the worker's gRPC answer and its HTTP answer.</summary>
public sealed record HttpInvocation(InvocationResponse Invocation, WorkerHttpResponse Http);

/// <summary>Invocations as the Functions host sends them, one helper per kind of trigger.</summary>
public sealed partial class WorkerHarness
{
    /// <summary>Sends an InvocationRequest and waits for the InvocationResponse with its invocation id.</summary>
    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.TraceContext ??= new RpcTraceContext();
        var message = new StreamingMessage { RequestId = Guid.NewGuid().ToString(), InvocationRequest = request };
        var answer = await Connection.RequestAsync(message, WorkerConnection.InvocationKey(request.InvocationId), InvocationTimeout, cancellationToken);
        return answer.InvocationResponse;
    }

    /// <summary>
    /// An HTTP trigger with the ASP.NET Core integration: the InvocationRequest carries an empty
    /// http payload (and route values in trigger_metadata), while the request itself goes to the
    /// worker's HttpUri with the invocation id in a header. Both run at once, as in the host.
    /// </summary>
    public async Task<HttpInvocation> InvokeHttpAsync(
        string functionName,
        HttpMethod method,
        string pathAndQuery,
        string? body,
        string? contentType,
        IReadOnlyDictionary<string, string>? routeValues,
        CancellationToken cancellationToken)
    {
        var function = Function(functionName);
        var httpUri = HttpUri ?? throw new XunitException($"the worker reported no HttpUri capability, so HTTP requests cannot be forwarded to it\n{Log}");
        var request = NewRequest(function);
        request.InputData.Add(new ParameterBinding { Name = function.Trigger.Name, Data = new TypedData { Http = new RpcHttp() } });
        foreach (var (name, value) in routeValues ?? new Dictionary<string, string>())
        {
            request.TriggerMetadata[name] = new TypedData { String = value };
        }

        var invocation = InvokeAsync(request, cancellationToken);
        var http = _forwarder.SendAsync(httpUri, request.InvocationId, method, pathAndQuery, body, contentType, cancellationToken);
        await Task.WhenAll(invocation, http);
        return new HttpInvocation(await invocation, await http);
    }

    /// <summary>
    /// An HTTP trigger whose answer streams: the invocation runs until the stream ends, so this
    /// returns the invocation still running beside the open response.
    /// </summary>
    public async Task<(Task<InvocationResponse> Invocation, HttpResponseMessage Response)> InvokeHttpStreamAsync(
        string functionName, string pathAndQuery, CancellationToken cancellationToken)
    {
        var function = Function(functionName);
        var httpUri = HttpUri ?? throw new XunitException($"the worker reported no HttpUri capability, so HTTP requests cannot be forwarded to it\n{Log}");
        var request = NewRequest(function);
        request.InputData.Add(new ParameterBinding { Name = function.Trigger.Name, Data = new TypedData { Http = new RpcHttp() } });
        var invocation = InvokeAsync(request, cancellationToken);
        var response = await _forwarder.OpenStreamAsync(httpUri, request.InvocationId, pathAndQuery, cancellationToken);
        return (invocation, response);
    }

    /// <summary>
    /// A queue trigger bound to a string: the message as string data, and the message's properties
    /// in trigger_metadata, typed as the host sends them (text as string, numbers and dates as JSON,
    /// which is what the .NET worker converts).
    /// </summary>
    public Task<InvocationResponse> InvokeQueueAsync(string functionName, string queueMessage, string messageId, long dequeueCount, CancellationToken cancellationToken)
    {
        var function = Function(functionName);
        var request = NewRequest(function);
        request.InputData.Add(new ParameterBinding { Name = function.Trigger.Name, Data = new TypedData { String = queueMessage } });
        var now = DateTimeOffset.UtcNow;
        request.TriggerMetadata["QueueTrigger"] = new TypedData { String = queueMessage };
        request.TriggerMetadata["Id"] = new TypedData { String = messageId };
        request.TriggerMetadata["DequeueCount"] = new TypedData { Json = dequeueCount.ToString(CultureInfo.InvariantCulture) };
        request.TriggerMetadata["PopReceipt"] = new TypedData { String = Guid.NewGuid().ToString("N") };
        request.TriggerMetadata["InsertionTime"] = new TypedData { Json = JsonSerializer.Serialize(now) };
        request.TriggerMetadata["NextVisibleTime"] = new TypedData { Json = JsonSerializer.Serialize(now.AddSeconds(30)) };
        request.TriggerMetadata["ExpirationTime"] = new TypedData { Json = JsonSerializer.Serialize(now.AddDays(7)) };
        return InvokeAsync(request, cancellationToken);
    }

    /// <summary>A timer trigger: the timer info as JSON, as the host serialises it.</summary>
    public Task<InvocationResponse> InvokeTimerAsync(string functionName, string timerJson, CancellationToken cancellationToken)
    {
        var function = Function(functionName);
        var request = NewRequest(function);
        request.InputData.Add(new ParameterBinding { Name = function.Trigger.Name, Data = new TypedData { Json = timerJson } });
        return InvokeAsync(request, cancellationToken);
    }

    /// <summary>The function's return value (<c>$return</c>) as text, or null when it returned nothing.</summary>
    public static string? ReturnText(InvocationResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.ReturnValue?.DataCase switch
        {
            TypedData.DataOneofCase.String => response.ReturnValue.String,
            TypedData.DataOneofCase.Json => response.ReturnValue.Json,
            TypedData.DataOneofCase.Bytes => response.ReturnValue.Bytes.ToStringUtf8(),
            TypedData.DataOneofCase.Stream => response.ReturnValue.Stream.ToStringUtf8(),
            null or TypedData.DataOneofCase.None => null,
            var other => $"<{other}> {response.ReturnValue}",
        };
    }

    /// <summary>An invocation's outcome and the worker's log, for a failure message.</summary>
    public string Describe(InvocationResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"invocation {response.InvocationId}: {response.Result?.Status}");
        if (!string.IsNullOrEmpty(response.Result?.Result))
        {
            builder.Append(CultureInfo.InvariantCulture, $" ({response.Result.Result})");
        }

        if (response.Result?.Exception is { } exception)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\nexception {exception.Type}: {exception.Message}\n{exception.StackTrace}");
        }

        builder.Append(CultureInfo.InvariantCulture, $"\nreturn value: {ReturnText(response) ?? "<none>"}");
        foreach (var output in response.OutputData)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\noutput {output.Name}: {output.Data}");
        }

        return builder.Append('\n').Append(Log).ToString();
    }

    public string Describe(HttpInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        return $"HTTP {invocation.Http}\n{Describe(invocation.Invocation)}";
    }

    private static InvocationRequest NewRequest(LoadedFunction function) => new()
    {
        InvocationId = Guid.NewGuid().ToString(),
        FunctionId = function.FunctionId,
        TraceContext = new RpcTraceContext(),
    };
}
