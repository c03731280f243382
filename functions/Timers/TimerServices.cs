namespace FunctionsObservability.Functions.Timers;

internal static class TimerServices
{
    /// <summary>The timer jobs and the runner that gates them; whoever fires them, host or scheduler, goes through it.</summary>
    public static IServiceCollection AddTimerJobs(this IServiceCollection services)
    {
        services.AddSingleton(sp => new TimerMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<TimerJobRunner>();
        services.AddSingleton<ITimerJob, ArchiveTimerJob>();
        services.AddSingleton<ITimerJob, RetentionTimerJob>();
        return services;
    }
}
