namespace FunctionsObservability.Functions.Timers;

/// <summary>
/// The one way timer jobs run, whoever fires them: the Functions host, the standalone scheduler,
/// or an admin. Each job has a gate, so a run that comes due while the previous one is still
/// going is skipped (and logged and counted) instead of piling up behind it: the next occurrence
/// will do the work the skipped one would have done.
/// </summary>
public sealed class TimerJobRunner
{
    private readonly Dictionary<string, JobState> _jobs;
    private readonly TimerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<TimerJobRunner> _logger;

    public TimerJobRunner(IEnumerable<ITimerJob> jobs, TimerMetrics metrics, TimeProvider timeProvider, ILogger<TimerJobRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        _metrics = metrics;
        _time = timeProvider;
        _logger = logger;

        // Function names are case-insensitive in Functions, as routes are here.
        _jobs = new Dictionary<string, JobState>(StringComparer.OrdinalIgnoreCase);
        foreach (var job in jobs)
        {
            if (string.IsNullOrWhiteSpace(job.FunctionName) || job.FunctionName.Contains('/', StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"timer job {job.GetType().Name} has FunctionName \"{job.FunctionName}\"; it must be a Functions function name");
            }

            // Two jobs under one name would share a route and a schedule but not a gate; refuse at start-up.
            if (!_jobs.TryAdd(job.FunctionName, new JobState(job)))
            {
                throw new InvalidOperationException($"two timer jobs are registered for {job.FunctionName} ({_jobs[job.FunctionName].Job.GetType().Name} and {job.GetType().Name}); register one");
            }
        }
    }

    /// <summary>The names of the registered jobs.</summary>
    public IReadOnlyCollection<string> FunctionNames => _jobs.Keys;

    /// <summary>Whether a run of the job holds its gate now.</summary>
    public bool IsRunning(string functionName) =>
        _jobs.TryGetValue(functionName, out var state) && state.Gate.CurrentCount == 0;

    /// <summary>
    /// Runs the job unless a run of it is going already. Failures are reported, not thrown; only
    /// cancellation through <paramref name="cancellationToken"/> is thrown, so a shutdown stays a shutdown.
    /// </summary>
    /// <param name="trigger">Who fired the run, for logs and metrics: "schedule", "startup", "host" or "admin".</param>
    public async Task<TimerRunResult> TryRunAsync(string functionName, string trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(functionName);
        ArgumentNullException.ThrowIfNull(trigger);
        if (!_jobs.TryGetValue(functionName, out var state))
        {
            TimerLog.Unknown(_logger, functionName, trigger);

            // The name is not a tag here: it comes from the caller, and tags must stay a small set.
            Count("(none)", trigger, "unknown");
            return new TimerRunResult(functionName, trigger, TimerRunStatus.Unknown, null, TimeSpan.Zero);
        }

        var name = state.Job.FunctionName;
        if (!state.Gate.Wait(0, cancellationToken))
        {
            TimerLog.Skipped(_logger, name, trigger, state.RunningSince);
            Count(name, trigger, "skipped");
            return new TimerRunResult(name, trigger, TimerRunStatus.Skipped, null, TimeSpan.Zero);
        }

        try
        {
            state.RunningSince = _time.GetUtcNow();
            var started = _time.GetTimestamp();
            TimerLog.Started(_logger, name, trigger);
            TimerJobReport report;
            try
            {
                report = await state.Job.RunAsync(cancellationToken).ConfigureAwait(false)
                    ?? new TimerJobReport(false, "the job returned no report");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                TimerLog.Cancelled(_logger, name, trigger, _time.GetElapsedTime(started).TotalSeconds);
                Count(name, trigger, "cancelled");
                throw;
            }
            catch (Exception exception)
            {
                var elapsed = _time.GetElapsedTime(started);
                TimerLog.Threw(_logger, name, trigger, elapsed.TotalSeconds, exception);
                return Finish(name, trigger, TimerRunStatus.Failed, new TimerJobReport(false, $"{exception.GetType().Name}: {exception.Message}"), elapsed);
            }

            var took = _time.GetElapsedTime(started);
            if (report.Succeeded)
            {
                TimerLog.Ran(_logger, name, trigger, took.TotalSeconds, report.Summary);
                return Finish(name, trigger, TimerRunStatus.Ran, report, took);
            }

            TimerLog.ReportedFailure(_logger, name, trigger, took.TotalSeconds, report.Summary);
            return Finish(name, trigger, TimerRunStatus.Failed, report, took);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private TimerRunResult Finish(string name, string trigger, TimerRunStatus status, TimerJobReport report, TimeSpan elapsed)
    {
        var statusTag = status == TimerRunStatus.Ran ? "ran" : "failed";
        Count(name, trigger, statusTag);
        _metrics.RunDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("function", name), new KeyValuePair<string, object?>("status", statusTag));
        return new TimerRunResult(name, trigger, status, report, elapsed);
    }

    private void Count(string name, string trigger, string status) =>
        _metrics.Runs.Add(1, new KeyValuePair<string, object?>("function", name), new KeyValuePair<string, object?>("trigger", trigger), new KeyValuePair<string, object?>("status", status));

    private sealed class JobState(ITimerJob job)
    {
        private long _runningSinceTicks;

        public ITimerJob Job { get; } = job;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Read without the gate by a run that is being skipped, hence whole ticks.</summary>
        public DateTimeOffset RunningSince
        {
            get => new(Volatile.Read(ref _runningSinceTicks), TimeSpan.Zero);
            set => Volatile.Write(ref _runningSinceTicks, value.UtcTicks);
        }
    }
}
