namespace FunctionsObservability.Pipeline.Live;

/// <summary>
/// One Server-Sent Events frame, encoded once and shared by every subscriber it is queued for.
/// Its bytes count against the tail's budget from the fan-out until the last subscriber has taken it.
/// </summary>
internal sealed class TailFrame
{
    private readonly TailBudget? _budget;
    private int _references;

    private TailFrame(byte[] bytes, TailBudget? budget)
    {
        Bytes = bytes;
        _budget = budget;
        _references = 1;
    }

    public byte[] Bytes { get; }

    /// <summary>A frame whose bytes are reserved in <paramref name="budget"/>; null when the budget is spent.</summary>
    public static TailFrame? TryCreate(byte[] bytes, TailBudget budget) =>
        budget.TryReserve(bytes.Length) ? new TailFrame(bytes, budget) : null;

    /// <summary>A frame sent to one subscriber only, outside the budget (resets, resumes, heartbeats).</summary>
    public static TailFrame Single(byte[] bytes) => new(bytes, null);

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _budget?.Release(Bytes.Length);
        }
    }
}
