using Cronos;

namespace FunctionsObservability.Functions.Timers;

/// <summary>
/// A timer function's schedule. Both modes read it from the same app setting,
/// <c>&lt;FunctionName&gt;Schedule</c> (<c>ArchiveSchedule</c>): the Functions host resolves the trigger's
/// <c>%ArchiveSchedule%</c> from it, and the standalone scheduler reads it from configuration, falling
/// back to the job's default so a new checkout needs no settings. Times are UTC, as the host's are
/// unless <c>WEBSITE_TIME_ZONE</c> says otherwise.
/// </summary>
public sealed class TimerSchedule
{
    private readonly CronExpression _expression;

    private TimerSchedule(string functionName, string expression, CronExpression cron, bool runOnStartup, string source)
    {
        FunctionName = functionName;
        Expression = expression;
        _expression = cron;
        RunOnStartup = runOnStartup;
        Source = source;
    }

    public string FunctionName { get; }

    /// <summary>The NCRONTAB text: second minute hour day month day-of-week.</summary>
    public string Expression { get; }

    public bool RunOnStartup { get; }

    /// <summary>Where the schedule came from: the app setting, or the job's default.</summary>
    public string Source { get; }

    /// <summary>The app setting that holds a timer function's schedule, under the host and standalone.</summary>
    public static string SettingName(string functionName) => functionName + "Schedule";

    /// <summary>The first occurrence strictly after <paramref name="after"/>, in UTC; null when there is none.</summary>
    public DateTimeOffset? NextOccurrence(DateTimeOffset after) => _expression.GetNextOccurrence(after, TimeZoneInfo.Utc);

    /// <summary>
    /// The job's schedule: the app setting when set, else <see cref="ITimerJob.DefaultSchedule"/>.
    /// <c>Timers:&lt;FunctionName&gt;:RunOnStartup</c> (standalone only) runs it once at start as well.
    /// </summary>
    public static TimerSchedule Load(ITimerJob job, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(configuration);
        var name = job.FunctionName;
        var setting = SettingName(name);
        var (text, source) = configuration[setting] is { Length: > 0 } configured
            ? (configured, $"app setting {setting}")
            : (job.DefaultSchedule, $"the default of {name}");
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidOperationException($"timer job {name} has no schedule: set {setting} to a six-field NCRONTAB expression");
        }

        var runOnStartup = false;
        var startupKey = $"Timers:{name}:RunOnStartup";
        if (configuration[startupKey] is { Length: > 0 } startup && !bool.TryParse(startup, out runOnStartup))
        {
            throw new InvalidOperationException($"{startupKey} is \"{startup}\"; use true or false");
        }

        return Parse(name, text, runOnStartup, source);
    }

    /// <summary>Parses six-field NCRONTAB (with seconds), as the Functions host does; the error names the source and the text.</summary>
    public static TimerSchedule Parse(string functionName, string text, bool runOnStartup, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return new TimerSchedule(functionName, text, CronExpression.Parse(text.Trim(), CronFormat.IncludeSeconds), runOnStartup, source);
        }
        catch (CronFormatException exception)
        {
            throw new InvalidOperationException(
                $"{source}: the schedule \"{text}\" of {functionName} is not a six-field NCRONTAB expression "
                + $"(second minute hour day month day-of-week, e.g. \"0 */5 * * * *\"): {exception.Message}",
                exception);
        }
    }
}
