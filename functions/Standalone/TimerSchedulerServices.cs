using FunctionsObservability.Functions.Timers;

namespace FunctionsObservability.Functions.Standalone;

internal static class TimerSchedulerServices
{
    public const string EnabledKey = "Timers:Enabled";

    /// <summary>The standalone scheduler, unless <c>Timers:Enabled</c> is false (tests and the bench turn it off).</summary>
    public static IServiceCollection AddTimerScheduler(this IServiceCollection services, IConfiguration configuration)
    {
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
