namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// A write failed because the disk (or the file size limit, or a quota) has no room: nothing was
/// written, nothing is lost, and the same write succeeds once space is freed, without a restart.
/// </summary>
public sealed class StorageFullException : IOException
{
    public StorageFullException()
    {
    }

    public StorageFullException(string message)
        : base(message)
    {
    }

    public StorageFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Whether <paramref name="exception"/> (or one it wraps) says the disk is full. DuckDB reports
    /// the operating system's text ("Could not write file …: No space left on device"), not an errno.
    /// </summary>
    public static bool IsOutOfSpace(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            var message = current.Message;
            if (message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
                || message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase)
                || message.Contains("File too large", StringComparison.OrdinalIgnoreCase)
                || (current is IOException && (current.HResult & 0xFFFF) is 28 or 27 or 122))
            {
                return true;
            }
        }

        return false;
    }
}
