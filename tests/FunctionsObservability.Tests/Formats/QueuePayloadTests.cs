using FunctionsObservability.Pipeline.Formats;

namespace FunctionsObservability.Tests.Formats;

/// <summary>A queue message that can never be read is a reason for the poison queue, never an exception.</summary>
public sealed class QueuePayloadTests
{
    [Theory]
    [InlineData("""{"payload":"\udc00"}""", "lone surrogate")]
    [InlineData("""{"contentType":"\ud800","payload":"cpu v=1"}""", "lone surrogate")]
    [InlineData("""{"precision":"\ud800","payload":"cpu v=1"}""", "lone surrogate")]
    [InlineData("""{"contentType":"text/csv","payload":"a,b"}""", "text/csv")]
    [InlineData("""{"payload":1}""", "no \"payload\" string")]
    public void TryRead_EnvelopeThatCanNeverBeRead_ReturnsTheReason(string message, string reason)
    {
        var read = QueuePayload.TryRead(message, out var payload, out var error);

        Assert.False(read);
        Assert.Null(payload);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_FirstNameWithALoneSurrogate_IsNotAnEnvelope_ButABareNdJsonPayload()
    {
        var read = QueuePayload.TryRead("""{"\udc00":1}""", out var payload, out var error);

        Assert.True(read, error);
        Assert.Equal(PayloadFormat.NdJson, payload!.Format);
    }
}
