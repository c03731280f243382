namespace FunctionsObservability.Functions.Hosting;

/// <summary>Who drives the process: the Azure Functions host, or nobody (the standalone service).</summary>
internal enum HostingMode
{
    /// <summary>Started any other way: serves HTTP itself, and runs its own queue listener, timers, keys and rate limits.</summary>
    Standalone,

    /// <summary>Started by the Functions host: an isolated worker that dials the host over gRPC.</summary>
    FunctionsWorker,
}

/// <summary>The one place the mode is decided, once, from the process's command line.</summary>
internal static class HostingModes
{
    /// <summary>The Functions host passes the address of its gRPC endpoint with this switch, and nobody else does.</summary>
    public const string HostUriSwitch = "--functions-uri";

    public static HostingMode Detect(IEnumerable<string> commandLine) =>
        commandLine.Any(argument => argument.Equals(HostUriSwitch, StringComparison.OrdinalIgnoreCase)
                || argument.StartsWith(HostUriSwitch + "=", StringComparison.OrdinalIgnoreCase))
            ? HostingMode.FunctionsWorker
            : HostingMode.Standalone;
}
