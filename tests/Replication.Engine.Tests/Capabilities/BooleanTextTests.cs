using Replication.Engine.Capabilities;

namespace Replication.Engine.Tests.Capabilities;

public class BooleanTextTests
{
    [Theory]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("True", true)]
    [InlineData("ON", true)]
    [InlineData("y", true)]
    [InlineData(" yes ", true)]
    [InlineData("0", false)]
    [InlineData("F", false)]
    [InlineData("false", false)]
    [InlineData("Off", false)]
    [InlineData("n", false)]
    [InlineData("NO", false)]
    public void TryParse_ReadsOsloWords(string text, bool expected)
    {
        Assert.True(BooleanText.TryParse(text, out var value));
        Assert.Equal(expected, value);
        Assert.Equal(expected, BooleanText.IsTrue(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2")]
    [InlineData("enabled")]
    [InlineData("yess")]
    public void TryParse_RejectsOtherText_WhichIsTrueReadsAsFalse(string? text)
    {
        Assert.False(BooleanText.TryParse(text, out _));
        Assert.False(BooleanText.IsTrue(text));
    }
}
