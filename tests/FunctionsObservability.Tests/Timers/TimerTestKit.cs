using FunctionsObservability.Functions.Timers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Tests.Timers;

/// <summary>Jobs that make the runner's and scheduler's behaviour observable without sleeping.</summary>
internal static class TimerTestKit
{
    /// <summary>Long enough for a loaded CI machine; a passing test never waits it out.</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>Replaces every registered job (the real ones too) with <paramref name="jobs"/>.</summary>
    public static Action<WebApplicationBuilder> Only(params ITimerJob[] jobs) => builder =>
    {
        builder.Services.RemoveAll<ITimerJob>();
        foreach (var job in jobs)
        {
            builder.Services.AddSingleton(job);
        }
    };

    public static Action<WebApplicationBuilder> With(this Action<WebApplicationBuilder> configure, CapturingLoggerProvider logs) => builder =>
    {
        configure(builder);
        builder.Logging.AddProvider(logs);
    };
}

internal sealed class CountingJob(string functionName) : ITimerJob
{
    private int _runs;

    public string FunctionName => functionName;

    /// <summary>Once a year: tests that need the scheduler set the job's schedule setting.</summary>
    public string DefaultSchedule => "0 0 0 1 1 *";

    public int Runs => Volatile.Read(ref _runs);

    /// <summary>Completes at the first run.</summary>
    public TaskCompletionSource Ran { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TimerJobReport> RunAsync(CancellationToken cancellationToken)
    {
        var runs = Interlocked.Increment(ref _runs);
        Ran.TrySetResult();
        return Task.FromResult(new TimerJobReport(true, $"run {runs} done"));
    }
}

/// <summary>Holds its run until released or cancelled, to keep the gate taken.</summary>
internal sealed class BlockingJob(string functionName) : ITimerJob
{
    public string FunctionName => functionName;

    /// <summary>Once a year: tests that need the scheduler set the job's schedule setting.</summary>
    public string DefaultSchedule => "0 0 0 1 1 *";

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<TimerJobReport> RunAsync(CancellationToken cancellationToken)
    {
        Started.TrySetResult();
        try
        {
            await Release.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Cancelled.TrySetResult();
            throw;
        }

        return new TimerJobReport(true, "released");
    }
}

internal sealed class ThrowingJob(string functionName, Exception exception) : ITimerJob
{
    public string FunctionName => functionName;

    /// <summary>Once a year: tests that need the scheduler set the job's schedule setting.</summary>
    public string DefaultSchedule => "0 0 0 1 1 *";

    public Task<TimerJobReport> RunAsync(CancellationToken cancellationToken) => throw exception;
}

internal sealed class FailingJob(string functionName, string summary) : ITimerJob
{
    public string FunctionName => functionName;

    /// <summary>Once a year: tests that need the scheduler set the job's schedule setting.</summary>
    public string DefaultSchedule => "0 0 0 1 1 *";

    public Task<TimerJobReport> RunAsync(CancellationToken cancellationToken) => Task.FromResult(new TimerJobReport(false, summary));
}

internal sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message);

/// <summary>Keeps every log entry, and lets a test await the first entry that matches.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly List<LogEntry> _entries = [];
    private readonly List<(Func<LogEntry, bool> Match, TaskCompletionSource<LogEntry> Done)> _waiters = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public Task<LogEntry> WaitForAsync(Func<LogEntry, bool> match)
    {
        lock (_entries)
        {
            if (_entries.FirstOrDefault(match) is { } found)
            {
                return Task.FromResult(found);
            }

            var done = new TaskCompletionSource<LogEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task;
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogEntry entry)
    {
        lock (_entries)
        {
            _entries.Add(entry);
            foreach (var waiter in _waiters.Where(w => w.Match(entry)).ToList())
            {
                waiter.Done.TrySetResult(entry);
                _waiters.Remove(waiter);
            }
        }
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Add(new LogEntry(category, logLevel, eventId, formatter(state, exception)));
    }
}

/// <summary>An <see cref="ILogger{T}"/> over a <see cref="CapturingLoggerProvider"/>, for types built by hand.</summary>
internal sealed class CapturingLogger<T>(CapturingLoggerProvider provider) : ILogger<T>
{
    private readonly ILogger _inner = provider.CreateLogger(typeof(T).FullName!);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _inner.Log(logLevel, eventId, state, exception, formatter);
}
