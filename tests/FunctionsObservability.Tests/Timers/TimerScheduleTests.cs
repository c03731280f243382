using FunctionsObservability.Functions.Timers;
using Microsoft.Extensions.Configuration;

namespace FunctionsObservability.Tests.Timers;

public sealed class TimerScheduleTests
{
    private static readonly DateTimeOffset Instant = new(2026, 3, 14, 12, 3, 10, TimeSpan.Zero);

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static ArchiveTimerJob Archive => new(null!);

    private static RetentionTimerJob Retention => new(null!);

    [Fact]
    public void Load_ArchiveWithoutSetting_RunsEveryFiveMinutesOnTheMinute()
    {
        var schedule = TimerSchedule.Load(Archive, Settings());

        Assert.Equal("0 */5 * * * *", schedule.Expression);
        Assert.False(schedule.RunOnStartup);
        Assert.Equal("the default of Archive", schedule.Source);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 12, 5, 0, TimeSpan.Zero), schedule.NextOccurrence(Instant));
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 12, 10, 0, TimeSpan.Zero), schedule.NextOccurrence(new DateTimeOffset(2026, 3, 14, 12, 5, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Load_RetentionWithoutSetting_RunsHourlyAtMinute17()
    {
        var schedule = TimerSchedule.Load(Retention, Settings());

        Assert.Equal("0 17 * * * *", schedule.Expression);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 12, 17, 0, TimeSpan.Zero), schedule.NextOccurrence(Instant));
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 13, 17, 0, TimeSpan.Zero), schedule.NextOccurrence(new DateTimeOffset(2026, 3, 14, 12, 17, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void NextOccurrence_IsUtcWhateverTheOffsetOfTheInstant()
    {
        var schedule = TimerSchedule.Load(Retention, Settings());

        var next = schedule.NextOccurrence(new DateTimeOffset(2026, 3, 14, 14, 3, 10, TimeSpan.FromHours(2)));

        Assert.Equal(TimeSpan.Zero, next!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 12, 17, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void SettingName_IsTheOneTheTimerTriggersResolve()
    {
        // The [TimerTrigger] attributes name %ArchiveSchedule% and %RetentionSchedule%; the metadata
        // test in WorkerProtocol checks the built functions.metadata carries those expressions.
        Assert.Equal("ArchiveSchedule", TimerSchedule.SettingName(ArchiveTimerJob.Name));
        Assert.Equal("RetentionSchedule", TimerSchedule.SettingName(RetentionTimerJob.Name));
    }

    [Theory]
    [InlineData("every five minutes")]
    [InlineData("0 */5 * * *")]
    [InlineData("00:05:00")]
    [InlineData("0 61 * * * *")]
    public void Parse_TextThatIsNotSixFieldNcrontab_FailsNamingTheSourceAndTheText(string text)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Parse("Archive", text, false, "app setting ArchiveSchedule"));

        Assert.Contains("app setting ArchiveSchedule", error.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{text}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("six-field NCRONTAB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AppSetting_OverridesTheDefault()
    {
        var schedule = TimerSchedule.Load(Archive, Settings(("ArchiveSchedule", "*/10 * * * * *"), ("Timers:Archive:RunOnStartup", "true")));

        Assert.Equal("*/10 * * * * *", schedule.Expression);
        Assert.True(schedule.RunOnStartup);
        Assert.Equal("app setting ArchiveSchedule", schedule.Source);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 12, 3, 20, TimeSpan.Zero), schedule.NextOccurrence(Instant));
    }

    [Fact]
    public void Load_BadAppSetting_FailsNamingTheSettingAndText()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Load(Archive, Settings(("ArchiveSchedule", "often"))));

        Assert.Contains("ArchiveSchedule", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"often\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RunOnStartupNotABoolean_FailsNamingTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Load(Retention, Settings(("Timers:Retention:RunOnStartup", "yes"))));

        Assert.Contains("Timers:Retention:RunOnStartup", error.Message, StringComparison.Ordinal);
    }
}
