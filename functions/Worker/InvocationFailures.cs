namespace FunctionsObservability.Functions.Worker;

// A non-HTTP function fails its invocation by throwing: the host then retries a queue message, or
// records a failed timer run. These name the two reasons, so the host's record says which it was.

/// <summary>Fails an invocation whose message was not committed now but may be later, so the host retries it.</summary>
public sealed class QueueMessageNotCommittedException : Exception
{
    public QueueMessageNotCommittedException()
    {
    }

    public QueueMessageNotCommittedException(string message)
        : base(message)
    {
    }

    public QueueMessageNotCommittedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Fails a timer invocation whose run failed, so the host records the failure with the run's summary.</summary>
public sealed class TimerJobFailedException : Exception
{
    public TimerJobFailedException()
    {
    }

    public TimerJobFailedException(string message)
        : base(message)
    {
    }

    public TimerJobFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
