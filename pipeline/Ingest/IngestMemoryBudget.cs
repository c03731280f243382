namespace FunctionsObservability.Pipeline.Ingest;

/// <summary>
/// One ceiling on request bodies held in memory, whatever the number of requests: raw bodies and
/// the expanded bytes of gzip bodies count alike, from the first byte read until the parse block
/// is done with them. A client address may hold only its share, so one client (or a crowd of slow
/// uploads from it) cannot spend the budget of everyone else. A request that cannot grow its
/// buffer within the budget is refused at once (503 or 429 with Retry-After), never made to wait.
/// </summary>
public sealed class IngestMemoryBudget
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _byClient = new(StringComparer.Ordinal);
    private long _reserved;

    public IngestMemoryBudget(long totalBytes, long perClientBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perClientBytes);
        TotalBytes = totalBytes;
        PerClientBytes = Math.Min(perClientBytes, totalBytes);
    }

    public long TotalBytes { get; }

    public long PerClientBytes { get; }

    /// <summary>Bytes held by requests now.</summary>
    public long ReservedBytes => Volatile.Read(ref _reserved);

    /// <summary>A lease for one request's body, charged to <paramref name="client"/> (its address).</summary>
    public IngestMemoryLease OpenLease(string client) => new(this, client);

    internal BudgetVerdict TryReserve(string client, long bytes)
    {
        lock (_gate)
        {
            var held = _byClient.GetValueOrDefault(client);
            if (held + bytes > PerClientBytes)
            {
                return BudgetVerdict.ClientShareSpent;
            }

            if (_reserved + bytes > TotalBytes)
            {
                return BudgetVerdict.BudgetSpent;
            }

            _byClient[client] = held + bytes;
            Volatile.Write(ref _reserved, _reserved + bytes);
            return BudgetVerdict.Granted;
        }
    }

    internal void Release(string client, long bytes)
    {
        lock (_gate)
        {
            var held = _byClient.GetValueOrDefault(client) - bytes;
            if (held > 0)
            {
                _byClient[client] = held;
            }
            else
            {
                _byClient.Remove(client);
            }

            Volatile.Write(ref _reserved, _reserved - bytes);
        }
    }
}

/// <summary>Why a lease could not grow.</summary>
public enum BudgetVerdict
{
    Granted,

    /// <summary>All requests together hold the whole budget.</summary>
    BudgetSpent,

    /// <summary>This client's requests hold its share of the budget.</summary>
    ClientShareSpent,
}

/// <summary>What one request's body holds of the budget; released once, when the body is let go.</summary>
public sealed class IngestMemoryLease : IDisposable
{
    private readonly IngestMemoryBudget _budget;
    private readonly string _client;
    private long _bytes;

    internal IngestMemoryLease(IngestMemoryBudget budget, string client)
    {
        _budget = budget;
        _client = client;
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Grows the lease to <paramref name="bytes"/> in all.</summary>
    public BudgetVerdict TryGrowTo(long bytes)
    {
        var held = Bytes;
        if (bytes <= held)
        {
            return BudgetVerdict.Granted;
        }

        var verdict = _budget.TryReserve(_client, bytes - held);
        if (verdict == BudgetVerdict.Granted)
        {
            Interlocked.Exchange(ref _bytes, bytes);
        }

        return verdict;
    }

    /// <summary>Gives back part of the lease early (a buffer the request no longer needs).</summary>
    public void Release(long bytes)
    {
        var released = Math.Min(bytes, Bytes);
        if (released > 0)
        {
            Interlocked.Add(ref _bytes, -released);
            _budget.Release(_client, released);
        }
    }

    public void Dispose()
    {
        var bytes = Interlocked.Exchange(ref _bytes, 0);
        if (bytes > 0)
        {
            _budget.Release(_client, bytes);
        }
    }
}
