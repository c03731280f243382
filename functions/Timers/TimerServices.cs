namespace FunctionsObservability.Functions.Timers;

internal static class TimerServices
{
    public const string EnabledKey = "Timers:Enabled";

    /// <summary>
    /// Registers the runner for the <see cref="ITimerJob"/>s registered elsewhere, and the standalone
    /// scheduler when no Functions host is driving the app (the host fires timers itself) and
    /// <c>Timers:Enabled</c> is not false.
    /// </summary>
    public static IServiceCollection AddTimers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => new TimerMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<TimerJobRunner>();
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT")))
        {
            return services;
        }

        var enabled = configuration[EnabledKey] is not { Length: > 0 } text
            || (bool.TryParse(text, out var value)
                ? value
                : throw new InvalidOperationException($"{EnabledKey} is \"{text}\"; use true or false"));
        if (enabled)
        {
            services.AddHostedService<TimerScheduler>();
        }

        return services;
    }
}
