namespace FunctionsObservability.Pipeline.Ingest;

public enum IngestOutcome
{
    /// <summary>Every point was committed.</summary>
    Written,

    /// <summary>The valid points were committed; some lines were rejected.</summary>
    PartiallyWritten,

    /// <summary>The request's dedupe key was committed before: nothing was written again.</summary>
    AlreadyWritten,

    /// <summary>Nothing was written because of bad input (every line bad, or strict mode).</summary>
    Rejected,

    /// <summary>The points are in the mesh and will be committed; the caller did not wait.</summary>
    Queued,

    /// <summary>The mesh stayed full past the admission deadline.</summary>
    Overloaded,

    /// <summary>The service is draining and takes no more input.</summary>
    ShuttingDown,

    /// <summary>The commit failed; nothing of the request was written.</summary>
    StorageFailed,

    /// <summary>The disk is full; nothing of the request was written, and a retry succeeds once space is freed.</summary>
    StorageFull,

    /// <summary>The database file is known to be damaged; nothing is written into it until it is recovered.</summary>
    StoreDamaged,
}
