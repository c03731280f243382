namespace FunctionsObservability.Pipeline.Query;

public enum QueryFailure
{
    /// <summary>A parameter is invalid or exceeds a limit; <see cref="QueryFailedException.Parameter"/> names it.</summary>
    BadParameter,

    /// <summary>The query ran longer than its timeout and was stopped.</summary>
    Timeout,

    /// <summary>Every query slot stayed busy past the admission deadline.</summary>
    Overloaded,

    /// <summary>An archived file the answer needs could not be fetched from the archive store.</summary>
    ArchiveUnavailable,

    /// <summary>The metric has no points at all (never written, or all deleted); the message suggests similar names.</summary>
    UnknownMetric,
}

/// <summary>A query that cannot be answered, with the reason the HTTP layer turns into a status.</summary>
public sealed class QueryFailedException : Exception
{
    public QueryFailedException(QueryFailure failure, string message, string? parameter = null)
        : base(message)
    {
        Failure = failure;
        Parameter = parameter;
    }

    public QueryFailedException()
    {
    }

    public QueryFailedException(string message)
        : base(message)
    {
    }

    public QueryFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public QueryFailure Failure { get; }

    public string? Parameter { get; }
}
