using FunctionsObservability.Pipeline.Archive;

namespace FunctionsObservability.Tests.Archive;

public sealed class ArchivePathTests
{
    private static readonly DateTimeOffset Hour = new(2025, 1, 2, 3, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> OddMetricNames() => new()
    {
        "cpu.load",
        "http/requests",
        "a=b",
        "100%",
        "with space",
        "quote\"hash#star*colon:question?",
        "back\\slash{brace}[bracket]^caret|pipe<lt>gt'apos",
        "plus+sign",
        "..",
        "%2F",
        "température",
        "метрика",
        "emoji😀",
        "tab\tnewline\n",
    };

    [Theory]
    [MemberData(nameof(OddMetricNames))]
    public void Build_ThenParse_RoundTrips(string metric)
    {
        var path = ArchivePath.Build(metric, Hour, "part-0001.parquet");

        Assert.Equal(new ArchivePartition(metric, Hour, "part-0001.parquet"), ArchivePath.Parse(path));
        Assert.StartsWith(ArchivePath.MetricPrefix(metric), path, StringComparison.Ordinal);
        Assert.Equal(4, path.Split('/').Length);
    }

    [Theory]
    [MemberData(nameof(OddMetricNames))]
    public void EscapeSegment_LeavesOnlyUrlAndFileSafeCharacters(string metric)
    {
        var escaped = ArchivePath.EscapeSegment(metric);

        Assert.All(escaped, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '%' or '.' or '-' or '_' or '~' or '!' or '$' or '&' or '(' or ')' or ',' or ';' or '@' or '`', $"'{c}' in {escaped}"));
        Assert.Equal(metric, ArchivePath.UnescapeSegment(escaped));
    }

    [Theory]
    [InlineData("http/requests", "http%2Frequests")]
    [InlineData("a=b", "a%3Db")]
    [InlineData("100%", "100%25")]
    [InlineData("with space", "with%20space")]
    [InlineData("é", "%C3%A9")]
    [InlineData("cpu.load_1-x", "cpu.load_1-x")]
    public void EscapeSegment_UsesUppercaseHexLikeHive(string metric, string expected)
    {
        Assert.Equal(expected, ArchivePath.EscapeSegment(metric));
    }

    [Fact]
    public void Build_UsesHiveLayoutInUtc()
    {
        var sameHourElsewhere = new DateTimeOffset(2025, 1, 2, 5, 0, 0, TimeSpan.FromHours(2));

        Assert.Equal("metric=cpu/date=2025-01-02/hour=03/f.parquet", ArchivePath.Build("cpu", sameHourElsewhere, "f.parquet"));
        Assert.Equal("metric=cpu/date=2025-01-02/hour=03/", ArchivePath.HourPrefix("cpu", Hour));
        Assert.Equal("metric=cpu/", ArchivePath.MetricPrefix("cpu"));
    }

    [Fact]
    public void Build_NotOnTheHour_Throws()
    {
        Assert.Throws<ArgumentException>(() => ArchivePath.Build("cpu", Hour.AddMinutes(1), "f.parquet"));
        Assert.Throws<ArgumentException>(() => ArchivePath.Build("cpu", Hour.AddTicks(1), "f.parquet"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("a b.parquet")]
    [InlineData("..")]
    public void Build_BadFileName_Throws(string fileName)
    {
        Assert.Throws<ArgumentException>(() => ArchivePath.Build("cpu", Hour, fileName));
    }

    [Fact]
    public void Build_EmptyMetric_Throws()
    {
        Assert.Throws<ArgumentException>(() => ArchivePath.Build(string.Empty, Hour, "f.parquet"));
    }

    [Theory]
    [InlineData("metric=cpu/date=2025-01-02/hour=03")]
    [InlineData("metric=cpu/date=2025-01-02/hour=24/f.parquet")]
    [InlineData("metric=cpu/date=2025-13-02/hour=03/f.parquet")]
    [InlineData("metric=cpu/date=2025-01-02/hour=3/f.parquet")]
    [InlineData("metric=/date=2025-01-02/hour=03/f.parquet")]
    [InlineData("metric=a%2/date=2025-01-02/hour=03/f.parquet")]
    [InlineData("metric=a%ZZ/date=2025-01-02/hour=03/f.parquet")]
    [InlineData("metric=%C3/date=2025-01-02/hour=03/f.parquet")]
    [InlineData("name=cpu/date=2025-01-02/hour=03/f.parquet")]
    [InlineData("metric=cpu/date=2025-01-02/hour=03/sub/f.parquet")]
    public void TryParse_NotAPartitionPath_IsFalse(string path)
    {
        Assert.False(ArchivePath.TryParse(path, out _));
        Assert.Throws<FormatException>(() => ArchivePath.Parse(path));
    }
}
