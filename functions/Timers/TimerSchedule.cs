using System.Text.Json;
using Cronos;

namespace FunctionsObservability.Functions.Timers;

/// <summary>
/// A timer function's schedule, read from the file the Functions host reads
/// (<c>&lt;FunctionName&gt;/function.json</c>, its <c>timerTrigger</c> binding), so the standalone
/// scheduler and the host fire on the same NCRONTAB expression. Times are UTC, as the host's are
/// unless <c>WEBSITE_TIME_ZONE</c> says otherwise.
/// </summary>
public sealed class TimerSchedule
{
    public const string TriggerType = "timerTrigger";
    public const string FileName = "function.json";

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

    /// <summary>Where the schedule came from: the function.json path, or the configuration key.</summary>
    public string Source { get; }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, in UTC; null when there is none.</summary>
    public DateTimeOffset? NextOccurrence(DateTimeOffset after) => _expression.GetNextOccurrence(after, TimeZoneInfo.Utc);

    /// <summary>
    /// The function's schedule: <c>Timers:&lt;FunctionName&gt;:Schedule</c> when configured (the
    /// standalone scheduler only; the Functions host always reads function.json), else function.json.
    /// <c>Timers:&lt;FunctionName&gt;:RunOnStartup</c> overrides <c>runOnStartup</c> likewise.
    /// </summary>
    /// <param name="baseDirectory">Where to look for function folders; the app's folder when null.</param>
    public static TimerSchedule Load(string functionName, IConfiguration configuration, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection($"Timers:{functionName}");
        string? text = null;
        var runOnStartup = false;
        var source = $"{functionName}/{FileName}";
        var file = FindFunctionJson(functionName, baseDirectory);
        if (file is not null && ReadTrigger(file) is { } trigger)
        {
            (text, runOnStartup) = trigger;
            source = file;
        }

        if (section["Schedule"] is { Length: > 0 } configured)
        {
            text = configured;
            source = $"configuration {section.Path}:Schedule";
        }

        if (section["RunOnStartup"] is { Length: > 0 } startup)
        {
            runOnStartup = bool.TryParse(startup, out var value)
                ? value
                : throw new InvalidOperationException($"{section.Path}:RunOnStartup is \"{startup}\"; use true or false");
        }

        if (text is null)
        {
            throw new InvalidOperationException(file is null
                ? $"timer job {functionName} has no schedule: no {functionName}/{FileName} beside the app or one folder up, and {section.Path}:Schedule is not set"
                : $"timer job {functionName} has no schedule: {file} has no {TriggerType} binding, and {section.Path}:Schedule is not set");
        }

        return Parse(functionName, ResolveAppSetting(text, configuration, source), runOnStartup, source);
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

    /// <summary>
    /// The names of the timer functions deployed with the app: folders holding a function.json with
    /// a <c>timerTrigger</c> binding, beside the app or one folder up (the published layout), as the
    /// Functions host finds them.
    /// </summary>
    public static IReadOnlyList<string> FindTimerFunctions(string? baseDirectory = null)
    {
        var names = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var folder in SearchFolders(baseDirectory).Where(Directory.Exists))
        {
            foreach (var function in Directory.EnumerateDirectories(folder))
            {
                var file = Path.Combine(function, FileName);
                if (File.Exists(file) && ReadTrigger(file) is not null)
                {
                    names.Add(Path.GetFileName(function));
                }
            }
        }

        return [.. names];
    }

    private static string? FindFunctionJson(string functionName, string? baseDirectory) =>
        SearchFolders(baseDirectory)
            .Select(folder => Path.GetFullPath(Path.Combine(folder, functionName, FileName)))
            .FirstOrDefault(File.Exists);

    private static IEnumerable<string> SearchFolders(string? baseDirectory)
    {
        var root = baseDirectory ?? AppContext.BaseDirectory;
        yield return root;
        yield return Path.GetFullPath(Path.Combine(root, ".."));
    }

    private static (string Schedule, bool RunOnStartup)? ReadTrigger(string file)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            if (!document.RootElement.TryGetProperty("bindings", out var bindings) || bindings.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var binding in bindings.EnumerateArray())
            {
                if (binding.ValueKind != JsonValueKind.Object
                    || !binding.TryGetProperty("type", out var type)
                    || !string.Equals(type.GetString(), TriggerType, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (!binding.TryGetProperty("schedule", out var schedule) || schedule.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidOperationException($"{file}: the {TriggerType} binding has no \"schedule\" string");
                }

                var runOnStartup = binding.TryGetProperty("runOnStartup", out var startup) && startup.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False or JsonValueKind.Null => false,
                    _ => throw new InvalidOperationException($"{file}: \"runOnStartup\" must be true or false"),
                };
                return (schedule.GetString()!, runOnStartup);
            }

            return null;
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"{file} is not valid JSON: {exception.Message}", exception);
        }
    }

    /// <summary>The host resolves <c>"%Name%"</c> from app settings; so does the standalone scheduler, from configuration.</summary>
    private static string ResolveAppSetting(string text, IConfiguration configuration, string source)
    {
        var trimmed = text.Trim();
        if (trimmed.Length < 3 || trimmed[0] != '%' || trimmed[^1] != '%')
        {
            return text;
        }

        var setting = trimmed[1..^1];
        return configuration[setting] is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{source}: the schedule \"{text}\" names the setting {setting}, which is not set");
    }
}
