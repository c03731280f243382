namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>Prometheus's error types; the HTTP layer maps each to the status Prometheus uses.</summary>
public enum PromErrorType
{
    /// <summary>The query or a parameter is malformed or unsupported: 400.</summary>
    BadData,

    /// <summary>Evaluation failed, e.g. a limit on series or samples was exceeded: 422.</summary>
    Execution,

    /// <summary>The query ran past its timeout: 503.</summary>
    Timeout,

    /// <summary>The store cannot answer now (busy, archive unavailable): 503.</summary>
    Unavailable,
}

/// <summary>A PromQL query that cannot be answered, with Prometheus's error type.</summary>
public sealed class PromQueryException : Exception
{
    public PromQueryException(PromErrorType errorType, string message)
        : base(message)
    {
        ErrorType = errorType;
    }

    public PromQueryException()
    {
    }

    public PromQueryException(string message)
        : base(message)
    {
    }

    public PromQueryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PromErrorType ErrorType { get; }

    /// <summary>The name Prometheus puts in <c>errorType</c>.</summary>
    public string ErrorTypeName => ErrorType switch
    {
        PromErrorType.BadData => "bad_data",
        PromErrorType.Execution => "execution",
        PromErrorType.Timeout => "timeout",
        _ => "unavailable",
    };
}
