using System;
using Replication.Engine.Rounds;

namespace Replication.Engine.Tests.LocalFile;

public sealed class FileSystemOpsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1000)]
    [InlineData(1024 * 1024 + 3)]
    public void IsAllZero_TellsZerosFromAnyNonZeroByte(int length)
    {
        var buffer = new byte[length];
        Assert.True(BlockBytes.IsAllZero(buffer, 0, length));

        for (var position = 0; position < length; position += Math.Max(1, length / 37))
        {
            buffer[position] = 0x80;
            Assert.False(BlockBytes.IsAllZero(buffer, 0, length), $"non-zero byte at {position} of {length} missed");
            buffer[position] = 0;
        }

        if (length > 0)
        {
            buffer[length - 1] = 1;
            Assert.False(BlockBytes.IsAllZero(buffer, 0, length));
        }
    }

    [Fact]
    public void IsAllZero_LooksOnlyInsideTheRange()
    {
        var buffer = new byte[200];
        buffer[2] = 1;
        buffer[150] = 1;

        Assert.True(BlockBytes.IsAllZero(buffer, 3, 147));
        Assert.False(BlockBytes.IsAllZero(buffer, 3, 148));
        Assert.False(BlockBytes.IsAllZero(buffer, 2, 100));
    }

    [Fact]
    public void IsAllZero_RejectsARangeOutsideTheBuffer()
    {
        var buffer = new byte[16];

        Assert.Throws<ArgumentOutOfRangeException>(() => BlockBytes.IsAllZero(buffer, 10, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockBytes.IsAllZero(buffer, -1, 1));
        Assert.Throws<ArgumentNullException>(() => BlockBytes.IsAllZero(null!, 0, 0));
    }
}
