using System.Diagnostics;
using System.Globalization;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>The moments of the write path at which a crash test can have the process killed.</summary>
public enum WriterStage
{
    /// <summary>A group commit is synced to the point log, not yet in the head, not acknowledged.</summary>
    LogAppended,

    /// <summary>An apply has inserted its rows into the file's tables, not yet committed.</summary>
    Applying,

    /// <summary>An apply has committed, the point log has not started over yet.</summary>
    Applied,
}

/// <summary>
/// Kills the process (as kill -9 would: no shutdown, no flush) the N-th time the writer reaches a
/// stage, when <c>FUNCTIONSOBSERVABILITY_WRITER_FAILPOINT</c> is <c>Stage:N</c>. Only crash tests set it.
/// </summary>
internal sealed class WriterFailpoint
{
    public const string Variable = "FUNCTIONSOBSERVABILITY_WRITER_FAILPOINT";

    private readonly WriterStage? _stage;
    private readonly int _at;
    private int _reached;

    private WriterFailpoint(WriterStage? stage, int at)
    {
        _stage = stage;
        _at = at;
    }

    public static WriterFailpoint FromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(value))
        {
            return new WriterFailpoint(null, 0);
        }

        var parts = value.Split(':');
        return new WriterFailpoint(
            Enum.Parse<WriterStage>(parts[0]),
            parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 1);
    }

    public void Reach(WriterStage stage)
    {
        if (_stage == stage && ++_reached == _at)
        {
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
