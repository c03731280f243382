using FunctionsObservability.Functions.Timers;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace FunctionsObservability.Tests.Timers;

public sealed class TimerScheduleTests
{
    private static readonly DateTimeOffset Instant = new(2026, 3, 14, 12, 3, 10, TimeSpan.Zero);

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static string WriteFunctionJson(TempDirectory directory, string name, string binding)
    {
        Directory.CreateDirectory(Path.Combine(directory.Path, name));
        var path = Path.Combine(directory.Path, name, "function.json");
        File.WriteAllText(path, $$"""{ "bindings": [ {{binding}} ] }""");
        return path;
    }

    [Fact]
    public void Archive_FunctionJson_RunsEveryFiveMinutesOnTheMinute()
    {
        var schedule = TimerSchedule.Load("Archive", Settings(), RepositoryPaths.FunctionsFolder);

        Assert.Equal("0 */5 * * * *", schedule.Expression);
        Assert.False(schedule.RunOnStartup);
        Assert.EndsWith(Path.Combine("Archive", "function.json"), schedule.Source, StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 12, 5, 0, TimeSpan.Zero), schedule.NextOccurrence(Instant));
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 12, 10, 0, TimeSpan.Zero), schedule.NextOccurrence(new DateTimeOffset(2026, 3, 14, 12, 5, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Retention_FunctionJson_RunsHourlyAtMinute17()
    {
        var schedule = TimerSchedule.Load("Retention", Settings(), RepositoryPaths.FunctionsFolder);

        Assert.Equal("0 17 * * * *", schedule.Expression);
        Assert.False(schedule.RunOnStartup);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 12, 17, 0, TimeSpan.Zero), schedule.NextOccurrence(Instant));
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 13, 17, 0, TimeSpan.Zero), schedule.NextOccurrence(new DateTimeOffset(2026, 3, 14, 12, 17, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void NextOccurrence_IsUtcWhateverTheOffsetOfTheInstant()
    {
        var schedule = TimerSchedule.Load("Retention", Settings(), RepositoryPaths.FunctionsFolder);

        var next = schedule.NextOccurrence(new DateTimeOffset(2026, 3, 14, 14, 3, 10, TimeSpan.FromHours(2)));

        Assert.Equal(TimeSpan.Zero, next!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 12, 17, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void FindTimerFunctions_BesideTheApp_ListsArchiveAndRetentionOnly()
    {
        var names = TimerSchedule.FindTimerFunctions();

        Assert.Contains("Archive", names);
        Assert.Contains("Retention", names);
        Assert.DoesNotContain("IngestQueue", names);
    }

    [Theory]
    [InlineData("every five minutes")]
    [InlineData("0 */5 * * *")]
    [InlineData("00:05:00")]
    [InlineData("0 61 * * * *")]
    public void Parse_TextThatIsNotSixFieldNcrontab_FailsNamingTheSourceAndTheText(string text)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Parse("Archive", text, false, "functions/Archive/function.json"));

        Assert.Contains("functions/Archive/function.json", error.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{text}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("six-field NCRONTAB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadScheduleInFunctionJson_FailsNamingTheFile()
    {
        using var directory = new TempDirectory();
        var file = WriteFunctionJson(directory, "Broken", """{ "type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "*/5 * * * *" }""");

        var error = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Load("Broken", Settings(), directory.Path));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("\"*/5 * * * *\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ConfiguredSchedule_OverridesFunctionJson()
    {
        var schedule = TimerSchedule.Load(
            "Archive",
            Settings(("Timers:Archive:Schedule", "*/10 * * * * *"), ("Timers:Archive:RunOnStartup", "true")),
            RepositoryPaths.FunctionsFolder);

        Assert.Equal("*/10 * * * * *", schedule.Expression);
        Assert.True(schedule.RunOnStartup);
        Assert.Equal("configuration Timers:Archive:Schedule", schedule.Source);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 12, 3, 20, TimeSpan.Zero), schedule.NextOccurrence(Instant));
    }

    [Fact]
    public void Load_BadConfiguredSchedule_FailsNamingTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            TimerSchedule.Load("Archive", Settings(("Timers:Archive:Schedule", "often")), RepositoryPaths.FunctionsFolder));

        Assert.Contains("Timers:Archive:Schedule", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"often\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AppSettingReference_IsResolvedAsTheHostDoes()
    {
        using var directory = new TempDirectory();
        WriteFunctionJson(directory, "Nightly", """{ "type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "%NightlySchedule%", "runOnStartup": true }""");

        var schedule = TimerSchedule.Load("Nightly", Settings(("NightlySchedule", "0 30 2 * * *")), directory.Path);

        Assert.True(schedule.RunOnStartup);
        Assert.Equal(new DateTimeOffset(2026, 3, 15, 2, 30, 0, TimeSpan.Zero), schedule.NextOccurrence(Instant));
        var missing = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Load("Nightly", Settings(), directory.Path));
        Assert.Contains("NightlySchedule", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoFunctionJsonAndNoSetting_FailsNamingBoth()
    {
        using var directory = new TempDirectory();

        var error = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Load("Nowhere", Settings(), directory.Path));

        Assert.Contains("Nowhere/function.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("Timers:Nowhere:Schedule", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FunctionJsonWithoutATimerTrigger_FailsSayingSo()
    {
        using var directory = new TempDirectory();
        WriteFunctionJson(directory, "Queued", """{ "type": "queueTrigger", "direction": "in", "name": "message", "queueName": "q" }""");

        var error = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Load("Queued", Settings(), directory.Path));

        Assert.Contains("no timerTrigger binding", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Queued", TimerSchedule.FindTimerFunctions(directory.Path));
    }
}
