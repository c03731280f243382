namespace FunctionsObservability.Pipeline.Storage;

/// <summary>Why the database file could not be put to use.</summary>
public enum DatabaseOpenFailure
{
    /// <summary>
    /// The file (or its write-ahead log) is damaged: truncated, a header or block that fails its
    /// checksum, not a DuckDB file. Restarting fails the same way; recovery needs an operator.
    /// </summary>
    Damaged,

    /// <summary>
    /// The file could not be opened for a reason other than damage: locked by another process, no
    /// permission, a format this DuckDB cannot read. Nothing about the file is wrong in itself.
    /// </summary>
    Unavailable,

    /// <summary>The file is damaged and rebuilding the store from the archive failed; the file was left in place.</summary>
    RecoveryFailed,
}

/// <summary>
/// The database file of <see cref="MetricsDatabase"/> cannot be used. <see cref="Reason"/> is one
/// line, without the file path (which <see cref="DatabasePath"/> names): DuckDB's own message,
/// shortened, after a plain statement of what is wrong.
/// </summary>
public sealed class DatabaseOpenException : Exception
{
    public DatabaseOpenException(DatabaseOpenFailure failure, string databasePath, string reason, Exception? innerException = null)
        : base($"Database file {databasePath}: {reason}", innerException)
    {
        Failure = failure;
        DatabasePath = databasePath;
        Reason = reason;
    }

    public DatabaseOpenException()
    {
        DatabasePath = string.Empty;
        Reason = string.Empty;
    }

    public DatabaseOpenException(string message)
        : base(message)
    {
        DatabasePath = string.Empty;
        Reason = message;
    }

    public DatabaseOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
        DatabasePath = string.Empty;
        Reason = message;
    }

    public DatabaseOpenFailure Failure { get; }

    public string DatabasePath { get; }

    public string Reason { get; }
}
