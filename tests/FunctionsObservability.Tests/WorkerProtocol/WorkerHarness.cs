using FunctionsObservability.Tests.Infrastructure;
using FunctionsObservability.Tests.WorkerProtocol.Rpc;
using Google.Protobuf.WellKnownTypes;
using Xunit.Sdk;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>
/// One real worker process driven by the fake host, brought as far as the Functions host brings it
/// before the first trigger fires: init, metadata, one load per function, and the worker's HTTP
/// server answering. The invocation helpers are in WorkerInvocations.cs.
/// </summary>
public sealed partial class WorkerHarness : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan InvocationTimeout = TimeSpan.FromSeconds(60);

    private const string HostVersion = "4.1040.0-fake";

    private readonly TempDirectory _directory = new();
    private readonly HttpForwarder _forwarder;
    private FakeFunctionsHost? _host;
    private WorkerProcess? _process;
    private WorkerConnection? _connection;
    private bool _ready;

    private WorkerHarness()
    {
        _forwarder = new HttpForwarder(Log);
    }

    public WorkerLog Log { get; } = new();

    /// <summary>Storage:DataDirectory of the worker: where its DuckDB file is.</summary>
    public string DataDirectory => Path.Combine(_directory.Path, "data");

    public WorkerInitResponse InitResponse { get; private set; } = new();

    public FunctionMetadataResponse MetadataResponse { get; private set; } = new();

    /// <summary>Every function the worker reported, by name, with the id the host loaded it under.</summary>
    public IReadOnlyDictionary<string, LoadedFunction> Functions { get; private set; } = new Dictionary<string, LoadedFunction>();

    /// <summary>The worker's ASP.NET Core server, from its <c>HttpUri</c> capability.</summary>
    public Uri? HttpUri { get; private set; }

    private WorkerConnection Connection => _connection ?? throw new InvalidOperationException("the worker is not connected");

    /// <summary>
    /// Starts the fake host and the worker and completes the handshake.
    /// <paramref name="prepareDataDirectory"/> runs before the worker starts, e.g. to create its database;
    /// <paramref name="appSettings"/> are more app settings (environment variables of the worker).
    /// </summary>
    public static async Task<WorkerHarness> StartAsync(Action<string>? prepareDataDirectory, CancellationToken cancellationToken, IDictionary<string, string>? appSettings = null)
    {
        var harness = new WorkerHarness();
        try
        {
            await harness.StartCoreAsync(prepareDataDirectory, appSettings, cancellationToken);
            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    public LoadedFunction Function(string name) =>
        Functions.TryGetValue(name, out var function)
            ? function
            : throw new XunitException($"the worker reported no function {name}; it reported: {string.Join(", ", Functions.Keys)}\n{Log}");

    /// <summary>Runs assertions; a failure message gets the worker's log appended.</summary>
    public void Verify(Action assertions)
    {
        ArgumentNullException.ThrowIfNull(assertions);
        try
        {
            assertions();
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message}\n{Log}", e);
        }
    }

    /// <summary>
    /// Sends WorkerTerminate, as the host does when it stops or recycles the worker, and waits for the
    /// process to exit; false when it did not exit within 30 s (it is then killed on dispose).
    /// </summary>
    public async Task<bool> TerminateAsync()
    {
        // A WorkerTerminate before the worker's HTTP server is up has crashed workers; after it,
        // the worker stops by itself.
        if (_process is null || _process.HasExited || !_ready || _connection is null)
        {
            return _process?.HasExited ?? true;
        }

        try
        {
            _connection.Send(Request(message => message.WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)) }));
            var stopped = await _process.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            Log.Add("host", stopped ? $"after WorkerTerminate {_process.ExitDescription}" : "the worker did not stop within 30 s of WorkerTerminate; killing it");
            return stopped;
        }
        catch (IOException e)
        {
            Log.Add("host", $"could not send WorkerTerminate: {e.Message}");
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            // The process tree is killed if WorkerTerminate did not stop it.
            await TerminateAsync();
            _process.Dispose();
        }

        _forwarder.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _directory.Dispose();
    }

    private static StreamingMessage Request(Action<StreamingMessage> fill)
    {
        var message = new StreamingMessage { RequestId = Guid.NewGuid().ToString() };
        fill(message);
        return message;
    }

    private async Task StartCoreAsync(Action<string>? prepareDataDirectory, IDictionary<string, string>? appSettings, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(DataDirectory);
        var workingDirectory = Path.Combine(_directory.Path, "work");
        Directory.CreateDirectory(workingDirectory);
        prepareDataDirectory?.Invoke(DataDirectory);

        _host = await FakeFunctionsHost.StartAsync(Log, cancellationToken);
        var settings = new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = DataDirectory,
            ["ArchiveSchedule"] = "0 */5 * * * *",
            ["RetentionSchedule"] = "0 17 * * * *",
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        };
        foreach (var (name, value) in appSettings ?? new Dictionary<string, string>())
        {
            settings[name] = value;
        }

        _process = WorkerProcess.Start(_host.Address, workingDirectory, settings, Log);

        var connection = await UntilExitAsync(_host.Connected, "the worker did not open its gRPC stream to the host", cancellationToken);
        _connection = connection;
        _ = CloseWhenExitedAsync(_process, connection);
        var started = await UntilExitAsync(connection.Started, "the worker sent no StartStream", cancellationToken);
        Assert.True(started.WorkerId == _process.WorkerId, $"StartStream names worker {started.WorkerId}, not {_process.WorkerId}\n{Log}");

        await InitializeAsync(_process.OutputFolder, cancellationToken);
        await LoadFunctionsAsync(_process.OutputFolder, cancellationToken);

        // The worker's HTTP server comes up after the handshake: an anonymous function answering
        // through it shows the worker ready for every trigger.
        if (HttpUri is not null && Functions.ContainsKey("Health"))
        {
            var health = await InvokeHttpAsync("Health", HttpMethod.Get, "/api/health", null, null, null, cancellationToken);
            Log.Add("host", $"ready: Health answered {health.Http}; invocation {health.Invocation.Result?.Status}");
        }

        _ready = true;
    }

    private async Task InitializeAsync(string outputFolder, CancellationToken cancellationToken)
    {
        var init = new WorkerInitRequest { HostVersion = HostVersion, WorkerDirectory = outputFolder, FunctionAppDirectory = outputFolder };
        foreach (var capability in new[] { "RpcHttpBodyOnly", "RpcHttpTriggerMetadataRemoved", "TypedDataCollection", "IgnoreEmptyValuedRpcHttpHeaders", "HandlesWorkerTerminateMessage" })
        {
            init.Capabilities[capability] = "true";
        }

        var initRequest = Request(message => message.WorkerInitRequest = init);
        var initAnswer = await Connection.RequestAsync(initRequest, WorkerConnection.RequestKey(initRequest.RequestId), StartTimeout, cancellationToken);
        InitResponse = initAnswer.WorkerInitResponse ?? throw new XunitException($"expected WorkerInitResponse, got {initAnswer.ContentCase}\n{Log}");
        Assert.True(InitResponse.Result?.Status == StatusResult.Types.Status.Success, $"WorkerInit failed: {InitResponse.Result}\n{Log}");
        Log.Add("host", $"WorkerInitResponse capabilities: {string.Join(", ", InitResponse.Capabilities.Select(c => $"{c.Key}={c.Value}"))}");
        if (InitResponse.Capabilities.TryGetValue("HttpUri", out var httpUri) && !string.IsNullOrEmpty(httpUri))
        {
            HttpUri = new Uri(httpUri.EndsWith('/') ? httpUri : httpUri + "/");
        }

        var metadataRequest = Request(message => message.FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = outputFolder });
        var metadataAnswer = await Connection.RequestAsync(metadataRequest, WorkerConnection.RequestKey(metadataRequest.RequestId), StartTimeout, cancellationToken);
        MetadataResponse = metadataAnswer.FunctionMetadataResponse ?? throw new XunitException($"expected FunctionMetadataResponse, got {metadataAnswer.ContentCase}\n{Log}");
        Assert.True(MetadataResponse.Result?.Status == StatusResult.Types.Status.Success, $"FunctionsMetadataRequest failed: {MetadataResponse.Result}\n{Log}");
        Assert.False(MetadataResponse.UseDefaultMetadataIndexing, $"the worker asked the host to index the functions itself, which this fake host cannot do\n{Log}");
    }

    private async Task LoadFunctionsAsync(string outputFolder, CancellationToken cancellationToken)
    {
        var functions = MetadataResponse.FunctionMetadataResults
            .Select(metadata => new LoadedFunction(Guid.NewGuid().ToString(), metadata))
            .ToList();
        var loads = functions.Select(async function =>
        {
            var request = Request(message => message.FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function.Metadata });
            var answer = await Connection.RequestAsync(request, WorkerConnection.LoadKey(function.FunctionId), StartTimeout, cancellationToken);
            return (function, answer.FunctionLoadResponse.Result);
        });
        foreach (var (function, result) in await Task.WhenAll(loads))
        {
            Assert.True(result?.Status == StatusResult.Types.Status.Success, $"FunctionLoad of {function.Name} failed: {result}\n{Log}");
        }

        Functions = functions.ToDictionary(function => function.Name, StringComparer.Ordinal);
        Log.Add("host", $"loaded {Functions.Count} functions from {outputFolder}: {string.Join(", ", Functions.Keys)}");
    }

    /// <summary>Waits for a start-up step, failing fast with the log if the worker exits or stalls.</summary>
    private async Task<T> UntilExitAsync<T>(Task<T> step, string failure, CancellationToken cancellationToken)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(StartTimeout, stall.Token);
        var first = await Task.WhenAny(step, _process!.Exited, timer);
        await stall.CancelAsync();
        if (first == step)
        {
            return await step;
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new XunitException(first == timer
            ? $"{failure} within {StartTimeout.TotalSeconds:F0} s\n{Log}"
            : $"{failure}: {_process.ExitDescription}\n{Log}");
    }

    private static async Task CloseWhenExitedAsync(WorkerProcess process, WorkerConnection connection)
    {
        await process.Exited;
        connection.Close(new IOException(process.ExitDescription));
    }
}
