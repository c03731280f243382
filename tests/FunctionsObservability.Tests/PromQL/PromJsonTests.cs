using System.Text;
using System.Text.Json;
using FunctionsObservability.Pipeline.PromQL;

namespace FunctionsObservability.Tests.PromQL;

public sealed class PromJsonTests
{
    private static string Write(PromResult result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            PromJson.WriteData(writer, result);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(100, "100")]
    [InlineData(-0.25, "-0.25")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(123456789e15, "1.23456789e+23")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(0.00000015, "1.5e-07")]
    [InlineData(1.5841537682363073e-24, "1.5841537682363073e-24")]
    [InlineData(-2.5e300, "-2.5e+300")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0, "0")]
    public void Format_WritesValuesAsPrometheus(double value, string expected) => Assert.Equal(expected, PromNumberFormat.Format(value));

    [Theory]
    [InlineData(1_700_000_000_000, "1700000000")]
    [InlineData(1_700_000_000_123, "1700000000.123")]
    [InlineData(1_700_000_000_050, "1700000000.050")]
    [InlineData(-1_500, "-1.500")]
    public void FormatTimestamp_WritesPointSecondsWithMilliseconds(long ms, string expected) => Assert.Equal(expected, PromNumberFormat.FormatTimestamp(ms));

    [Fact]
    public void WriteData_Vector()
    {
        var labels = PromLabels.From([new("__name__", "up"), new("job", "a\"b")]);
        Assert.Equal(
            """{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a\u0022b"},"value":[1700000000.123,"1.5"]}]}""",
            Write(PromResult.FromVector([new PromSample(labels, 1_700_000_000_123, 1.5)])));
    }

    [Fact]
    public void WriteData_MatrixScalarAndString()
    {
        var series = new PromSeries(PromLabels.Empty, [1_000, 2_000], [1, double.NaN], 2);
        Assert.Equal("""{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"NaN"]]}]}""", Write(PromResult.FromMatrix([series])));
        Assert.Equal("""{"resultType":"scalar","result":[1.05,"-Inf"]}""", Write(PromResult.FromScalar(1_050, double.NegativeInfinity)));
        Assert.Equal("""{"resultType":"scalar","result":[1700000000.123,"0.0000001"]}""", Write(PromResult.FromScalar(1_700_000_000_123, 1e-7)));
        Assert.Equal("""{"resultType":"string","result":[2,"hi"]}""", Write(PromResult.FromString(2_000, "hi")));
    }
}
