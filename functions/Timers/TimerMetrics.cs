using System.Diagnostics.Metrics;

namespace FunctionsObservability.Functions.Timers;

/// <summary>The timers' instruments, named after OpenTelemetry conventions.</summary>
public sealed class TimerMetrics : IDisposable
{
    public const string MeterName = "FunctionsObservability.Timers";

    private readonly Meter _meter;

    public TimerMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Runs = _meter.CreateCounter<long>("fo.timer.runs", "{run}", "Timer job runs by function, trigger and status (ran, skipped, failed, unknown).");
        RunDuration = _meter.CreateHistogram<double>("fo.timer.run.duration", "s", "Time a timer job took, for runs that started.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900] });
    }

    public Counter<long> Runs { get; }

    public Histogram<double> RunDuration { get; }

    public void Dispose() => _meter.Dispose();
}
