using FunctionsObservability.Pipeline.Query;

namespace FunctionsObservability.Tests.Query;

public sealed class PageCursorTests
{
    private static readonly string Issued = new PageCursor(1_795_341_600_123_456, 42, 3).Encode();

    // Base64Url.TryDecodeFromChars throws FormatException for these rather than answering false.
    public static TheoryData<string> NotBase64Url => new()
    {
        "A",
        "\0",
        "%zz",
        "====",
        "A===",
        "AAAA====",
        "a b",
        "garbage.garbage.garbage.garbage.",
        Issued[..^1] + "B", // the last character carries 2 bits that must be zero
        Issued[..^1] + "!",
        Issued[..^1] + "+",
        Issued[..^1] + "/",
        Issued[..^1] + "\u00e9",
        "\ud800" + Issued[1..],
    };

    [Theory]
    [MemberData(nameof(NotBase64Url))]
    public void TryDecode_NotBase64Url_ReturnsFalseWithoutThrowing(string text)
    {
        Assert.False(PageCursor.TryDecode(text, out var cursor));
        Assert.Equal(default, cursor);
    }

    [Fact]
    public void TryDecode_WhatEncodeIssued_RoundTrips()
    {
        Assert.True(PageCursor.TryDecode(Issued, out var cursor));
        Assert.Equal(new PageCursor(1_795_341_600_123_456, 42, 3), cursor);
    }
}
